"""A document-number field leaves the length to the document rules and refuses only input
longer than any number could be typed, in the same words as those rules."""

from __future__ import annotations

import pytest
from django import forms

from sscard.core.formfields import INPUT_LIMIT, DocumentNumberField


class _Form(forms.Form):
    any_document = DocumentNumberField()
    resident_id = DocumentNumberField(label="身份证号码", length=18, required=False)


def _errors(**data: str) -> dict[str, list[str]]:
    form = _Form(data)
    form.is_valid()
    return dict(form.errors)


def test_a_number_a_little_too_long_is_left_to_the_document_rules():
    # 19 digits, or 18 with spaces between them, are for validate_document to explain
    assert _errors(any_document="4452021990041212345", resident_id="445202 19900412 1234") == {}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("any_document", "证件号码不超过18位，您输入了41位"),
        ("resident_id", "身份证号码应为18位，您输入了41位"),
    ],
)
def test_input_past_the_limit_is_refused_in_the_document_rules_words(field, message):
    data = {"any_document": "E12345678", field: "4" * (INPUT_LIMIT + 1)}
    assert _errors(**data) == {field: [message]}
