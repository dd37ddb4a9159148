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


# what a browser may fill in for a field about the person filling the form (WCAG 1.3.5), by
# the field's name on the portal's and the employers' pages (a page asking about someone else,
# a child, passes autocomplete="off" instead)
AUTOCOMPLETE = {
    "name": "name",
    "username": "username",
    "birth_date": "bday",
    "nationality": "country-name",
    "contact_name": "name",
    "contact_phone": "tel",
    "employer_name": "organization",
    "phone": "tel",
    "address": "street-address",
    "mail_address": "shipping street-address",
    "postcode": "postal-code",
    "occupation": "organization-title",
}


@register.filter
def autocomplete_for(name: str) -> str:
    """``name|autocomplete_for``: the ``autocomplete`` token of a portal field, "" if none."""
    return AUTOCOMPLETE.get(name, "")


@register.filter
def has(collection: Any, key: str) -> bool:
    return key in collection if collection is not None else False
