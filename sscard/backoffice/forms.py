"""Back-office forms: the small forms of the decision screens (the staff login is shared with
the lock-out page: sscard.web.forms). Forms only parse input; the services decide."""

from __future__ import annotations

from django import forms

from sscard.applications.constants import RejectReason, ReturnReason
from sscard.core.documents import DocType
from sscard.core.formfields import DocumentNumberField


class ReturnForm(forms.Form):
    reason_code = forms.ChoiceField(label="退回原因", choices=ReturnReason.choices)
    reason = forms.CharField(label="补正说明", max_length=280, widget=forms.Textarea)
    status = forms.CharField(widget=forms.HiddenInput, required=False)


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(label="不予受理原因", choices=RejectReason.choices)
    reason = forms.CharField(label="说明", max_length=280, widget=forms.Textarea)
    status = forms.CharField(widget=forms.HiddenInput, required=False)


class EndForm(forms.Form):
    reason = forms.CharField(label="终止办理原因", max_length=280, widget=forms.Textarea)
    status = forms.CharField(widget=forms.HiddenInput, required=False)


class IdentityForm(forms.Form):
    doc_type = forms.ChoiceField(label="证件类型", choices=DocType.choices)
    doc_number = DocumentNumberField()
