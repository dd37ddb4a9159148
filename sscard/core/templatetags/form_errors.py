"""``{% load form_errors %}``: the error summary every form page puts first (see
sscard.core.formrendering)."""

from __future__ import annotations

from typing import Any

from django import template

from sscard.core.formrendering import summary_entries

register = template.Library()


@register.inclusion_tag("forms/error_summary.html")
def error_summary(errors: Any, prefix: str = "f-") -> dict[str, Any]:
    """``{% error_summary form %}`` or ``{% error_summary errors %}`` (field name → message;
    the fields' ids are ``<prefix><name>``): nothing when there is no error, otherwise a box
    that takes the focus when the page opens — with or without JavaScript — and lists every
    error, each a link to its field. One error of the whole form and nothing else (a wrong
    password, say) is the box's heading by itself."""
    entries = summary_entries(errors, prefix)
    lone = entries[0] if len(entries) == 1 and not entries[0].target else None
    return {"entries": entries, "count": len(entries), "lone": lone}
