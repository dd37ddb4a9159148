"""``/files/<id>/``: a stored material, served to citizens (after the portal's step-up when
their login is not sure enough) and to staff (the back office shows photos and links documents
here). Who may see which file is decided by ``applications.selectors.material_for_viewer``;
everyone else gets 404 (never 403: whether a file exists is not told). Photos are shown inline
(an <img> on the staff and portal pages), documents only as downloads; the response forbids
sniffing, caching and running anything."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from sscard.accounts.staff import is_staff_member, is_verified
from sscard.accounts.trust import StepUpRequired
from sscard.applications.constants import MaterialKind
from sscard.applications.models import MATERIAL_EXTENSIONS
from sscard.applications.selectors import material_for_viewer
from sscard.audit.services import audit_record
from sscard.web.auth import session_trust
from sscard.web.stepup import step_up_page

INLINE_TYPES = frozenset({"image/jpeg", "image/png"})


@require_GET
def material_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        material = material_for_viewer(
            request.user,
            pk,
            trust=session_trust(request),
            second_factor=is_verified(request.user),
        )
    except StepUpRequired as exc:
        # a citizen's own file after a password login: a code to the phone on file (or face),
        # then back here and the file opens
        step_up = step_up_page(request, exc)
        add_never_cache_headers(step_up)
        return step_up
    if material is None or not material.file:
        raise Http404
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    inline = material.kind == MaterialKind.PHOTO and material.content_type in INLINE_TYPES
    name = f"{material.kind}-{material.pk}{MATERIAL_EXTENSIONS.get(material.content_type, '')}"
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=material.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if is_staff_member(request.user):
        # a staff member looking at someone's photo or documents is a reveal
        audit_record(
            actor=request.user,
            action="material.view",
            target=material,
            detail={"kind": material.kind},
        )
    return response
