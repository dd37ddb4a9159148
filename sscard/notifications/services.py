"""Writes of the notifications app.

* :func:`notify` — the one call the other services make, inside their own transaction: the
  outbox rows are written with the change, or not at all when it rolls back.
* :func:`outbox_deliver` — what the task worker runs: claim a due message under a lease
  (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), send it outside any transaction, then
  record the outcome only if the claim is still ours. A worker killed mid-send leaves its
  message 发送中 until the lease lapses; the next run takes it over. Failures are retried with
  doubling delays up to ``SSCARD_NOTIFY_MAX_ATTEMPTS``, then the message is 失败 with the error.
* reminders (临时挂失 lapsing tomorrow, cards uncollected for 11 months), safe to run often.
* the 消息中心's read marks, the holder's channel preferences, an officer's resend.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sscard.accounts.models import Employer, Guardianship, Person, User
from sscard.accounts.services import CONTACT_FIELD_LABELS
from sscard.applications.models import Application
from sscard.audit.services import audit_record
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.core.errors import DomainError
from sscard.core.masking import mask_account, mask_phone
from sscard.notifications.backends import DeliveryError
from sscard.notifications.channels import CHANNELS
from sscard.notifications.constants import (
    ACCOUNT_EVENTS,
    ALWAYS_BY_SMS,
    PLACEHOLDERS,
    REPORT_SENTENCE,
    SECURITY_EVENTS,
    UNCOLLECTED_MONTHS,
    Channel,
    Event,
    MessageStatus,
)
from sscard.notifications.defaults import DEFAULT_TEMPLATES
from sscard.notifications.models import (
    ChannelPreference,
    Message,
    MessageTemplate,
    Notification,
)
from sscard.notifications.reports import report_link
from sscard.production.constants import Stage
from sscard.production.models import ProductionEvent, ProductionOrder

logger = logging.getLogger("sscard.notifications")


# ---------------------------------------------------------------------------------------------
# notify: the outbox rows, written with the change


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日 %H:%M") if moment else ""


def _day(day: date | None) -> str:
    return day.strftime("%Y年%m月%d日") if day else ""


def _absolute(path: str) -> str:
    return settings.SSCARD_PUBLIC_URL.rstrip("/") + path


def _application_link(application: Application) -> str:
    """The portal's page of the application when the portal has one, else the 消息中心."""
    try:
        return _absolute(reverse("portal:application", args=[application.receipt_number]))
    except NoReverseMatch:
        return _absolute(reverse("notifications:inbox"))


def _placeholders(person: Person, context: Mapping[str, Any]) -> dict[str, str]:
    """Every placeholder's value, masked: objects in ``context`` (application, card, order)
    give theirs; plain strings in ``context`` name the rest (reason, decision, fields…)."""
    values = {
        "name": person.masked_name,
        "link": _absolute(reverse("notifications:inbox")),
        "at": _local(timezone.now()),
    }
    application: Application | None = context.get("application")
    order: ProductionOrder | None = context.get("order")
    card: Card | None = context.get("card") or (order.card if order is not None else None)
    if application is not None:
        values |= {
            "item": application.get_item_display(),
            "receipt": application.receipt_number,
            "due_on": _day(application.due_on),
            "reason": application.staff_note,
            "link": _application_link(application),
        }
        if card is None and application.production_order is not None:
            card = application.production_order.card
        if card is None:
            card = application.card
    if card is not None:
        values |= {"card": card.masked_number, "expires_at": _local(card.loss_expires_at)}
    if order is not None:
        values["tracking_number"] = order.tracking_number
        if order.outlet is not None:
            values |= {
                "outlet_name": order.outlet.name,
                "outlet_address": order.outlet.address,
                "opening_hours": order.outlet.opening_hours or "请咨询网点",
                "outlet_phone": order.outlet.phone,
            }
    old_card: Card | None = context.get("old_card")
    if isinstance(old_card, Card):
        values["old_card"] = old_card.masked_number
    account: User | None = context.get("account")
    if isinstance(account, User):
        values["account"] = mask_account(account.username)
    changed = context.get("changed")
    if changed:
        values["fields"] = "、".join(CONTACT_FIELD_LABELS.get(f, f) for f in changed)
        if "phone" in changed:
            values["phone"] = person.masked_phone
    for key, value in context.items():
        if key in PLACEHOLDERS and isinstance(value, str):
            values[key] = value
        elif key in PLACEHOLDERS and isinstance(value, datetime):
            values[key] = _local(value)
    return values


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render(text: str, values: Mapping[str, str]) -> str:
    return text.format_map(_Blank(values))


def _wording(event: str) -> tuple[str, str, str] | None:
    """(title, body, wechat template id) of the event, or None when the administrator has
    switched the event off."""
    template = MessageTemplate.objects.filter(event=event).first()
    if template is None:
        title, body = DEFAULT_TEMPLATES[event]
        return title, body, ""
    if not template.active:
        return None
    return template.title, template.body, template.wechat_template_id


def _guardian_ids(person: Person) -> list[int]:
    return list(
        Guardianship.objects.filter(ward=person, active=True).values_list("guardian_id", flat=True)
    )


def _inbox_accounts(
    person: Person, application: Application | None, guardians: list[int]
) -> list[User]:
    """Who reads it in the 消息中心: the person's own account, the guardians acting for them,
    and the account that made the application (an employer's, for instance)."""
    # the guardians first, then one query the indexes answer (an OR across the guardianship
    # join read every account: 200 ms a message at 200,000 people)
    accounts = Q(person_id__in=[person.pk, *guardians])
    if application is not None:
        accounts |= Q(pk=application.applicant_id)
    return list(User.objects.filter(accounts, is_active=True).order_by("pk"))


def _addresses(
    person: Person,
    event: str,
    wechat_template_id: str,
    guardians: list[int],
    context: Mapping[str, Any],
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
        if index == 0:
            old_phone = str(context.get("old_phone") or "")
            if old_phone and old_phone != person.phone:
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
    context: Mapping[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Tell ``person`` (and the accounts following them) that ``event`` happened: one
    消息中心 message per account, an SMS and a WeChat message as their preferences allow.
    Call it inside the transaction of the change. ``context`` holds the objects the wording
    draws on (``application``, ``card``, ``order``), strings for the other placeholders, and
    ``old_phone`` when a phone number changed (that number is told too). With a
    ``dedupe_key`` a second call for the same occasion writes nothing and returns None."""
    context = dict(context or {})
    wording = _wording(event)
    if wording is None:
        return None
    title_text, body_text, wechat_template_id = wording
    if dedupe_key is None:
        notification = Notification.objects.create(event=event, person=person)
    else:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    event=event, person=person, dedupe_key=dedupe_key
                )
        except IntegrityError:  # the same occasion, told by a run in parallel
            if Notification.objects.filter(dedupe_key=dedupe_key).exists():
                return None
            raise
    values = _placeholders(person, context)
    security = event in SECURITY_EVENTS
    if security:
        values["report_link"] = report_link(notification)
    title, body = render(title_text, values), render(body_text, values)
    if security and values["report_link"] not in body:  # an edited template lost the link
        body += render(REPORT_SENTENCE, values)
    link = values.get("link", "")
    now = timezone.now()
    common = {"notification": notification, "title": title[:60], "body": body, "link": link}
    guardians = _guardian_ids(person)
    messages = [
        Message(channel=Channel.INBOX, user=user, status=MessageStatus.SENT, sent_at=now, **common)
        for user in _inbox_accounts(person, context.get("application"), guardians)
    ]
    pending = _addresses(person, event, wechat_template_id, guardians if security else [], context)
    messages += [
        Message(
            channel=channel,
            address=address,
            address_masked=masked,
            wechat_template_id=wechat_template_id if channel == Channel.WECHAT else "",
            next_attempt_at=now,
            **common,
        )
        for channel, address, masked in pending
    ]
    created = Message.objects.bulk_create(messages)
    ids = [m.pk for m in created if m.status == MessageStatus.PENDING]
    if ids:
        transaction.on_commit(partial(_enqueue_delivery, ids))
    logger.debug(
        "notification.created event=%s notification=%s messages=%s",
        event,
        notification.pk,
        len(created),
    )
    return notification


def notify_account_event(
    event: str,
    *,
    user: User | None,
    person: Person,
    context: Mapping[str, Any] | None = None,
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
        return notify(event, person=person, context={"account": user, **(context or {})})


EMPLOYER_EVENTS = frozenset({Event.EMPLOYER_APPROVED, Event.EMPLOYER_REFUSED})


def notify_employer(
    event: str, *, employer: Employer, context: Mapping[str, Any] | None = None
) -> Notification | None:
    """Tell an employer what became of its registration (``Event.EMPLOYER_APPROVED`` or
    ``EMPLOYER_REFUSED`` with ``reason``): one 消息中心 message per active login of the
    employer and an SMS to its 经办人's phone when it gave one. Call it inside the
    transaction of the decision."""
    if event not in EMPLOYER_EVENTS:
        raise ValueError(f"not an employer event: {event}")
    wording = _wording(event)
    if wording is None:
        return None
    title_text, body_text, _wechat = wording
    notification = Notification.objects.create(event=event, employer=employer)
    try:
        link = _absolute(reverse("employers:index"))
    except NoReverseMatch:
        link = _absolute(reverse("notifications:inbox"))
    values = {"employer": employer.name, "link": link, "at": _local(timezone.now())}
    values |= {k: v for k, v in (context or {}).items() if k in PLACEHOLDERS and isinstance(v, str)}
    title, body = render(title_text, values), render(body_text, values)
    now = timezone.now()
    common = {"notification": notification, "title": title[:60], "body": body, "link": link}
    logins = User.objects.filter(
        employer=employer, role=User.Role.EMPLOYER, is_active=True
    ).order_by("pk")
    messages = [
        Message(channel=Channel.INBOX, user=user, status=MessageStatus.SENT, sent_at=now, **common)
        for user in logins
    ]
    if employer.contact_phone:
        messages.append(
            Message(
                channel=Channel.SMS,
                address=employer.contact_phone,
                address_masked=mask_phone(employer.contact_phone),
                next_attempt_at=now,
                **common,
            )
        )
    created = Message.objects.bulk_create(messages)
    ids = [m.pk for m in created if m.status == MessageStatus.PENDING]
    if ids:
        transaction.on_commit(partial(_enqueue_delivery, ids))
    logger.debug(
        "notification.created event=%s notification=%s messages=%s",
        event,
        notification.pk,
        len(created),
    )
    return notification


def _enqueue_delivery(ids: list[int], run_after: datetime | None = None) -> None:
    """Ask the worker to deliver now; if the queue is unavailable the periodic sweep
    (:func:`outbox_deliver` from ``deliver_due_messages_task``) still finds them."""
    from sscard.notifications.tasks import deliver_messages_task

    try:
        if run_after is None:
            deliver_messages_task.enqueue(ids)
        elif deliver_messages_task.get_backend().supports_defer:
            deliver_messages_task.using(run_after=run_after).enqueue(ids)
    except Exception:  # the outbox row is the record; the sweep delivers it later
        logger.exception("notification.enqueue_failed messages=%s", len(ids))


# ---------------------------------------------------------------------------------------------
# Delivery: claim under a lease, send, record


def _due(now: datetime) -> Q:
    return Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, lease_expires_at__lte=now
    )


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: base, 2×, 4×… capped at a day."""
    seconds = settings.SSCARD_NOTIFY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 86400))


def outbox_claim(
    *, now: datetime | None = None, ids: Iterable[int] | None = None
) -> Message | None:
    """Take one due message for this worker: 发送中, one more attempt, a lease and a fresh
    claim token. Rows another worker holds are skipped, not waited for. A message whose last
    allowed attempt was cut short (its worker died) is 失败 instead."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.SSCARD_NOTIFY_LEASE_SECONDS)
    limit = settings.SSCARD_NOTIFY_MAX_ATTEMPTS
    with transaction.atomic():
        due = Message.objects.filter(_due(now))
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        for message in due.order_by("next_attempt_at", "pk").select_for_update(skip_locked=True)[
            :10
        ]:
            if message.attempts >= limit:
                message.status = MessageStatus.FAILED
                message.last_error = "发送中断（工作进程退出），已达最大发送次数"
                message.lease_expires_at = None
                message.save(
                    update_fields=["status", "last_error", "lease_expires_at", "updated_at"]
                )
                logger.warning("notification.lease_lapsed_final message=%s", message.pk)
                continue
            message.status = MessageStatus.SENDING
            message.attempts += 1
            message.lease_expires_at = now + lease
            message.claim_token = uuid.uuid4()
            message.save(
                update_fields=[
                    "status",
                    "attempts",
                    "lease_expires_at",
                    "claim_token",
                    "updated_at",
                ]
            )
            return message
    return None


def _still_ours(message: Message) -> Any:
    return Message.objects.filter(
        pk=message.pk, status=MessageStatus.SENDING, claim_token=message.claim_token
    )


def _record_sent(message: Message, reference: str) -> bool:
    done = _still_ours(message).update(
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        provider_ref=reference[:100],
        lease_expires_at=None,
        updated_at=timezone.now(),
    )
    if not done:
        logger.warning("notification.claim_lost message=%s outcome=sent", message.pk)
    return bool(done)


def _record_failure(message: Message, error: str) -> None:
    now = timezone.now()
    final = message.attempts >= settings.SSCARD_NOTIFY_MAX_ATTEMPTS
    next_at = now + backoff(message.attempts)
    done = _still_ours(message).update(
        status=MessageStatus.FAILED if final else MessageStatus.PENDING,
        last_error=error[:300],
        next_attempt_at=None if final else next_at,
        lease_expires_at=None,
        updated_at=now,
    )
    logger.warning(
        "notification.failed message=%s attempt=%s final=%s recorded=%s",
        message.pk,
        message.attempts,
        final,
        bool(done),
    )
    if done and not final:
        _enqueue_delivery([message.pk], run_after=next_at)


def outbox_deliver(
    *, ids: Iterable[int] | None = None, now: datetime | None = None, limit: int = 500
) -> int:
    """Deliver due messages (only ``ids`` when given), one claim at a time, at most ``limit``;
    returns how many were sent. Safe to run twice or in parallel: a message is claimed by one
    worker only, and a stale worker's outcome is not recorded over a newer claim."""
    wanted = list(ids) if ids is not None else None
    sent = 0
    for _ in range(limit):
        message = outbox_claim(now=now, ids=wanted)
        if message is None:
            break
        try:
            reference = CHANNELS[message.channel].send(message)
        except DeliveryError as exc:
            _record_failure(message, str(exc))
        except Exception as exc:  # any other failure also uses one attempt, and is recorded
            logger.exception("notification.send_crashed message=%s", message.pk)
            _record_failure(message, f"发送异常：{type(exc).__name__}")
        else:
            sent += _record_sent(message, reference)
    return sent


# ---------------------------------------------------------------------------------------------
# Reminders (periodic; each occasion is told once)


def remind_temporary_losses_lapsing(*, now: datetime | None = None) -> int:
    """临时挂失 ending by the end of tomorrow (local time) and not yet reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    end = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=1), time.min))
    cards = Card.objects.filter(
        status=CardStatus.TEMP_LOST, loss_expires_at__gt=now, loss_expires_at__lt=end
    ).select_related("person")
    told = 0
    for card in cards:
        assert card.loss_expires_at is not None  # noqa: S101 — filtered above
        key = f"loss-lapsing:{card.pk}:{int(card.loss_expires_at.timestamp())}"
        if Notification.objects.filter(dedupe_key=key).exists():
            continue
        with transaction.atomic():
            told += bool(
                notify(
                    Event.LOSS_LAPSES_TOMORROW,
                    person=card.person,
                    context={"card": card},
                    dedupe_key=key,
                )
            )
    return told


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def remind_uncollected_cards(*, now: datetime | None = None) -> int:
    """Cards signed in at their outlet 11 months ago or more and still not collected."""
    now = now or timezone.now()
    cutoff_day = months_before(timezone.localdate(now), UNCOLLECTED_MONTHS)
    cutoff = timezone.make_aware(datetime.combine(cutoff_day + timedelta(days=1), time.min))
    signed = ProductionEvent.objects.filter(stage=Stage.OUTLET, at__lt=cutoff)
    orders = ProductionOrder.objects.filter(
        stage=Stage.OUTLET, pk__in=signed.values("order_id")
    ).select_related("person", "outlet", "card")
    told = 0
    for order in orders:
        if Notification.objects.filter(dedupe_key=f"uncollected:{order.pk}").exists():
            continue
        signed_at = (
            ProductionEvent.objects.filter(order=order, stage=Stage.OUTLET).order_by("-at").first()
        )
        with transaction.atomic():
            told += bool(
                notify(
                    Event.CARD_UNCOLLECTED,
                    person=order.person,
                    context={
                        "order": order,
                        "signed_on": _day(timezone.localdate(signed_at.at)) if signed_at else "",
                    },
                    dedupe_key=f"uncollected:{order.pk}",
                )
            )
    return told


# ---------------------------------------------------------------------------------------------
# The 消息中心, preferences, resending


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


@transaction.atomic
def message_resend(*, message: Message, actor: User) -> Message:
    """An officer sends a 失败 message again: a fresh round of attempts, delivered now."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.FAILED:
        raise DomainError(
            f"消息当前为“{message.get_status_display()}”，只有发送失败的消息可以重新发送",
            code="not_failed",
        )
    previous = message.attempts
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit_record(
        actor=actor,
        action="notification.resend",
        target=message,
        detail={"channel": message.channel, "attempts_before": previous},
    )
    transaction.on_commit(partial(_enqueue_delivery, [message.pk]))
    return message
