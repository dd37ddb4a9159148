"""Form fields shared by the forms of every side (portal, employers, back office)."""

from __future__ import annotations

from typing import Any

from django import forms

from sscard.core.documents import LENGTH_MESSAGE, LONGEST_NUMBER

# What a document-number field takes before the document rules judge it: room for the spaces
# and full-width digits those rules explain, not for a pasted paragraph.
INPUT_LIMIT = 40


class DocumentNumberField(forms.CharField):
    """证件号码 (or 统一社会信用代码) as a person types it. Its length is the document rules'
    to judge (``sscard.core.documents``: “身份证号码应为18位，您输入了19位”); the field only
    refuses input longer than ``INPUT_LIMIT``, in the same words, never with Django's
    “确保该变量包含不超过 N 字符”. ``length``: the one length the number must have, when the
    field takes one kind of document only."""

    def __init__(
        self, *, label: str = "证件号码", length: int | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("max_length", INPUT_LIMIT)
        super().__init__(label=label, **kwargs)
        typed = "%(show_value)d"  # filled in by the length validator: the characters typed
        self.error_messages["max_length"] = (
            f"{label}不超过{LONGEST_NUMBER}位，您输入了{typed}位"
            if length is None
            else LENGTH_MESSAGE.format(what=label, length=length, given=typed)
        )
