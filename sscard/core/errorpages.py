"""The pages a visitor sees when a request goes wrong: 400, 403, 404, 405 (a link to what only
a form may send), 500 and a refused CSRF check. They speak Chinese, in the look of the side the
address belongs to (the citizen's H5 portal, the employers' pages on the portal, or the staff
back office at /staff/ and /admin/), and echo nothing of the request: the path may hold an ID
number.

Every page is rendered without the request's context (no session, no user, no context
processor, no database), so the 500 page still shows when those are what failed; the
security middleware still adds its headers on the way out. Of the request they read the
visitor's 长辈模式 (a cookie) and give its switch a CSRF token (a cookie too)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader

from sscard.core.elder import elder_mode

logger = logging.getLogger(__name__)

STAFF_PREFIXES = ("staff/", "admin/")
# partner systems read JSON, in the partner API's error shape (sscard.partners.api)
API_PREFIXES = ("partner/api/",)
API_ERRORS = {
    400: ("bad_request", "请求不正确"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "接口不存在"),
    500: ("server_error", "系统繁忙，请稍后再试"),
}
EMPLOYER_PREFIXES = ("employer/",)
# where the request id of the audit trail (``X-Request-ID``) waits for the 500 page
REQUEST_ID_KEY = "SSCARD_REQUEST_ID"
# Shown when even the 500 template cannot be rendered.
PLAIN_SERVER_ERROR = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>系统繁忙</title>'
    "<h1>系统繁忙</h1><p>系统暂时无法处理您的请求，请稍后再试。</p></html>"
)


def error_side(request: HttpRequest) -> str:
    """``staff``, ``employer`` or ``portal``: whose look an error page takes."""
    path = request.path_info.lstrip("/")
    if path.startswith(STAFF_PREFIXES):
        return "staff"
    if path.startswith(EMPLOYER_PREFIXES):
        return "employer"
    return "portal"


def error_context(request: HttpRequest) -> dict[str, object]:
    """What an error page's frame takes from the request: whose look, and on the portal's side
    the visitor's 长辈模式 with a CSRF token for the top bar's switch of it."""
    side = error_side(request)
    if side == "staff":
        return {"side": side}
    return {"side": side, "elder_mode": elder_mode(request), "csrf_token": get_token(request)}


def is_api(request: HttpRequest) -> bool:
    return request.path_info.lstrip("/").startswith(API_PREFIXES)


def _page(request: HttpRequest, template: str, status: int, **context: str) -> HttpResponse:
    if is_api(request):
        code, message = API_ERRORS.get(status, API_ERRORS[400])
        return JsonResponse(
            {"code": code, "message": message, "errors": {}},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    body = loader.render_to_string(template, {**error_context(request), **context})
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "404.html", 404)


def method_not_allowed(request: HttpRequest, refusal: HttpResponse) -> HttpResponse:
    """The page for a view's 405 answered with an empty body (Django's ``require_POST`` and
    its kin, by :class:`~sscard.core.middleware.MethodNotAllowedPageMiddleware`): an address
    opened that only a form's button sends, such as 退出. ``Allow`` stays as the view gave it."""
    response = _page(request, "405.html", 405)
    response["Allow"] = refusal["Allow"]
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The page names the request id (错误编号), and so does one log line after Django's
    report of the error: what a visitor quotes leads to the traceback, which they never see."""
    request_id = str(request.META.get(REQUEST_ID_KEY, ""))
    logger.error("server_error request=%s", request_id or "-")
    try:
        return _page(request, "500.html", 500, request_id=request_id)
    except Exception:  # the page of last resort must answer whatever broke
        logger.exception("error_page.render_failed")
        return HttpResponse(PLAIN_SERVER_ERROR, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid token (a page left open too long, cookies
    cleared, a forged cross-site post). Django logs the reason; the visitor is told what to do."""
    return _page(request, "403_csrf.html", 403)
