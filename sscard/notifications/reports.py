"""The “不是本人操作？” link of a security notice: a signed token naming the person and the
notification (no personal data in the address), valid for 30 days. What the report does to
cards and accounts is :func:`sscard.cards.services.card_report_not_me`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from sscard.core.errors import DomainError
from sscard.notifications.models import Notification

REPORT_SALT = "sscard.notifications.report-not-me"
REPORT_MAX_AGE = timedelta(days=30)

INVALID = "该链接无效或不完整，请从通知短信或“消息中心”中的链接重新打开，或致电12333。"
EXPIRED = "该链接已超过30天有效期。如有非本人操作，请致电12333或到社保卡服务网点办理挂失。"


class ReportLinkExpired(DomainError):
    """A genuine link past its 30 days (any other bad link is ``invalid``)."""

    def __init__(self) -> None:
        super().__init__(EXPIRED, code="expired")


def report_token(notification: Notification) -> str:
    return signing.dumps([notification.person_id, notification.pk], salt=REPORT_SALT)


def report_link(notification: Notification) -> str:
    path = reverse("portal:report", args=[report_token(notification)])
    return settings.SSCARD_PUBLIC_URL.rstrip("/") + path


def report_token_read(token: str) -> Notification:
    """The notification a token names, with its person; a tampered, malformed or expired
    token, or one naming nothing, is refused in Chinese (``code`` ``expired`` or
    ``invalid``)."""
    try:
        payload = signing.loads(token, salt=REPORT_SALT, max_age=REPORT_MAX_AGE)
    except signing.SignatureExpired:
        raise ReportLinkExpired from None
    except signing.BadSignature:
        raise DomainError(INVALID, code="invalid") from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(v, int) for v in payload)
    ):
        raise DomainError(INVALID, code="invalid")
    person_id, notification_id = payload
    notification = (
        Notification.objects.select_related("person")
        .filter(pk=notification_id, person_id=person_id)
        .first()
    )
    if notification is None:
        raise DomainError(INVALID, code="invalid")
    return notification
