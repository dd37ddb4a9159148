from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """``values|get:"phone"``: a dict entry in a template, "" when absent."""
    if hasattr(mapping, "get"):
        return mapping.get(key, "")
    return ""


@register.filter
def has(collection: Any, key: str) -> bool:
    return key in collection if collection is not None else False
