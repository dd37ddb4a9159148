"""The three channels behind one small interface: who a person is reached at on the channel
(``addresses``) and how one message goes out (``send``)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from sscard.accounts.models import Person
from sscard.core.masking import mask_phone
from sscard.notifications.backends import Backend, Outgoing
from sscard.notifications.constants import Channel
from sscard.notifications.models import Message

# How a person is found on a channel the outbox does not own: the app that keeps the address
# registers its finder when it starts (the WeChat binding: sscard.wechat), so the outbox
# imports no interface. A finder answers "" for a person it does not reach.
ADDRESS_FINDERS: dict[str, Callable[[Person], str]] = {}


def register_address_finder(channel: str, finder: Callable[[Person], str]) -> None:
    ADDRESS_FINDERS[channel] = finder


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
        finder = ADDRESS_FINDERS.get(self.code)
        openid = finder(person) if finder is not None else ""
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
