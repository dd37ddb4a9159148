"""Site-wide views that belong to no side: ``/favicon.ico``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

FAVICON = "portal/icon.svg"
FAVICON_MAX_AGE = 60 * 60 * 24 * 365


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for ``/favicon.ico`` whatever the page links: send them to the portal's
    icon, and let them keep the answer for a year."""
    response = HttpResponsePermanentRedirect(static(FAVICON))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE, immutable=True)
    return response
