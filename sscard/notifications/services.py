"""Writes of the notifications app.

* :func:`notify` — the one call the other services make, inside their own transaction: the
  outbox rows are written with the change, or not at all when it rolls back. It takes plain
  values: each app words its own objects (``applications.notices``, ``cards.notices``,
  ``production.notices``) and runs its own reminders. Delivering the rows is
  :mod:`sscard.notifications.delivery`'s.
* :func:`notify_account_event`, :func:`notify_employer` — the security notices about an
  account, and an employer's registration decision.
* the 消息中心's read marks, the holder's channel preferences.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sscard.accounts.models import Employer, Guardianship, Person, User
from sscard.audit.services import audit_record
from sscard.core.masking import mask_account, mask_phone
from sscard.notifications.channels import CHANNELS
from sscard.notifications.constants import (
    ACCOUNT_EVENTS,
    ALWAYS_BY_SMS,
    PLACEHOLDERS,
    REPORT_SENTENCE,
    SECURITY_EVENTS,
    Channel,
    Event,
    MessageStatus,
)
from sscard.notifications.delivery import deliver_after_commit
from sscard.notifications.models import ChannelPreference, Message, Notification
from sscard.notifications.reports import report_link
from sscard.notifications.wording import (
    absolute_url,
    event_wording,
    local_time,
    placeholder_values,
    render,
)

logger = logging.getLogger("sscard.notifications")


# ---------------------------------------------------------------------------------------------
# notify: the outbox rows, written with the change


def _guardian_ids(person: Person) -> list[int]:
    return list(
        Guardianship.objects.filter(ward=person, active=True).values_list("guardian_id", flat=True)
    )


def _inbox_accounts(person: Person, applicant_id: int | None, guardians: list[int]) -> list[User]:
    """Who reads it in the 消息中心: the person's own account, the guardians acting for them,
    and the account that made the application (an employer's, for instance)."""
    # the guardians first, then one query the indexes answer (an OR across the guardianship
    # join read every account: 200 ms a message at 200,000 people)
    accounts = Q(person_id__in=[person.pk, *guardians])
    if applicant_id is not None:
        accounts |= Q(pk=applicant_id)
    return list(User.objects.filter(accounts, is_active=True).order_by("pk"))


def _addresses(
    person: Person,
    event: str,
    wechat_template_id: str,
    guardians: list[int],
    old_phone: str,
) -> list[tuple[str, str, str]]:
    """(channel, address, masked address) of every SMS and WeChat message: the person's phone
    and WeChat as their preferences allow (a security notice goes by SMS whatever they say),
    the old phone number of a 信息变更, and for a security notice each guardian's phone on file
    and WeChat. One message per address, however many of them share a phone."""
    pending: list[tuple[str, str, str]] = []
    always = event in ALWAYS_BY_SMS
    recipients = [person, *Person.objects.filter(pk__in=guardians).order_by("pk")]
    for index, recipient in enumerate(recipients):
        preference = preference_of(recipient)
        if preference.sms or always:
            pending += [(Channel.SMS, *pair) for pair in CHANNELS[Channel.SMS].addresses(recipient)]
        if index == 0 and old_phone and old_phone != person.phone:
            pending.append((Channel.SMS, old_phone, mask_phone(old_phone)))
        if preference.wechat and wechat_template_id:
            pending += [
                (Channel.WECHAT, *pair) for pair in CHANNELS[Channel.WECHAT].addresses(recipient)
            ]
    seen: set[tuple[str, str]] = set()
    unique = []
    for channel, address, masked in pending:
        if (channel, address) not in seen:
            seen.add((channel, address))
            unique.append((channel, address, masked))
    return unique


def preference_of(person: Person) -> ChannelPreference:
    return ChannelPreference.objects.filter(person=person).first() or ChannelPreference(
        person=person
    )


def notify(
    event: str,
    *,
    person: Person,
    values: Mapping[str, str] | None = None,
    applicant_id: int | None = None,
    old_phone: str = "",
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> Notification | None:
    """Tell ``person`` (and the accounts following them) that ``event`` happened: one
    消息中心 message per account, an SMS and a WeChat message as their preferences allow.
    Call it inside the transaction of the change. ``values`` are the placeholders' values,
    masked strings (see ``PLACEHOLDERS``); ``applicant_id`` is the account that made the
    application, which reads the message too; ``old_phone`` the number a 信息变更 replaced,
    which is told too. With a ``dedupe_key`` a second call for the same occasion writes
    nothing and returns None.
    ``now`` is when it happened (the caller's change), now by default."""
    now = now or timezone.now()
    wording = event_wording(event)
    if wording is None:
        return None
    title_text, body_text, wechat_template_id = wording
    if dedupe_key is None:
        notification = Notification.objects.create(event=event, person=person, created_at=now)
    else:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    event=event, person=person, dedupe_key=dedupe_key, created_at=now
                )
        except IntegrityError:  # the same occasion, told by a run in parallel
            if Notification.objects.filter(dedupe_key=dedupe_key).exists():
                return None
            raise
    values = placeholder_values(person, {"at": local_time(now), **(values or {})})
    security = event in SECURITY_EVENTS
    if security:
        values["report_link"] = report_link(notification)
    title, body = render(title_text, values), render(body_text, values)
    if security and values["report_link"] not in body:  # an edited template lost the link
        body += render(REPORT_SENTENCE, values)
    guardians = _guardian_ids(person)
    _post(
        notification,
        title=title,
        body=body,
        link=values.get("link", ""),
        now=now,
        inbox=_inbox_accounts(person, applicant_id, guardians),
        addresses=_addresses(
            person, event, wechat_template_id, guardians if security else [], old_phone
        ),
        wechat_template_id=wechat_template_id,
    )
    return notification


def _post(
    notification: Notification,
    *,
    title: str,
    body: str,
    link: str,
    now: datetime,
    inbox: list[User],
    addresses: list[tuple[str, str, str]],
    wechat_template_id: str = "",
) -> None:
    """Write the notification's messages: one 消息中心 message per account in ``inbox`` (read
    there at once) and one per (channel, address, masked address) to deliver, handed to the
    delivery once the transaction commits (:func:`deliver_after_commit`)."""
    common = {
        "notification": notification,
        "title": title[:60],
        "body": body,
        "link": link,
        "created_at": now,
        "updated_at": now,
    }
    messages = [
        Message(channel=Channel.INBOX, user=user, status=MessageStatus.SENT, sent_at=now, **common)
        for user in inbox
    ]
    messages += [
        Message(
            channel=channel,
            address=address,
            address_masked=masked,
            wechat_template_id=wechat_template_id if channel == Channel.WECHAT else "",
            next_attempt_at=now,
            **common,
        )
        for channel, address, masked in addresses
    ]
    created = Message.objects.bulk_create(messages)
    ids = [m.pk for m in created if m.status == MessageStatus.PENDING]
    if ids:
        deliver_after_commit(ids)
    logger.debug(
        "notification.created event=%s notification=%s messages=%s",
        notification.event,
        notification.pk,
        len(created),
    )


def notify_account_event(
    event: str,
    *,
    user: User | None,
    person: Person,
) -> Notification | None:
    """Tell ``person`` (and their guardians) that something happened to an account of theirs:
    ``Event.ACCOUNT_LINKED`` (a new account now acts for them), ``PASSWORD_CHANGED``,
    ``WECHAT_BOUND``, ``FACE_LOGIN_NEW`` (a face login created or linked an account),
    ``ACCOUNT_TAKEN_BACK`` (their face login took back an unproved password account, whose
    password stops working). ``user`` is the account concerned (shown masked). A security
    notice: by SMS to every phone on file whatever the preferences, with the
    “不是本人操作？” link. Call it inside the transaction of the change."""
    if event not in ACCOUNT_EVENTS:
        raise ValueError(f"not an account event: {event}")
    with transaction.atomic():
        account = {"account": mask_account(user.username)} if user is not None else {}
        return notify(event, person=person, values=account)


EMPLOYER_EVENTS = frozenset({Event.EMPLOYER_APPROVED, Event.EMPLOYER_REFUSED})


def notify_employer(
    event: str,
    *,
    employer: Employer,
    values: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Notification | None:
    """Tell an employer what became of its registration (``Event.EMPLOYER_APPROVED`` or
    ``EMPLOYER_REFUSED`` with ``reason``): one 消息中心 message per active login of the
    employer and an SMS to its 经办人's phone when it gave one. Call it inside the
    transaction of the decision (``now``: its time, now by default)."""
    now = now or timezone.now()
    if event not in EMPLOYER_EVENTS:
        raise ValueError(f"not an employer event: {event}")
    wording = event_wording(event)
    if wording is None:
        return None
    title_text, body_text, _wechat = wording
    notification = Notification.objects.create(event=event, employer=employer, created_at=now)
    try:
        link = absolute_url(reverse("employers:index"))
    except NoReverseMatch:
        link = absolute_url(reverse("notifications:inbox"))
    told = {"employer": employer.name, "link": link, "at": local_time(now)}
    told |= {k: v for k, v in (values or {}).items() if k in PLACEHOLDERS}
    title, body = render(title_text, told), render(body_text, told)
    logins = User.objects.filter(
        employer=employer, role=User.Role.EMPLOYER, is_active=True
    ).order_by("pk")
    phone = employer.contact_phone
    _post(
        notification,
        title=title,
        body=body,
        link=link,
        now=now,
        inbox=list(logins),
        addresses=[(Channel.SMS, phone, mask_phone(phone))] if phone else [],
    )
    return notification


# ---------------------------------------------------------------------------------------------
# The 消息中心, preferences


def inbox_mark_read(*, user: User, message_id: int | None = None) -> int:
    """Mark one of the account's 消息中心 messages read (or all of them); returns how many."""
    unread = Message.objects.filter(user=user, channel=Channel.INBOX, read_at__isnull=True)
    if message_id is not None:
        unread = unread.filter(pk=message_id)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def preference_set(*, person: Person, sms: bool, wechat: bool, actor: User) -> ChannelPreference:
    preference, _ = ChannelPreference.objects.select_for_update().get_or_create(person=person)
    preference.sms, preference.wechat = sms, wechat
    preference.save(update_fields=["sms", "wechat", "updated_at"])
    audit_record(
        actor=actor,
        action="notification.preference",
        target=preference,
        detail={"sms": sms, "wechat": wechat},
    )
    return preference
