"""电子社保卡核验 (``/staff/verify/``): an outlet clerk or a reviewer pastes the code a scanner
read from the holder's phone, or uploads a photo of it (decoded on the server), and reads the
answer: valid (with the masked name and the card photo to compare with the person), expired,
already verified, a card not usable, an unknown key or a forged code. A code verifies once per
member of staff within its minute."""

from __future__ import annotations

from django import forms
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from sscard.accounts.requests import AuthedHttpRequest
from sscard.applications.models import Material
from sscard.audit.services import audit_record
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.core.errors import DomainError
from sscard.ecard.services import ecard_verify
from sscard.photos.qr import LIMITS, qr_read
from sscard.photos.uploads import validate_photo_upload

# the card photos this session was shown by a valid verification (and may open)
PHOTOS_KEY = "ecard_verified_photos"
PHOTOS_KEPT = 20


class VerifyForm(forms.Form):
    token = forms.CharField(
        label="二维码内容",
        required=False,
        max_length=4096,
        error_messages={
            "max_length": "二维码内容过长（超过4096个字符），不是电子社保卡二维码，请重新扫描"
        },
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text="用扫码枪扫描持卡人出示的电子社保卡二维码，或粘贴二维码内容",
    )
    photo = forms.FileField(
        label="或上传二维码照片",
        required=False,
        validators=[validate_photo_upload],
        help_text=LIMITS,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("token") and not data.get("photo") and not self.errors:
            raise forms.ValidationError("请扫描或粘贴二维码内容，或上传二维码照片")
        return data


@staff_view(roles.COUNTER)
@require_http_methods(["GET", "POST"])
def verify(request: AuthedHttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    result = None
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        try:
            if form.cleaned_data.get("photo"):
                token = qr_read(form.cleaned_data["photo"])
        except DomainError as refused:
            form.add_error("photo", refused.message)
        else:
            result = ecard_verify(
                token=token, verifier=f"staff:{request.user.pk}", actor=request.user
            )
            if result.photo_id is not None:
                shown = [p for p in request.session.get(PHOTOS_KEY, []) if p != result.photo_id]
                request.session[PHOTOS_KEY] = [*shown, result.photo_id][-PHOTOS_KEPT:]
            form = VerifyForm()  # the next holder's code goes into an empty form
    status = 400 if form.errors else 200
    return render(
        request, "backoffice/verify.html", {"form": form, "result": result}, status=status
    )


@staff_view(roles.COUNTER)
@require_GET
def verify_photo(request: AuthedHttpRequest, pk: int) -> HttpResponseBase:
    """The card photo of a holder whose code this session has just verified; nothing else."""
    if pk not in request.session.get(PHOTOS_KEY, []):
        raise Http404
    material = Material.objects.filter(pk=pk, removed_at__isnull=True).first()
    if material is None or not material.file:
        raise Http404
    try:
        handle = material.file.open("rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=material.content_type or "image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    audit_record(
        actor=request.user,
        action="material.view",
        target=material,
        detail={"kind": material.kind, "for": "ecard.verify"},
    )
    return response
