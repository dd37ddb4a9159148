"""Binding a WeChat identity to a portal account, undoing it, and logging in from WeChat."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.models import User
from sscard.accounts.trust import Action, Requester, ensure_trust
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.notifications.constants import Event
from sscard.notifications.services import notify_account_event
from sscard.wechat.models import WeChatBinding, openid_hash

PUBLIC_ROLES = (User.Role.CITIZEN, User.Role.EMPLOYER)
TAKEN = "该微信已绑定其他账号，请先用原账号在“个人中心”解除绑定"


def binding_of(openid: str) -> WeChatBinding | None:
    return (
        WeChatBinding.objects.select_related("user")
        .filter(openid_hash=openid_hash(openid), user__is_active=True)
        .first()
    )


@transaction.atomic
def wechat_bind(
    *, requester: Requester, openid: str, nickname: str = "", avatar_url: str = ""
) -> WeChatBinding:
    """One WeChat identity binds one account, and one account one WeChat identity. A bound
    WeChat signs in without the password, so a citizen binds only as surely signed in as the
    region asks for ``Action.WECHAT_BIND`` (L3+ by default: the password and a code to the
    phone on file, or face): else ``StepUpRequired`` and nothing is bound. An employer's
    account has no phone on file to send a code to: its password binds it, as before."""
    user = requester.user
    if user.role not in PUBLIC_ROLES:
        raise DomainError("工作人员账号不能绑定微信", code="staff")
    existing = (
        WeChatBinding.objects.select_for_update().filter(openid_hash=openid_hash(openid)).first()
    )
    if existing is not None:
        if existing.user_id == user.pk:
            return existing
        raise DomainError(TAKEN, code="taken")
    if WeChatBinding.objects.filter(user=user).exists():
        raise DomainError("该账号已绑定其他微信，请先在“个人中心”解除绑定", code="bound")
    if user.role == User.Role.CITIZEN:
        ensure_trust(Action.WECHAT_BIND, requester)
    try:
        with transaction.atomic():
            binding = WeChatBinding.objects.create(
                user=user, openid=openid, nickname=nickname, avatar_url=avatar_url
            )
    except IntegrityError as exc:  # the same identity bound at the same instant elsewhere
        raise DomainError(
            "该微信已绑定其他账号，请先用原账号在“个人中心”解除绑定", code="taken"
        ) from exc
    audit_record(
        actor=user, action="wechat.bound", target=user, detail={"trust": requester.trust.label}
    )
    if user.person is not None:  # an employer's login has no person to tell
        notify_account_event(Event.WECHAT_BOUND, user=user, person=user.person)
    return binding


@transaction.atomic
def wechat_unbind(*, user: User) -> bool:
    deleted, _ = WeChatBinding.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="wechat.unbound", target=user)
    return bool(deleted)


def wechat_logged_in(binding: WeChatBinding) -> None:
    WeChatBinding.objects.filter(pk=binding.pk).update(last_login_at=timezone.now())
    audit_record(actor=binding.user, action="login.wechat", target=binding.user)
