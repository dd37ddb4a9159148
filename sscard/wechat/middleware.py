"""Know the visitor inside WeChat: a page opened in WeChat's browser by a visitor who is not
logged in goes once, silently, through WeChat web authorization; a bound identity comes back
logged in. Once per session, so a refusal or a logout does not loop."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from sscard.wechat import client
from sscard.wechat.views import TRIED_KEY

# only the portal's pages: not its machinery, the back office, the APIs or the simulators
SKIP_PREFIXES = (
    "/wechat",
    "/static/",
    "/media/",
    "/admin/",
    "/staff/",
    "/partner/",
    "/idp-sim/",
    "/login/",
    "/captcha/",
    "/files/",
    "/favicon.ico",
)


def in_wechat(request: HttpRequest) -> bool:
    return "MicroMessenger" in request.headers.get("User-Agent", "")


class WeChatLoginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "GET"
            and not request.user.is_authenticated
            and in_wechat(request)
            and client.enabled()
            and not request.path.startswith(SKIP_PREFIXES)
            and not request.headers.get("HX-Request")
            and not request.session.get(TRIED_KEY)
        ):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('wechat:start')}?{query}")
        return self.get_response(request)
