"""Reads: the receipt, the deadline countdown, 制卡进度查询 and 应用状态查询."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sscard.accounts.models import Guardianship, Person, User
from sscard.accounts.services import CONTACT_FIELD_LABELS, Relation, guardianship_active
from sscard.accounts.staff import is_staff_member
from sscard.accounts.trust import Action, Requester, TrustLevel, ensure_trust
from sscard.applications.catalogue import SSCARD
from sscard.applications.constants import (
    CARD_ITEMS,
    OPEN_STATUSES,
    AppStatus,
    ItemCode,
    LossAction,
    MaterialKind,
    ReissueKind,
    ReplaceReason,
)
from sscard.applications.eligibility import NOTHING_APPLIED_FOR, relation_for
from sscard.applications.models import Application, Material
from sscard.cards.constants import CardStatus, FinanceStatus
from sscard.cards.models import Card
from sscard.cards.selectors import card_effective_status
from sscard.core import memo
from sscard.core.errors import DomainError
from sscard.core.money import fen_label
from sscard.core.workdays import Deadline, WorkCalendar, compute_deadline
from sscard.production.constants import RECEIVABLE_STAGES, Delivery, Stage
from sscard.production.models import ProductionEvent
from sscard.regions.models import RegionSettings
from sscard.regions.selectors import region_settings, work_calendar

# Typical working days from reaching a stage to the card being ready, for the expected date.
TYPICAL_DAYS_LEFT: dict[str, int] = {
    Stage.APPROVED: 15,
    Stage.DATA_SENT: 13,
    Stage.PRODUCING: 8,
    Stage.CITY_BANK: 3,
    Stage.MAILED: 3,
    Stage.DELIVERED: 0,
    Stage.FAILED: 15,
}


@dataclass(frozen=True)
class Receipt:
    receipt_number: str
    item_name: str
    subject_name: str  # masked
    submitted_at: datetime
    time_limit: str
    status: str
    due_on: date | None
    fee_fen: int  # 工本费 in 分 (first issue free by default, a setting)
    done: str  # what was done: 临时挂失 (and when it lifts), 解挂, 补卡, 变更手机号码…

    @property
    def fee_label(self) -> str:
        return fen_label(self.fee_fen)


def receipt_of(application: Application) -> Receipt:
    """受理回执: number, item, date and the legal deadline."""
    item = SSCARD.item(application.item)
    if item.time_limit_days:
        limit = f"自受理之日起{item.time_limit_days}个工作日内办结（补正时间不计入）"
    else:
        limit = "即时办结"
    return Receipt(
        receipt_number=application.receipt_number,
        item_name=item.name,
        subject_name=application.subject.masked_name,
        submitted_at=application.submitted_at,
        time_limit=limit,
        status=application.get_status_display(),
        due_on=application.due_on,
        fee_fen=application.fee_fen,
        done=what_was_done(application),
    )


LOSS_DONE = dict(LossAction.choices)


def what_was_done(application: Application, *, brief: bool = False) -> str:
    """The application's own action in a few words, for 我的办件 and the receipt: which of
    挂失/正式挂失/解挂 (and when a 临时挂失 lifts by itself), 补卡 or 换卡, which details
    changed. ``brief``: without the lifting date (for a list row)."""
    data = application.form_data
    if application.item == ItemCode.LOSS:
        done = LOSS_DONE.get(str(data.get("action")), "")
        if data.get("lapses_at") and not brief:
            lapses = timezone.localtime(datetime.fromisoformat(data["lapses_at"]))
            done += f"，{lapses:%Y年%m月%d日 %H:%M}自动解除（到期前可办理正式挂失或解挂）"
        return done
    if application.item == ItemCode.REISSUE and data.get("kind") in ReissueKind.values:
        done = str(ReissueKind(data["kind"]).label)
        if data.get("reason") in ReplaceReason.values:
            done += f"（{ReplaceReason(data['reason']).label}）"
        return done
    if application.item == ItemCode.CHANGE and data.get("fields"):
        return "变更" + "、".join(CONTACT_FIELD_LABELS.get(f, f) for f in data["fields"])
    return ""


def application_deadline(
    application: Application,
    *,
    today: date | None = None,
    region: RegionSettings | None = None,
    calendar: WorkCalendar | None = None,
) -> Deadline | None:
    """The countdown staff see; None before acceptance and for 即时办结 items. A list of
    applications passes one ``region`` and one ``calendar`` for all of them."""
    if application.accepted_at is None:
        return None
    limit = SSCARD.item(application.item).time_limit_days
    if not limit:
        return None
    region = region or region_settings()
    end = timezone.localdate(application.completed_at) if application.completed_at else None
    today = end or today or timezone.localdate()
    accepted_on = timezone.localdate(application.accepted_at)
    return compute_deadline(
        calendar or work_calendar(start=accepted_on),
        accepted_on=accepted_on,
        limit_days=limit,
        paused_days=application.paused_days,
        paused_since=application.paused_since,
        today=today,
        warn_days=region.deadline_warning_days,
    )


def applications_overdue(*, today: date | None = None) -> QuerySet[Application]:
    """Open, not paused, past the legal date."""
    today = today or timezone.localdate()
    return (
        Application.objects.filter(
            status__in=(AppStatus.ACCEPTED, AppStatus.APPROVED),
            due_on__lt=today,
            paused_since__isnull=True,
        )
        .select_related("subject")
        .order_by("due_on")
    )


def applications_open_by_status() -> dict[str, int]:
    """How many applications stand open (not 办结, refused or withdrawn) in each status, every
    open status named, none left out: one grouped count off the (status, due_on) index."""
    counts = dict(
        Application.objects.filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
        .order_by()
    )
    return {status: counts.get(status, 0) for status in OPEN_STATUSES}


# Where a card request came in, as the first step of the progress timeline says.
SUBMITTED_THROUGH: dict[str, str] = {
    Relation.COUNTER: "窗口代办",
    Relation.EMPLOYER: "单位申报",
}


@dataclass(frozen=True)
class Step:
    label: str
    reached: bool
    at: datetime | None = None
    place: str = ""
    note: str = ""


@dataclass(frozen=True)
class Progress:
    application: Application
    steps: tuple[Step, ...]
    due_on: date | None
    expected_on: date | None
    failed_reason: str
    tracking_number: str
    # 网点签收: the card waits at the outlet, ready to be handed over
    ready_for_handover: bool = False
    # every production event in time order, 制卡失败 and re-sending included
    history: tuple[Step, ...] = ()
    # 已寄出 or 已投递: the holder may say the card has arrived (确认收到)
    receivable: bool = False
    # 已投递: the day the card counts as received unless the holder says otherwise
    auto_received_on: date | None = None
    # 已领卡: the card is 封存, ready for 启用
    collected: bool = False


def query_progress(*, requester: Requester, subject: Person) -> Progress:
    """社保卡制卡进度查询: the timeline of the person's newest card order — or of the card
    request still in review. An applicant may follow what they submitted (a guardian before
    the guardianship is confirmed, too)."""
    region = region_settings()
    requests = Application.objects.filter(subject=subject, item__in=CARD_ITEMS)
    try:
        relation_for(ItemCode.PROGRESS, requester, subject, region)
    except DomainError:
        if not requests.filter(applicant=requester.user).exists():
            raise
    application = (
        requests.filter(Q(status__in=OPEN_STATUSES) | Q(production_order__isnull=False))
        .select_related("production_order", "subject")
        .order_by("-submitted_at")
        .first()
    )
    if application is None:
        if not requests.exists():  # asked only on the way out, not before every query
            raise DomainError(NOTHING_APPLIED_FOR, code="no_order")
        raise DomainError("暂无制卡记录：尚未办理社会保障卡申领或补换卡", code="no_order")
    order = application.production_order
    events: dict[str, ProductionEvent] = {}
    history: list[Step] = []
    if order is not None:
        for event in order.events.order_by("at", "id"):
            history.append(Step(event.get_stage_display(), True, event.at, event.place, event.note))
            if event.stage == Stage.DATA_SENT:
                # sent again after 制卡失败: the stages of the failed attempt are history
                for stage in (
                    Stage.PRODUCING,
                    Stage.CITY_BANK,
                    Stage.OUTLET,
                    Stage.MAILED,
                    Stage.DELIVERED,
                ):
                    events.pop(stage, None)
            events[event.stage] = event  # the latest time a stage was reached
    submitted_through = SUBMITTED_THROUGH.get(application.relation, "线上提交")
    accepted = application.accepted_at is not None
    steps = [
        # the request was received: the applicant sees it before anyone has looked at it
        Step("已提交", True, application.submitted_at, submitted_through),
        Step("已受理", accepted, application.accepted_at, "线上受理" if accepted else ""),
    ]
    mailed = order is not None and order.delivery == Delivery.MAIL
    delivery_stages = [Stage.MAILED] if mailed else [Stage.OUTLET]
    if mailed and Stage.DELIVERED in events:
        # the courier's 已投递 is shown once it happened (a card signed for skips it)
        delivery_stages.append(Stage.DELIVERED)
    for stage in (
        Stage.APPROVED,
        Stage.DATA_SENT,
        Stage.PRODUCING,
        Stage.CITY_BANK,
        *delivery_stages,
        Stage.COLLECTED,
    ):
        reached = events.get(stage)
        steps.append(
            Step(
                Stage(stage).label,
                reached is not None,
                reached.at if reached else None,
                reached.place if reached else "",
                reached.note if reached else "",
            )
        )
    failed = order is not None and order.stage == Stage.FAILED
    return Progress(
        application=application,
        steps=tuple(steps),
        due_on=application.due_on,
        expected_on=_expected_on(application, order, region),
        failed_reason=order.failure_reason if failed and order else "",
        tracking_number=order.tracking_number if order else "",
        ready_for_handover=order is not None and order.stage == Stage.OUTLET,
        history=tuple(history),
        receivable=mailed and order is not None and order.stage in RECEIVABLE_STAGES,
        collected=order is not None and order.stage == Stage.COLLECTED,
        auto_received_on=(
            timezone.localdate(events[Stage.DELIVERED].at)
            + timedelta(days=region.delivery_confirm_days)
            if order is not None and order.stage == Stage.DELIVERED
            else None
        ),
    )


def _expected_on(application: Application, order: object, region: RegionSettings) -> date | None:
    if application.status in (AppStatus.COMPLETED, AppStatus.REJECTED, AppStatus.WITHDRAWN):
        return None
    if order is None or application.due_on is None:
        return application.due_on
    stage = getattr(order, "stage", "")
    if stage == Stage.OUTLET:
        return timezone.localdate()
    since = timezone.localdate(getattr(order, "updated_at", timezone.now()))
    expected = work_calendar(start=since).add_working_days(since, TYPICAL_DAYS_LEFT.get(stage, 0))
    return min(expected, application.due_on) if stage != Stage.FAILED else expected


@dataclass(frozen=True)
class CardStatusView:
    masked_number: str
    issuing_area: str
    bank: str
    issued_on: date | None
    expires_on: date | None
    social_status: str
    loss_expires_at: datetime | None
    finance_status: str
    cancelled: bool = False  # 注销: shown for the record, nothing can be done with it


def query_card_status(*, requester: Requester, card: Card) -> CardStatusView:
    """社保卡应用状态查询: everything masked, 社保应用 and 金融应用 side by side. ``card`` as
    the caller read it in this request, with its bank (it is not read again)."""
    region = region_settings()
    relation_for(ItemCode.STATUS, requester, card.person, region)
    status = card_effective_status(card)
    area = region.region_name if card.issuing_area == region.region_code else card.issuing_area
    return CardStatusView(
        masked_number=card.masked_number,
        issuing_area=area,
        bank=card.bank.name,
        issued_on=card.issued_on,
        expires_on=card.expires_on,
        social_status=CardStatus(status).label,
        loss_expires_at=card.loss_expires_at if status == CardStatus.TEMP_LOST else None,
        finance_status=FinanceStatus(card.finance_status).label,
        cancelled=status == CardStatus.CANCELLED,
    )


def cards_for_requester(
    requester: Requester, *, card_id: int | None = None, include_cancelled: bool = False
) -> list[Card]:
    """选择社保卡: the applicant's own cards and those of the minors in their care; with
    ``card_id``, that one card if it is among them (a page that names a card in its URL: one
    query, the holder and the bank with it). Cancelled (注销) cards only with
    ``include_cancelled``: 应用状态查询 shows them, the items acting on a card never offer them."""
    if card_id is not None:
        card = _card_in_care(requester.user, card_id, include_cancelled=include_cancelled)
        return [card] if card is not None else []
    region = region_settings()
    today = timezone.localdate()
    user = requester.user
    people: list[Person] = []
    if user.person is not None:
        people.append(user.person)
        for link in user.person.wards_links.filter(active=True).select_related("ward"):
            if link.ward.age(today) < region.guardian_age:
                people.append(link.ward)
    cards = Card.objects.filter(person__in=people)
    if not include_cancelled:
        cards = cards.exclude(status=CardStatus.CANCELLED)
    found = list(cards.select_related("bank").order_by("person_id", "-created_at"))
    by_id = {person.pk: person for person in people}
    for card in found:  # the holders are loaded already
        card.person = by_id[card.person_id]
    return found


def _card_in_care(user: User, card_id: int, *, include_cancelled: bool) -> Card | None:
    """The card, if its holder is the user or a minor in the user's confirmed care — the rule
    :func:`cards_for_requester` lists by, asked of one card in one query."""
    own = user.person
    if own is None:
        return None
    in_care = Guardianship.objects.filter(
        guardian_id=own.pk, ward_id=OuterRef("person_id"), active=True
    )
    cards = Card.objects.filter(Q(person_id=own.pk) | Q(Exists(in_care)), pk=card_id)
    if not include_cancelled:
        cards = cards.exclude(status=CardStatus.CANCELLED)
    card = cards.select_related("bank", "person").first()
    if card is None:
        return None
    if card.person_id == own.pk:
        card.person = own
        return card
    # the holder is in the user's confirmed care (the statement asked): the item's own check
    # asks the same of this request
    memo.remember(guardianship_active, True, own.pk, card.person_id)
    if card.person.age(timezone.localdate()) < region_settings().guardian_age:
        return card
    return None


# ---------------------------------------------------------------------------------------------
# Uploaded materials: who may see one (object-level, deny by default), and how sure of a citizen
# the login must be before a file opens (``Action.OPEN_MATERIALS``: L3+ by default).

# Staff who decide on applications see every material; once the card is ordered, production
# and the collecting outlet see its photo, which goes on the card and is compared with the
# holder at handover.
SEE_ALL_MATERIALS = frozenset({User.Role.REVIEWER, User.Role.ADMIN})


def material_visible_to(user: Any, material: Material, *, second_factor: bool) -> bool:
    """``second_factor``: the session was signed in with the staff's second factor (a fact of
    the session that the interface reads and passes on)."""
    if not (user.is_authenticated and user.is_active):
        return False
    application = material.application
    if application is not None and application.applicant_id == user.pk:
        return True
    if getattr(user, "person_id", None) and user.person_id == material.person_id:
        return True
    # staff see files only with the second factor, as every back-office page asks: a staff
    # password alone (at the portal's login, say) opens nothing
    if not (is_staff_member(user) and second_factor):
        return False
    if user.role in SEE_ALL_MATERIALS:
        return True
    # production and the outlet: the photo of a card that has been ordered
    order = application.production_order if application is not None else None
    if material.kind != MaterialKind.PHOTO or order is None:
        return False
    if user.role == User.Role.PRODUCER:
        return True
    if user.role == User.Role.CLERK:
        return bool(user.outlet_id and order.outlet_id == user.outlet_id)
    return False


def material_for_viewer(
    user: Any, pk: int, *, trust: TrustLevel, second_factor: bool
) -> Material | None:
    """The material, if ``user`` may see it; ``None`` alike when it does not exist or may
    not be seen (the two are never told apart). A citizen who may see it must also be signed
    in surely enough (``trust``, the session's level): else ``StepUpRequired`` — raised only
    for a file they may see, so it tells nobody else that the file exists. Staff are served by
    their role and second factor; an employer's account has no phone on file to step up with
    and sees the files it uploaded as before."""
    material = (
        Material.objects.select_related("application__production_order").filter(pk=pk).first()
    )
    if material is None or not material_visible_to(user, material, second_factor=second_factor):
        return None
    if user.role == User.Role.CITIZEN:
        ensure_trust(Action.OPEN_MATERIALS, Requester(user=user, trust=trust))
    return material
