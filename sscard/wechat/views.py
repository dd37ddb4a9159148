"""The portal side of WeChat web authorization: start (silent ``snsapi_base`` first), the
callback, 账号密码绑定 or 人脸识别登录 for an unbound identity, unbinding from 个人中心."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sscard.accounts.models import User
from sscard.accounts.requests import AuthedHttpRequest
from sscard.accounts.trust import Requester, StepUpRequired, TrustLevel
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.identity.services import face_login_url, safe_next
from sscard.web.auth import (
    WECHAT_TRIED_KEY,
    portal_login,
    portal_login_required,
    requester_of,
)
from sscard.web.forms import LoginForm
from sscard.web.stepup import step_up_page
from sscard.wechat import client
from sscard.wechat.services import binding_of, wechat_bind, wechat_logged_in, wechat_unbind

STATE_KEY = "wechat_state"
IDENTITY_KEY = "wechat_identity"  # the visitor's openid (and nickname) until bound
TRIED_KEY = WECHAT_TRIED_KEY
STATE_SECONDS = 600


def _home() -> str:
    return reverse("portal:home")


def start(request: HttpRequest) -> HttpResponse:
    """Off to WeChat's authorize page; silently (snsapi_base) unless asked for userinfo."""
    if not client.enabled():
        return _failed(request, "本服务未接入微信公众号授权，请使用账号密码或人脸识别登录")
    scope = client.SCOPE_USERINFO if request.GET.get("scope") == "userinfo" else client.SCOPE_BASE
    state = secrets.token_urlsafe(16)
    request.session[TRIED_KEY] = True
    request.session[STATE_KEY] = {
        "state": state,
        "scope": scope,
        "next": safe_next(request.GET.get("next"), default=_home()),
        "at": time.time(),
    }
    cfg = client.config(request)
    callback = request.build_absolute_uri(reverse("wechat:callback"))
    return redirect(client.authorize_url(cfg, redirect_uri=callback, scope=scope, state=state))


def _failed(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "wechat/failed.html", {"message": message}, status=status)


def callback(request: HttpRequest) -> HttpResponse:
    pending: dict[str, Any] | None = request.session.pop(STATE_KEY, None)
    state = request.GET.get("state", "")
    if (
        not pending
        or not state
        or not secrets.compare_digest(pending["state"], state)
        or time.time() - pending["at"] > STATE_SECONDS
    ):
        return _failed(request, "授权请求已失效或不是从本站发起的，请重新进入")
    code = request.GET.get("code", "")
    if not code:
        return render(request, "wechat/denied.html", {"next": pending["next"]}, status=403)
    cfg = client.config(request)
    try:
        token = client.exchange_code(cfg, code)
        info = client.userinfo(cfg, token) if token.scope == client.SCOPE_USERINFO else None
    except client.WeChatError as exc:
        return _failed(request, exc.message, status=502 if exc.errcode is None else 400)

    binding = binding_of(token.openid)
    if binding is not None:
        if request.user.is_authenticated and request.user.pk != binding.user_id:
            return _failed(request, "该微信已绑定其他账号，请先退出当前账号")
        if not request.user.is_authenticated:
            portal_login(request, binding.user)
            request.session[TRIED_KEY] = True
        wechat_logged_in(binding)
        return redirect(pending["next"])
    if info is None:
        # not bound yet: ask for 昵称头像 (“点击‘允许’获取昵称头像”), then offer binding
        query = urlencode({"scope": "userinfo", "next": pending["next"]})
        return redirect(f"{reverse('wechat:start')}?{query}")
    request.session[IDENTITY_KEY] = {
        "openid": token.openid,
        "nickname": info.nickname,
        "avatar": info.headimgurl,
        "next": pending["next"],
    }
    if request.user.is_authenticated:
        return redirect("wechat:complete")
    return redirect("wechat:bind")


def bind(request: HttpRequest) -> HttpResponse:
    """账号密码绑定 for an unbound WeChat identity, or 人脸识别登录 then bind. After the
    password a citizen is signed in (L3) and the binding waits for the code to the phone on
    file (:func:`complete` shows the step-up page)."""
    identity = request.session.get(IDENTITY_KEY)
    if not identity:
        return redirect(f"{reverse('wechat:start')}?scope=userinfo")
    form = LoginForm(request, request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        assert form.user is not None  # noqa: S101
        try:
            wechat_bind(
                requester=Requester(user=form.user, trust=TrustLevel.L3),
                openid=identity["openid"],
                nickname=identity["nickname"],
                avatar_url=identity["avatar"],
            )
        except StepUpRequired:
            portal_login(request, form.user)
            request.session[TRIED_KEY] = True
            audit_record(actor=form.user, action="login.password", target=form.user)
            return redirect("wechat:complete")
        except DomainError as exc:
            error = exc.message
        else:
            portal_login(request, form.user)
            request.session[TRIED_KEY] = True
            request.session.pop(IDENTITY_KEY, None)
            audit_record(actor=form.user, action="login.password", target=form.user)
            messages.success(request, "微信绑定成功，下次从“揭阳人社”公众号进入将自动登录")
            return redirect(identity.get("next") or _home())
    return render(
        request,
        "wechat/bind.html",
        {
            "form": form,
            "identity": identity,
            "error": error,
            "face_url": face_login_url(next_path=reverse("wechat:complete")),
        },
        status=400 if request.method == "POST" else 200,
    )


@portal_login_required
def complete(request: AuthedHttpRequest) -> HttpResponse:
    """After 人脸识别登录, a password and the code to the phone on file, or an earlier login in
    this session: bind the WeChat identity. A session not sure enough of the person is shown
    the step-up page, which comes back here."""
    identity = request.session.get(IDENTITY_KEY)
    if not identity:
        return redirect("portal:center")
    try:
        wechat_bind(
            requester=requester_of(request),
            openid=identity["openid"],
            nickname=identity["nickname"],
            avatar_url=identity["avatar"],
        )
    except StepUpRequired as exc:
        return step_up_page(request, exc)
    except DomainError as exc:
        return _failed(request, exc.message)
    request.session.pop(IDENTITY_KEY, None)
    messages.success(request, "微信绑定成功，下次从“揭阳人社”公众号进入将自动登录")
    return redirect(identity.get("next") or _home())


@portal_login_required
@require_POST
def unbind(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    if wechat_unbind(user=user):
        messages.success(request, "已解除微信绑定，下次从微信进入时需重新绑定")
    return redirect("portal:center")
