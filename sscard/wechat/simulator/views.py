"""A stand-in for WeChat's web-authorization server, for the demo and the tests (on only with
``SSCARD_WECHAT_SIMULATOR``). It serves WeChat's endpoints with WeChat's JSON shapes and error
codes, so the client is exercised over real HTTP exactly as against WeChat:

- ``/connect/oauth2/authorize`` — ``snsapi_base`` redirects at once with a code;
  ``snsapi_userinfo`` first asks the visitor (允许 / 拒绝) unless they already allowed it.
- ``/sns/oauth2/access_token``, ``/sns/oauth2/refresh_token``, ``/sns/userinfo``, ``/sns/auth``.

"The WeChat user" is this browser: a signed cookie holds a random id, from which the openid
is derived per AppID, as WeChat's are. Codes live 5 minutes and work once; access tokens 2
hours; refresh tokens 30 days (kept in the cache: the simulator runs in one process)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from sscard.wechat import client

COOKIE = "wxsim_user"
CODE_SECONDS = 300
TOKEN_SECONDS = 7200
REFRESH_SECONDS = 30 * 86400
NICKNAMES = ("榕江晨光", "揭阳阿明", "潮汕小林", "山海之间", "晴川", "木棉花开", "小陈同学", "老街")


def _appid() -> str:
    return settings.SSCARD_WECHAT_APPID or client.SIMULATED_APPID


def _secret() -> str:
    return settings.SSCARD_WECHAT_SECRET or client.SIMULATED_SECRET


def _error(errcode: int, errmsg: str) -> JsonResponse:
    return JsonResponse({"errcode": errcode, "errmsg": errmsg})


def _visitor(request: HttpRequest) -> dict[str, Any]:
    try:
        value = signing.loads(request.COOKIES.get(COOKIE, ""), salt="wxsim")
    except signing.BadSignature:
        value = None
    if not isinstance(value, dict) or "uid" not in value:
        value = {"uid": secrets.token_hex(8), "allowed": []}
    return value


def _with_visitor(response: HttpResponse, visitor: dict[str, Any]) -> HttpResponse:
    response.set_cookie(
        COOKIE,
        signing.dumps(visitor, salt="wxsim"),
        max_age=365 * 86400,
        httponly=True,
        samesite="Lax",
        path=client.SIMULATOR_PATH,
    )
    return response


def openid_of(uid: str, appid: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{appid}:{uid}".encode(), hashlib.sha256)
    return "o" + digest.hexdigest()[:27]


def _nickname(uid: str) -> str:
    return NICKNAMES[int(uid[:4], 16) % len(NICKNAMES)]


def _redirect(redirect_uri: str, **params: str) -> HttpResponseRedirect:
    joiner = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(f"{redirect_uri}{joiner}{urlencode(params)}")


def _issue_code(visitor: dict[str, Any], appid: str, scope: str) -> str:
    code = secrets.token_urlsafe(24)
    cache.set(
        f"wxsim:code:{code}",
        {"uid": visitor["uid"], "appid": appid, "scope": scope, "at": time.time()},
        CODE_SECONDS * 2,
    )
    return code


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    params = request.GET if request.method == "GET" else request.POST
    appid = params.get("appid", "")
    redirect_uri = params.get("redirect_uri", "")
    scope = params.get("scope", "")
    state = params.get("state", "")
    visitor = _visitor(request)
    problem = ""
    if appid != _appid():
        problem = "appid错误，请检查公众号配置（errcode 10003）"
    elif params.get("response_type") != "code" or scope not in (
        client.SCOPE_BASE,
        client.SCOPE_USERINFO,
    ):
        problem = "参数错误（errcode 10004）"
    elif urlsplit(redirect_uri).netloc != request.get_host():
        problem = "redirect_uri域名与后台配置不一致（errcode 10003）"
    if problem:
        return render(request, "wechat/simulator/error.html", {"problem": problem}, status=400)

    if scope == client.SCOPE_USERINFO and appid not in visitor["allowed"]:
        if request.method == "POST":
            if params.get("decision") != "allow":
                # 拒绝: WeChat returns to the page without a code
                return _with_visitor(_redirect(redirect_uri, state=state), visitor)
            visitor["allowed"] = [*visitor["allowed"], appid]
        else:
            return _with_visitor(
                render(
                    request,
                    "wechat/simulator/authorize.html",
                    {
                        "params": {
                            "appid": appid,
                            "redirect_uri": redirect_uri,
                            "response_type": "code",
                            "scope": scope,
                            "state": state,
                        },
                        "nickname": _nickname(visitor["uid"]),
                    },
                ),
                visitor,
            )
    code = _issue_code(visitor, appid, scope)
    return _with_visitor(_redirect(redirect_uri, code=code, state=state), visitor)


def _tokens_for(uid: str, appid: str, scope: str) -> dict[str, Any]:
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    grant = {"uid": uid, "appid": appid, "scope": scope}
    cache.set(f"wxsim:at:{access}", {**grant, "at": time.time()}, TOKEN_SECONDS)
    cache.set(f"wxsim:rt:{refresh}", {**grant, "at": time.time()}, REFRESH_SECONDS)
    return {
        "access_token": access,
        "expires_in": TOKEN_SECONDS,
        "refresh_token": refresh,
        "openid": openid_of(uid, appid),
        "scope": scope,
        "is_snapshotuser": 0,
    }


@require_GET
def access_token(request: HttpRequest) -> JsonResponse:
    if request.GET.get("appid") != _appid():
        return _error(40013, "invalid appid")
    if not hmac.compare_digest(request.GET.get("secret", ""), _secret()):
        return _error(40125, "invalid appsecret")
    if request.GET.get("grant_type") != "authorization_code":
        return _error(40002, "invalid grant_type")
    key = f"wxsim:code:{request.GET.get('code', '')}"
    grant = cache.get(key)
    if grant is None or grant["appid"] != _appid():
        return _error(40029, "invalid code")
    if grant.get("used"):
        return _error(40163, "code been used")
    if time.time() - grant["at"] > CODE_SECONDS:
        return _error(40029, "invalid code, code expired")
    cache.set(key, {**grant, "used": True}, CODE_SECONDS * 2)
    return JsonResponse(_tokens_for(grant["uid"], grant["appid"], grant["scope"]))


@require_GET
def refresh_token(request: HttpRequest) -> JsonResponse:
    if request.GET.get("appid") != _appid():
        return _error(40013, "invalid appid")
    grant = cache.get(f"wxsim:rt:{request.GET.get('refresh_token', '')}")
    if grant is None:
        return _error(40030, "invalid refresh_token")
    if time.time() - grant["at"] > REFRESH_SECONDS:
        return _error(42002, "refresh_token expired")
    body = _tokens_for(grant["uid"], grant["appid"], grant["scope"])
    return JsonResponse(body)


def _access(request: HttpRequest) -> tuple[dict[str, Any] | None, JsonResponse | None]:
    grant = cache.get(f"wxsim:at:{request.GET.get('access_token', '')}")
    if grant is None:
        return None, _error(40001, "invalid credential, access_token is invalid or not latest")
    if time.time() - grant["at"] > TOKEN_SECONDS:
        return None, _error(42001, "access_token expired")
    if request.GET.get("openid") != openid_of(grant["uid"], grant["appid"]):
        return None, _error(40003, "invalid openid")
    return grant, None


@require_GET
def userinfo(request: HttpRequest) -> JsonResponse:
    grant, error = _access(request)
    if error is not None:
        return error
    assert grant is not None  # noqa: S101
    if grant["scope"] != client.SCOPE_USERINFO:
        return _error(48001, "api unauthorized")
    uid = grant["uid"]
    return JsonResponse(
        {
            "openid": openid_of(uid, grant["appid"]),
            "nickname": _nickname(uid),
            "sex": 0,
            "province": "广东",
            "city": "揭阳",
            "country": "中国",
            "headimgurl": "",
            "privilege": [],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def auth(request: HttpRequest) -> JsonResponse:
    _grant, error = _access(request)
    return error or _error(0, "ok")
