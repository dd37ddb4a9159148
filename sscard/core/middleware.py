"""Response headers every page gets, whichever view answers it.

* Only GET, HEAD and POST reach a view: TRACE, TRACK, CONNECT, PUT, DELETE and any other method
  answer 405 with ``Allow`` (no view of the service serves them; TRACE would echo the request,
  cookies included, back to a script). A view's empty 405 (``require_POST``) becomes the
  Chinese error page of the side it belongs to.
* Uploads (every POST carrying a file: photos, the photo check, document scans, employers'
  sheets) are limited per account and per address in a window (``SSCARD_UPLOAD_LIMIT_*``),
  before any view sees them: the next one answers 429 with the wait, in Chinese.
* A page for a signed-in person is never stored by a browser or a proxy: a response to an
  authenticated request that says nothing about caching gets ``Cache-Control: private,
  no-store``. A view that may be cached says so itself, with Django's ``@cache_control(...)``.
* The Content-Security-Policy (django-csp, ``CONTENT_SECURITY_POLICY``) is built into its
  header once per process, not for every response: it is the same for every response that
  neither changes it (django-csp's decorators) nor carries a nonce (none is used today; one
  would be built into that response's own header, as django-csp does).
* Every request gets a request id (``X-Request-ID``, the 500 page's 错误编号, the audit
  trail's) and leaves one log line: method, path, status, duration, account id, request id.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.template import loader
from django.utils.functional import empty
from django.utils.html import escape

from sscard.core.errorpages import REQUEST_ID_KEY, error_context, method_not_allowed
from sscard.core.net import client_ip
from sscard.core.ratelimit import Limit, limit_hit

ALLOWED_METHODS = ("GET", "HEAD", "POST")
NO_STORE = "private, no-store"

Handler = Callable[[HttpRequest], HttpResponse]

request_log = structlog.get_logger("sscard.requests")
# a path longer than this is cut in the log line (no page of ours has one near it)
LOGGED_PATH_LENGTH = 300


class RequestLogMiddleware:
    """Gives the request its id and logs it when it is answered, as one event ``http.request``:
    ``method``, ``path`` (never the query string; an ID or phone number typed into it masked
    by the log filter), ``status``, ``duration_ms``, ``user_id`` (the account's id, never a
    name) and ``request_id``. The id is bound to the logging context meanwhile, so every record
    the request writes carries it, and a task it enqueues takes it along
    (:mod:`sscard.core.tasks`). Outermost but for the metrics, so that it times and sees every
    answer, a 405 or a redirect to HTTPS included."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.META[REQUEST_ID_KEY] = request_id
        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            response = self.get_response(request)
            view = getattr(request.resolver_match, "func", None)
            request_log.log(
                logging.DEBUG if getattr(view, "quiet_log", False) else logging.INFO,
                "http.request",
                method=request.method,
                path=request.path[:LOGGED_PATH_LENGTH],
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                user_id=_user_id(request),
            )
        response["X-Request-ID"] = request_id
        return response


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in account's id if the request has loaded its user already (every signed-in
    page has, :class:`PrivateNoStoreMiddleware` asks); never a query of its own."""
    user = getattr(request, "user", None)  # the authentication middleware's lazy object
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class MethodsMiddleware:
    """405 for every method outside :data:`ALLOWED_METHODS`, before any view runs."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """A view's empty 405 (``require_POST`` and its kin: 退出 opened by its address) answered
    with the Chinese error page of its side. Listed after the security and CSP middleware, so
    that the page gets their headers on its way out."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            return method_not_allowed(request, response)
        return response


def _wait_text(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return (
        f"上传过于频繁，请{minutes}分钟后再试"
        if seconds > 60
        else f"上传过于频繁，请{seconds}秒后再试"
    )


class UploadRateLimitMiddleware:
    """At most ``SSCARD_UPLOAD_LIMIT_ACCOUNT`` uploads per signed-in account and
    ``SSCARD_UPLOAD_LIMIT_ADDRESS`` per client address in ``SSCARD_UPLOAD_LIMIT_WINDOW``
    seconds; an upload is a POST carrying a file. Counted in the shared cache."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        """After the CSRF check (a forged cross-site upload spends nobody's allowance), which
        has parsed the body already. A view exempt from the check reads its body itself (a
        machine endpoint, or a view that first replaces the upload handlers): not touched."""
        if getattr(view, "csrf_exempt", False):
            return None
        if (
            request.method == "POST"
            and request.content_type == "multipart/form-data"
            and request.FILES  # a file in it (a form posted as multipart without one is not)
        ):
            wait = self._wait(request)
            if wait:
                return self._refused(request, wait)
        return None

    def _wait(self, request: HttpRequest) -> int:
        window = settings.SSCARD_UPLOAD_LIMIT_WINDOW
        per_address = Limit(settings.SSCARD_UPLOAD_LIMIT_ADDRESS, window)
        per_account = Limit(settings.SSCARD_UPLOAD_LIMIT_ACCOUNT, window)
        waits = [limit_hit("upload-address", client_ip(request) or "unknown", per_address)]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            waits.append(limit_hit("upload-account", str(user.pk), per_account))
        return max(waits)

    def _refused(self, request: HttpRequest, wait: int) -> HttpResponse:
        message = _wait_text(wait)
        if request.headers.get("HX-Request"):
            # the fragment takes the place of what the request would have shown (the photo's
            # verdict), inside its target
            body = f'<p class="field-error" role="alert">{escape(message)}</p>'
            response = HttpResponse(body, status=429)
            response["HX-Reswap"] = "innerHTML"
        else:
            body = loader.render_to_string(
                "429.html", {**error_context(request), "message": message}
            )
            response = HttpResponse(body, status=429)
        response["Retry-After"] = str(wait)
        response["Cache-Control"] = NO_STORE
        return response


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on a signed-in person's responses, unless the view
    set its own Cache-Control (Django's ``@cache_control(...)``)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = NO_STORE
        return response


# what django-csp reads off a response a view changed the policy of (its decorators)
_PER_VIEW = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_SETTINGS = {
    HEADER: ("CONTENT_SECURITY_POLICY", "_csp_exempt", False),
    HEADER_REPORT_ONLY: ("CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
}


@functools.cache
def _settings_policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, value, the response attribute that exempts it, path prefixes left without it)
    for each policy the settings set, as django-csp builds them with nothing changed."""
    built = []
    for header, (name, exempt, report_only) in _SETTINGS.items():
        value = build_policy(report_only=report_only)
        if value:
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            built.append((header, value, exempt, tuple(prefixes)))
    return tuple(built)


def _settings_changed(*, setting: str, **_: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policies.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="sscard.core.middleware.csp")


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware with the settings' policy built once per process. A response
    whose view changed the policy, or that used the nonce, is left to django-csp, which builds
    its own header (the nonce is per response)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_VIEW
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:  # Django's debug pages
            return response
        for header, value, exempt, prefixes in _settings_policies():
            if (
                header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = value
        # as django-csp does: a nonce asked for after the header is written is an error
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
