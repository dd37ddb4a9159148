"""WeChat web authorization (网页授权), spoken as WeChat speaks it: the authorize redirect with
``appid``, ``redirect_uri``, ``response_type=code``, ``scope`` and ``state``; the code exchanged
for ``access_token`` + ``openid``; ``refresh_token``; ``userinfo``. Every call has a timeout and
every WeChat error code becomes a plain Chinese message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.http import HttpRequest

from sscard.core.errors import DomainError
from sscard.core.http import http_client

SCOPE_BASE = "snsapi_base"
SCOPE_USERINFO = "snsapi_userinfo"
WECHAT_AUTHORIZE_URL = "https://open.weixin.qq.com/connect/oauth2/authorize"
SIMULATOR_PATH = "/wechat-sim"

# WeChat's error codes, as the visitor should read them
ERRORS: dict[int, str] = {
    40029: "微信授权码无效，请重新进入",
    40163: "微信授权码已被使用，请重新进入",
    42003: "微信授权码已过期，请重新进入",
    40013: "公众号配置有误（AppID无效），请联系管理员",
    40125: "公众号配置有误（AppSecret无效），请联系管理员",
    40001: "微信接口凭证无效，请重新进入",
    42001: "微信授权已过期，请重新进入",
    40030: "微信授权已失效，请重新进入",
    42002: "微信授权已过期，请重新进入",
    40003: "微信用户标识无效，请重新进入",
    48001: "未获得微信授权，请重新进入",
    -1: "微信系统繁忙，请稍后再试",
}


class WeChatError(DomainError):
    """WeChat answered with an error code, or did not answer."""

    def __init__(self, message: str, *, errcode: int | None = None) -> None:
        super().__init__(message, code="wechat")
        self.errcode = errcode


@dataclass(frozen=True)
class Token:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    openid: str = field(repr=False)
    scope: str
    expires_in: int


@dataclass(frozen=True)
class UserInfo:
    openid: str = field(repr=False)
    nickname: str
    headimgurl: str


@dataclass(frozen=True)
class Config:
    appid: str
    secret: str = field(repr=False)
    authorize_url: str
    api_base: str
    timeout: float


def config(request: HttpRequest | None = None) -> Config:
    """The official account's settings. With the simulator on, WeChat is this site's own
    ``/wechat-sim/`` (the back channel reaches it at the address the visitor used)."""
    if settings.SSCARD_WECHAT_SIMULATOR:
        base = request.build_absolute_uri(SIMULATOR_PATH) if request else settings.SSCARD_PUBLIC_URL
        return Config(
            appid=settings.SSCARD_WECHAT_APPID or SIMULATED_APPID,
            secret=settings.SSCARD_WECHAT_SECRET or SIMULATED_SECRET,
            authorize_url=f"{SIMULATOR_PATH}/connect/oauth2/authorize",
            api_base=base.rstrip("/"),
            timeout=settings.SSCARD_WECHAT_TIMEOUT,
        )
    return Config(
        appid=settings.SSCARD_WECHAT_APPID,
        secret=settings.SSCARD_WECHAT_SECRET,
        authorize_url=settings.SSCARD_WECHAT_AUTHORIZE_URL,
        api_base=settings.SSCARD_WECHAT_API_BASE.rstrip("/"),
        timeout=settings.SSCARD_WECHAT_TIMEOUT,
    )


SIMULATED_APPID = "wx5a1e2f0d3c4b6a70"
SIMULATED_SECRET = "simulated-wechat-app-secret-0123456789"  # noqa: S105 — the simulator's own


def enabled() -> bool:
    return bool(settings.SSCARD_WECHAT_SIMULATOR or settings.SSCARD_WECHAT_APPID)


def authorize_url(cfg: Config, *, redirect_uri: str, scope: str, state: str) -> str:
    query = urlencode(
        {
            "appid": cfg.appid,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": scope,
            "state": state,
        }
    )
    return f"{cfg.authorize_url}?{query}#wechat_redirect"


def _get(cfg: Config, path: str, params: dict[str, str]) -> dict[str, Any]:
    try:
        with http_client(cfg.timeout) as client:
            response = client.get(f"{cfg.api_base}{path}", params=params)
    except httpx.TimeoutException as exc:
        raise WeChatError("微信服务响应超时，请稍后再试") from exc
    except httpx.HTTPError as exc:
        raise WeChatError("暂时无法连接微信服务，请稍后再试") from exc
    try:
        body = response.json()
    except ValueError as exc:
        raise WeChatError("微信服务返回了无法识别的内容，请稍后再试") from exc
    if not isinstance(body, dict):
        raise WeChatError("微信服务返回了无法识别的内容，请稍后再试")
    errcode = int(body.get("errcode") or 0)
    if errcode:
        message = ERRORS.get(errcode, f"微信授权失败（错误码{errcode}），请重新进入")
        raise WeChatError(message, errcode=errcode)
    return body


def _token(body: dict[str, Any]) -> Token:
    try:
        return Token(
            access_token=str(body["access_token"]),
            refresh_token=str(body.get("refresh_token", "")),
            openid=str(body["openid"]),
            scope=str(body.get("scope", "")),
            expires_in=int(body.get("expires_in", 0)),
        )
    except (KeyError, ValueError) as exc:
        raise WeChatError("微信服务返回了无法识别的内容，请稍后再试") from exc


def exchange_code(cfg: Config, code: str) -> Token:
    return _token(
        _get(
            cfg,
            "/sns/oauth2/access_token",
            {
                "appid": cfg.appid,
                "secret": cfg.secret,
                "code": code,
                "grant_type": "authorization_code",
            },
        )
    )


def refresh(cfg: Config, refresh_token: str) -> Token:
    return _token(
        _get(
            cfg,
            "/sns/oauth2/refresh_token",
            {"appid": cfg.appid, "grant_type": "refresh_token", "refresh_token": refresh_token},
        )
    )


def userinfo(cfg: Config, token: Token) -> UserInfo:
    body = _get(
        cfg,
        "/sns/userinfo",
        {"access_token": token.access_token, "openid": token.openid, "lang": "zh_CN"},
    )
    if str(body.get("openid", "")) != token.openid:
        raise WeChatError("微信返回的用户信息与授权不一致，请重新进入")
    return UserInfo(
        openid=token.openid,
        nickname=str(body.get("nickname", ""))[:64],
        headimgurl=str(body.get("headimgurl", ""))[:500],
    )
