"""How every form tells what went wrong, once for the portal, the employers' pages and the
back office: each field's error has the id ``e-<name>`` and the field points at it
(``aria-invalid``, ``aria-describedby``), and an error summary first on the page lists every
error as a link to its field (``{% error_summary %}`` in the ``form_errors`` tag library)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates


def error_id(name: str) -> str:
    """The id of the message beside field ``name`` (its html name: a form's prefix included)."""
    return f"e-{name}"


class BoundField(forms.BoundField):
    """Django's bound field, its error linked by the id the templates give it (``e-<name>``)
    rather than Django's ``id_<name>_error``, so that a widget rendered by Django (the captcha,
    the back office's fields) and a field written out by hand in a template agree."""

    @property
    def error_id(self) -> str:
        return error_id(self.html_name)

    @property
    def aria_describedby(self) -> str | None:
        if self.field.widget.attrs.get("aria-describedby"):
            return None  # set on the widget: kept as it is
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(self.error_id)
        return " ".join(ids)

    def build_widget_attrs(self, attrs: Any, widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        # Django leaves it to the <fieldset> of a widget of several inputs (the captcha's image
        # key and text box); our pages show those in a row of their own, not in a fieldset
        if not attrs.get("aria-describedby") and self.use_fieldset and self.aria_describedby:
            attrs["aria-describedby"] = self.aria_describedby
        return attrs


class FormRenderer(DjangoTemplates):
    """``FORM_RENDERER``: Django's own, with the bound field above for every form."""

    bound_field_class = BoundField


SHORT_LABEL = 12  # characters


@dataclass(frozen=True)
class SummaryEntry:
    message: str
    target: str = ""  # the id of the field to move to; "" for an error of the whole form


def summary_entries(errors: Any, prefix: str = "f-") -> list[SummaryEntry]:
    """What the error summary lists, in the order of the form: from a Django form (each field
    by its label's target: the text box of the captcha, the first of a group of radios), or
    from a mapping of field name → message as the portal's item pages keep them (each field
    by the id ``<prefix><name>`` their templates give it)."""
    if isinstance(errors, forms.BaseForm):
        entries = [SummaryEntry(str(message)) for message in errors.non_field_errors()]
        for field in errors:
            if field.errors:
                message = str(field.errors[0])
                label = str(field.label or "")
                # "证件号码：格式不正确"; not when the message names its field already, nor
                # after a label that is a sentence (a checkbox's)
                if label and label not in message and len(label) <= SHORT_LABEL:
                    message = f"{label}：{message}"
                entries.append(SummaryEntry(message, field.id_for_label or field.auto_id))
        return entries
    if isinstance(errors, Mapping):
        return [
            SummaryEntry(str(message), "" if name == "__all__" else f"{prefix}{name}")
            for name, message in errors.items()
            if message
        ]
    return []
