"""Serving an employer's 营业执照 scan: to the employer itself and to reviewers only (the views
check who asks). Pictures and PDFs are shown inline in the page that embeds them; the response
forbids sniffing, caching and running anything."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from sscard.accounts.models import Employer
from sscard.employers.review import licence_open
from sscard.photos.uploads import EXTENSIONS

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


def licence_response(employer: Employer) -> HttpResponse:
    """The scan (at most 10 MB, read whole) with headers that keep it inert and uncached."""
    try:
        with licence_open(employer) as handle:
            content = handle.read()
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    content_type = employer.license_content_type or "application/octet-stream"
    extension = EXTENSIONS.get(content_type, "bin")
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="licence-{employer.pk}.{extension}"'

    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if content_type != "application/pdf":
        # a PDF viewer does not run inside a sandbox; the PDF was rewritten without scripts
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    else:
        response["Content-Security-Policy"] = "default-src 'none'; object-src 'self'"
    return response
