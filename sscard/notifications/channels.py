"""The three channels behind one small interface: who a person is reached at on the channel
(``addresses``) and how one message goes out (``send``)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from sscard.accounts.models import Person
from sscard.core.masking import mask_phone
from sscard.notifications.backends import Backend, Outgoing
from sscard.notifications.constants import Channel
from sscard.notifications.models import Message
from sscard.wechat.models import WeChatBinding


def wechat_openid_for(person: Person) -> str:
    """The openid bound to the person's own account (账号密码绑定 inside WeChat,
    :mod:`sscard.wechat`); "" when none is bound, and the WeChat channel skips the person."""
    binding = WeChatBinding.objects.filter(user__person=person, user__is_active=True).first()
    return binding.openid if binding is not None else ""


def _mask_openid(openid: str) -> str:
    return f"openid {openid[:4]}****" if openid else ""


class ChannelHandler:
    code: str
    setting: str = ""

    def addresses(self, person: Person) -> list[tuple[str, str]]:
        """(address, masked address) pairs the person is reached at on this channel."""
        raise NotImplementedError

    def backend(self) -> Backend:
        return import_string(getattr(settings, self.setting))()

    def send(self, message: Message) -> str:
        created = timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M")
        return self.backend().send(
            Outgoing(
                key=str(message.key),
                channel=message.channel,
                address=message.address,
                address_masked=message.address_masked,
                title=message.title,
                body=message.body,
                link=message.link,
                template_id=message.wechat_template_id,
                created_at=created,
            )
        )


class SmsChannel(ChannelHandler):
    code = Channel.SMS
    setting = "SSCARD_SMS_BACKEND"

    def addresses(self, person: Person) -> list[tuple[str, str]]:
        return [(person.phone, mask_phone(person.phone))] if person.phone else []


class WechatChannel(ChannelHandler):
    code = Channel.WECHAT
    setting = "SSCARD_WECHAT_BACKEND"

    def addresses(self, person: Person) -> list[tuple[str, str]]:
        openid = wechat_openid_for(person)
        return [(openid, _mask_openid(openid))] if openid else []


class InboxChannel(ChannelHandler):
    """The 消息中心: storing the row is the delivery."""

    code = Channel.INBOX

    def addresses(self, person: Person) -> list[tuple[str, str]]:
        return []

    def send(self, message: Message) -> str:
        return ""


CHANNELS: dict[str, ChannelHandler] = {
    Channel.SMS: SmsChannel(),
    Channel.WECHAT: WechatChannel(),
    Channel.INBOX: InboxChannel(),
}
