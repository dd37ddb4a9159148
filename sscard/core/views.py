"""Site-wide views that belong to no side: ``/favicon.ico`` and the signing keys' JWKS
(``/.well-known/jwks.json``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from sscard.core import signing

FAVICON = "portal/icon.svg"
FAVICON_MAX_AGE = 60 * 60 * 24 * 365
JWKS_MAX_AGE = 60 * 60
JWKS_PATH = ".well-known/jwks.json"


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for ``/favicon.ico`` whatever the page links: send them to the portal's
    icon, and let them keep the answer for a year."""
    response = HttpResponsePermanentRedirect(static(FAVICON))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE, immutable=True)
    return response


@require_safe
def jwks(request: HttpRequest) -> JsonResponse:
    """The public keys that verify the service's signatures (the 电子社保卡's QR code, the
    receipts' verification codes), as a JSON Web Key Set: verifiers fetch it now and then and
    check tokens offline. Cached for an hour, so a new key is listed a while before it signs."""
    response = JsonResponse(signing.jwks())
    patch_cache_control(response, public=True, max_age=JWKS_MAX_AGE)
    return response
