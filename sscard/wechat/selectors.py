"""What the WeChat binding tells the rest of the service."""

from __future__ import annotations

from sscard.accounts.models import Person
from sscard.wechat.models import WeChatBinding


def openid_for(person: Person) -> str:
    """The openid bound to the person's own account (账号密码绑定 inside WeChat); "" when none
    is bound, and the WeChat channel skips the person."""
    binding = WeChatBinding.objects.filter(user__person=person, user__is_active=True).first()
    return binding.openid if binding is not None else ""
