"""Serving an employer's 营业执照 scan: to the employer itself and to reviewers only (the views
check who asks). Pictures and PDFs are shown inline in the page that embeds them; the response
forbids sniffing, caching and running anything."""

from __future__ import annotations

from django.http import FileResponse, Http404

from sscard.accounts.models import Employer
from sscard.employers.review import licence_open
from sscard.photos.uploads import EXTENSIONS

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


def licence_response(employer: Employer) -> FileResponse:
    try:
        handle = licence_open(employer)
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    content_type = employer.license_content_type or "application/octet-stream"
    extension = EXTENSIONS.get(content_type, "bin")
    response = FileResponse(
        handle,
        as_attachment=content_type not in INLINE_TYPES,
        filename=f"licence-{employer.pk}.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if content_type != "application/pdf":
        # a PDF viewer does not run inside a sandbox; the PDF was rewritten without scripts
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; object-src 'self'"
    return response
