"""The card lifecycle as a Hypothesis state machine.

Every rule goes through the real services against the database and either succeeds, with the
card transitions the model predicts and nothing else, or raises DomainError and leaves the
database exactly as it was. After every step the invariants compare the database with the
model: one usable and one live card per person, the model's status of every card, temporary
loss reports ended after the configured days, no 解挂 from 正式挂失, one audit record for every
history row.

Time moves only in ``advance_clock`` and ``advance_to_the_next_expiry`` (a second before, at
and after the end of the configured days), through a time-machine traveller. The sweep that
writes expired temporary loss reports back may be late (``sweep=False``): until it runs, a card
that is still 临时挂失 in its row has already ended its loss report for the holder and for every
service (it "expires by itself"). The write-back may happen at any later step,
exactly once, as an extra history row with the expiry reason.

Each example runs inside its own savepoint, rolled back in ``teardown``, so the examples of
one test share nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sscard.accounts.models import User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services as applications
from sscard.applications.constants import AppStatus, ReissueKind, ReplaceReason
from sscard.applications.models import Application, Material
from sscard.applications.tests.helpers import holder_document, produce_to_outlet
from sscard.audit.models import AuditRecord
from sscard.cards import rules
from sscard.cards.constants import LIVE_STATUSES, USABLE_STATUSES, CardStatus
from sscard.cards.models import Card, CardHistory
from sscard.cards.selectors import card_effective_status
from sscard.cards.services import EXPIRY_REASON, card_expire_temporary_losses
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.production.constants import Stage
from sscard.production.models import ProductionOrder
from sscard.regions.selectors import region_settings
from sscard.testing.factories import (
    BankFactory,
    CardFactory,
    OutletFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.ids import resident_id

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PERSONS = 2
# a valid ID number of nobody in the test (born elsewhere, long ago): shown at 发卡, refused
SOMEBODY_ELSES_ID = resident_id(date(1950, 5, 5), area="110101", serial=7)

S = CardStatus
# The password rules, written out as examples rather than re-implemented.
PASSWORDS = [
    ("135790", True),
    ("202408", True),
    ("123456", False),  # ascending run
    ("987654", False),  # descending run
    ("888888", False),  # one digit
    ("12345", False),  # five digits
    ("１３５７９０", False),  # full-width digits
]

persons = st.integers(0, PERSONS - 1)
# 0 is the person's newest card; higher numbers reach older (cancelled) cards
which_card = st.integers(0, 2)


@dataclass
class ModelCard:
    person: int
    status: str
    before: str = ""  # the state before a temporary loss report
    expires_at: datetime | None = None  # when a temporary loss report ends


@dataclass
class ModelApplication:
    pk: int
    card: int
    kind: str
    status: str = AppStatus.SUBMITTED
    order: int | None = None
    stage: str = ""
    new_card: int | None = None


def _snapshot() -> tuple[Any, ...]:
    """Everything a refused step must leave untouched."""
    return (
        list(
            Card.objects.order_by("pk").values_list(
                "pk",
                "person_id",
                "status",
                "status_before_loss",
                "loss_expires_at",
                "service_password",
                "issued_on",
                "expires_on",
                "number",
            )
        ),
        list(CardHistory.objects.order_by("pk").values_list("pk", flat=True)),
        # a refusal may leave the record of itself (a refused 发卡 is audited), nothing else
        list(
            AuditRecord.objects.exclude(result=AuditRecord.Result.REFUSED)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        list(Application.objects.order_by("pk").values_list("pk", "status", "card_id")),
        list(ProductionOrder.objects.order_by("pk").values_list("pk", "stage", "card_id")),
        list(Material.objects.order_by("pk").values_list("pk", flat=True)),
        region_settings().temporary_loss_days,
    )


class CardLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

        self.bank = BankFactory(code="ICBC", name="中国工商银行")
        self.outlet = OutletFactory(code="RC01", name="榕城区社保卡服务中心", bank=self.bank)
        self.reviewer = StaffFactory(role=User.Role.REVIEWER)
        self.producer = StaffFactory(role=User.Role.PRODUCER)
        self.clerk = StaffFactory(role=User.Role.CLERK, outlet=self.outlet)
        # distinct birth dates: the factory's random sequence codes may clash otherwise
        self.users = [
            UserFactory(person__birth_date=date(1980 + person, 5, 17)) for person in range(PERSONS)
        ]
        self.person_ids = [user.person_id for user in self.users]
        self.loss_days = region_settings().temporary_loss_days

        self.cards: dict[int, ModelCard] = {}
        self.cards_of: list[list[int]] = [[] for _ in range(PERSONS)]
        self.applications: list[ModelApplication | None] = [None] * PERSONS
        self.has_photo = [False] * PERSONS
        # cards whose temporary loss report has ended but whose row may still say 临时挂失
        self.pending_expiry: set[int] = set()
        self.swept = True  # the sweep has run since the clock last moved

    def teardown(self) -> None:
        try:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        finally:
            self.traveller.stop()

    # -----------------------------------------------------------------------------------------
    # helpers

    def _requester(self, person: int) -> Requester:
        return Requester(user=self.users[person], trust=TrustLevel.L4)

    def _add_card(self, person: int, pk: int, status: str) -> None:
        self.cards[pk] = ModelCard(person=person, status=status)
        self.cards_of[person].append(pk)

    def _pick(self, person: int, which: int) -> int:
        mine = self.cards_of[person]
        return mine[-1 - min(which, len(mine) - 1)]

    def _card(self, pk: int) -> Card:
        return Card.objects.get(pk=pk)

    def _run(
        self,
        call: Callable[[], Any],
        *,
        ok: bool,
        what: str,
        transitions: Sequence[tuple[int | None, str, str]] = (),
    ) -> Any:
        """Run one service call. Refused: DomainError and the database unchanged. Done: the
        new history rows are exactly ``transitions`` (``None`` for a card the step created)
        plus, for cards whose loss report has ended, at most one late write-back each."""
        before = _snapshot()
        last = CardHistory.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        refusal: DomainError | None = None
        try:
            result = call()
        except DomainError as refused:
            refusal = refused
        if refusal is not None:
            assert not ok, f"{what}: refused unexpectedly: {refusal.message} ({refusal.code})"
            assert _snapshot() == before, f"{what}: refused but the database changed"
            return None
        assert ok, f"{what}: should have been refused, but succeeded"
        rows = CardHistory.objects.filter(pk__gt=last).order_by("pk")
        effective = []
        for card, from_status, to_status, reason in rows.values_list(
            "card_id", "from_status", "to_status", "reason"
        ):
            if (
                card in self.pending_expiry
                and reason == EXPIRY_REASON
                and from_status == S.TEMP_LOST
                and to_status == self.cards[card].status
            ):
                self.pending_expiry.discard(card)  # the late write-back, once
                continue
            effective.append((card if card in self.cards else None, from_status, to_status))
        assert Counter(effective) == Counter(transitions), (
            f"{what}: history rows {effective} differ from the expected {list(transitions)}"
        )
        return result

    # -----------------------------------------------------------------------------------------
    # start

    @initialize(second_card=st.sampled_from([S.ACTIVE, S.SEALED]))
    def starting_cards(self, second_card: str) -> None:
        for person, status in enumerate([S.ACTIVE, second_card]):
            card = CardFactory(person=self.users[person].person, bank=self.bank, status=status)
            self._add_card(person, card.pk, status)

    # -----------------------------------------------------------------------------------------
    # 启用, 挂失, 正式挂失, 解挂

    @rule(person=persons, which=which_card, password=st.sampled_from(PASSWORDS))
    def enable(self, person: int, which: int, password: tuple[str, bool]) -> None:
        pk = self._pick(person, which)
        card = self.cards[pk]
        text, valid = password
        ok = valid and card.status == S.SEALED
        done = self._run(
            lambda: applications.item_enable(
                requester=self._requester(person), card=self._card(pk), password=text
            ),
            ok=ok,
            transitions=[(pk, S.SEALED, S.ACTIVE)],
            what=f"启用 {card.status}",
        )
        if done is not None:
            card.status = S.ACTIVE

    @rule(person=persons, which=which_card)
    def temporary_loss(self, person: int, which: int) -> None:
        pk = self._pick(person, which)
        card = self.cards[pk]
        previous = card.status
        ok = previous in (S.ACTIVE, S.SEALED)
        done = self._run(
            lambda: applications.item_report_loss(
                requester=self._requester(person), card=self._card(pk), action="temporary"
            ),
            ok=ok,
            transitions=[(pk, previous, S.TEMP_LOST)],
            what=f"临时挂失 {previous}",
        )
        if done is not None:
            card.status, card.before = S.TEMP_LOST, previous
            card.expires_at = timezone.now() + timedelta(days=self.loss_days)

    @rule(person=persons, which=which_card, confirmed=st.booleans())
    def formal_loss(self, person: int, which: int, confirmed: bool) -> None:
        pk = self._pick(person, which)
        card = self.cards[pk]
        previous = card.status
        ok = confirmed and previous in (S.ACTIVE, S.SEALED, S.TEMP_LOST)
        done = self._run(
            lambda: applications.item_report_loss(
                requester=self._requester(person),
                card=self._card(pk),
                action="formal",
                confirmed_irreversible=confirmed,
            ),
            ok=ok,
            transitions=[(pk, previous, S.LOST)],
            what=f"正式挂失 {previous} confirmed={confirmed}",
        )
        if done is not None:
            card.status, card.before, card.expires_at = S.LOST, "", None

    @rule(person=persons, which=which_card)
    def cancel_loss(self, person: int, which: int) -> None:
        pk = self._pick(person, which)
        card = self.cards[pk]
        previous = card.status
        # 正式挂失 is irreversible: 解挂 must be refused there (and anywhere but 临时挂失), by
        # the rule the portal shows before the form as well as by the service
        if previous == S.LOST:
            assert rules.cancel_loss_refusal(self._card(pk)), "the rule allows 解挂 of 正式挂失"
        done = self._run(
            lambda: applications.item_report_loss(
                requester=self._requester(person), card=self._card(pk), action="cancel"
            ),
            ok=previous == S.TEMP_LOST,
            transitions=[(pk, S.TEMP_LOST, card.before)],
            what=f"解挂 {previous}",
        )
        if done is not None:
            card.status, card.before, card.expires_at = card.before, "", None

    # -----------------------------------------------------------------------------------------
    # time and settings

    @rule(days=st.integers(0, 12), hours=st.sampled_from([0, 1, 23]), sweep=st.booleans())
    def advance_clock(self, days: int, hours: int, sweep: bool) -> None:
        self._advance(timedelta(days=days, hours=hours), sweep)

    def _next_expiry(self) -> datetime | None:
        return min(
            (card.expires_at for card in self.cards.values() if card.expires_at is not None),
            default=None,
        )

    @precondition(lambda self: self._next_expiry() is not None)
    @rule(seconds=st.sampled_from([-1, 0, 1]), sweep=st.booleans())
    def advance_to_the_next_expiry(self, seconds: int, sweep: bool) -> None:
        """The boundary: a second before the configured days are over, at, and after."""
        target = self._next_expiry() + timedelta(seconds=seconds)  # type: ignore[operator]
        self._advance(target - timezone.now(), sweep)

    def _advance(self, delta: timedelta, sweep: bool) -> None:
        self.clock.shift(delta)
        now = timezone.now()
        ended = []
        for pk, card in self.cards.items():
            if card.status == S.TEMP_LOST and card.expires_at and card.expires_at <= now:
                card.status, card.before, card.expires_at = card.before, "", None
                self.pending_expiry.add(pk)
                ended.append(pk)
        self.swept = False
        if not sweep:
            return
        waiting = len(self.pending_expiry)
        # every late write-back happens now, and nothing else
        lifted = self._run(card_expire_temporary_losses, ok=True, what="临时挂失到期")
        assert not self.pending_expiry, f"the sweep left {self.pending_expiry} 临时挂失"
        assert lifted == waiting
        self.swept = True
        for pk in ended:
            row = self._card(pk)
            assert row.status != S.TEMP_LOST, "临时挂失 past its expiry is still in force"
            assert row.status == self.cards[pk].status, "not back in the state before the report"
            assert row.loss_expires_at is None and row.status_before_loss == ""

    @rule(days=st.integers(1, 15))
    def set_temporary_loss_days(self, days: int) -> None:
        region = region_settings()
        region.temporary_loss_days = days
        region.full_clean()
        region.save(update_fields=["temporary_loss_days"])
        self.loss_days = days

    # -----------------------------------------------------------------------------------------
    # 补换卡: submit, accept, approve (old card 注销, new card in production), produce, hand over

    @rule(
        person=persons,
        which=which_card,
        kind=st.sampled_from(ReissueKind.values),
        reason=st.sampled_from([ReplaceReason.DAMAGED, ReplaceReason.UPGRADE]),
        upload_photo=st.sampled_from([True, True, True, False]),
        stages=st.integers(0, 4),
        identity_checked=st.sampled_from([True, True, True, False]),
    )
    def submit_reissue(
        self,
        person: int,
        which: int,
        kind: str,
        reason: str,
        upload_photo: bool,
        stages: int,
        identity_checked: bool,
    ) -> None:
        """补换卡, and possibly some of its later steps at once (see ``progress_reissue``)."""
        pk = self._pick(person, which)
        status = self.cards[pk].status
        allowed_from = (S.LOST,) if kind == ReissueKind.REISSUE else (S.ACTIVE, S.LOST)
        ok = (
            self.applications[person] is None
            and status in allowed_from
            and (upload_photo or self.has_photo[person])
        )
        data = {
            "kind": kind,
            "reason": reason,
            "bank": self.bank.code,
            "delivery": "outlet",
            "outlet": self.outlet.code,
        }
        application = self._run(
            lambda: applications.application_submit_reissue(
                requester=self._requester(person),
                card=self._card(pk),
                data=data,
                files={"photo": jpeg()} if upload_photo else {},
            ),
            ok=ok,
            what=f"补换卡申请 {kind} {status}",
        )
        if application is not None:
            self.applications[person] = ModelApplication(pk=application.pk, card=pk, kind=kind)
            self.has_photo[person] = True
            self._progress(person, stages, identity_checked)

    def _open(self) -> list[int]:
        return [person for person, app in enumerate(self.applications) if app is not None]

    @precondition(lambda self: self._open())
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        person = data.draw(st.sampled_from(self._open()))
        app = self.applications[person]
        assert app is not None
        self._run(
            lambda: applications.application_withdraw(
                requester=self._requester(person),
                application=Application.objects.get(pk=app.pk),
            ),
            ok=app.status in (AppStatus.SUBMITTED, AppStatus.ACCEPTED),
            what=f"撤回 {app.status}",
        )
        if app.status in (AppStatus.SUBMITTED, AppStatus.ACCEPTED):
            self.applications[person] = None

    @precondition(lambda self: self._open())
    @rule(
        data=st.data(),
        stages=st.integers(1, 4),
        identity_checked=st.sampled_from([True, True, True, False]),
    )
    def progress_reissue(self, data: st.DataObject, stages: int, identity_checked: bool) -> None:
        """Take an open 补换卡 application up to ``stages`` steps further: 受理, 审核通过,
        制卡 to the outlet, 网点发卡. Stops at the first refusal."""
        self._progress(data.draw(st.sampled_from(self._open())), stages, identity_checked)

    def _progress(self, person: int, stages: int, identity_checked: bool) -> None:
        for _ in range(stages):
            app = self.applications[person]
            if app is None or not self._next_stage(person, app, identity_checked):
                return

    def _next_stage(self, person: int, app: ModelApplication, identity_checked: bool) -> bool:
        if app.status == AppStatus.SUBMITTED:
            self._run(
                lambda: applications.application_accept(
                    application=Application.objects.get(pk=app.pk), actor=self.reviewer
                ),
                ok=True,
                what="受理",
            )
            app.status = AppStatus.ACCEPTED
            return True
        if app.status == AppStatus.ACCEPTED:
            old = self.cards[app.card]
            previous = old.status
            approved = self._run(
                lambda: applications.application_approve(
                    application=Application.objects.get(pk=app.pk), actor=self.reviewer
                ),
                # the old card 注销, a new card (its pk not known yet) in production
                ok=previous in (S.ACTIVE, S.LOST),
                transitions=[(app.card, previous, S.CANCELLED), (None, "", S.PRODUCING)],
                what=f"审核通过 原卡{previous}",
            )
            if approved is None:
                return False
            order = approved.production_order
            old.status, old.before, old.expires_at = S.CANCELLED, "", None
            self._add_card(person, order.card_id, S.PRODUCING)
            app.status, app.new_card = AppStatus.APPROVED, order.card_id
            app.order, app.stage = order.pk, Stage.APPROVED
            return True
        if app.stage == Stage.APPROVED:
            self._run(
                lambda: produce_to_outlet(Application.objects.get(pk=app.pk), self.producer),
                ok=True,
                what="制卡",
            )
            app.stage = Stage.OUTLET
            return True
        assert app.stage == Stage.OUTLET and app.new_card is not None
        order = ProductionOrder.objects.select_related("person").get(pk=app.order)
        # the collector shows the holder's document, or (identity_checked False) somebody else's
        document = (
            holder_document(order)
            if identity_checked
            else {"doc_type": "resident_id", "doc_number": SOMEBODY_ELSES_ID}
        )
        done = self._run(
            lambda: applications.application_handover(order=order, actor=self.clerk, **document),
            ok=identity_checked,
            transitions=[(app.new_card, S.PRODUCING, S.SEALED)],
            what=f"网点发卡 identity_checked={identity_checked}",
        )
        if done is None:
            return False
        self.cards[app.new_card].status = S.SEALED
        self.applications[person] = None
        return True

    # -----------------------------------------------------------------------------------------
    # invariants

    @invariant()
    def the_database_keeps_the_rules(self) -> None:
        """Read once, check everything (the ORM, not the database, is the slow part)."""
        now = timezone.now()
        cards = list(Card.objects.filter(person_id__in=self.person_ids).order_by("pk"))
        history = list(
            CardHistory.objects.filter(card__in=cards).values_list(
                "card_id", "from_status", "to_status"
            )
        )
        records = list(
            AuditRecord.objects.filter(action__startswith="card.")
            .exclude(action="card.finance_status")  # the bank's report, not a transition
            .exclude(result=AuditRecord.Result.REFUSED)  # a refused 发卡 moved no card
            .values_list("action", "target_type", "target_id", "detail")
        )
        open_apps = {app.pk: app.status for app in self.applications if app is not None}
        app_rows = dict(Application.objects.filter(pk__in=open_apps).values_list("pk", "status"))
        self._one_usable_and_one_live_card_per_person(cards, now)
        self._cards_match_the_model(cards, now)
        self._temporary_loss_ends_after_the_configured_days(cards, now)
        self._no_cancel_loss_after_formal_loss(history)
        self._every_transition_has_one_audit_record(history, records)
        assert app_rows == open_apps, f"applications {app_rows} != model {open_apps}"

    def _one_usable_and_one_live_card_per_person(self, cards: list[Card], now: datetime) -> None:
        for person_id in self.person_ids:
            mine = [card for card in cards if card.person_id == person_id]
            shown = [card_effective_status(card, now=now) for card in mine]
            assert sum(status in USABLE_STATUSES for status in shown) <= 1, shown
            assert sum(status in LIVE_STATUSES for status in shown) <= 1, shown
            assert sum(card.status in LIVE_STATUSES for card in mine) <= 1, shown

    def _cards_match_the_model(self, cards: list[Card], now: datetime) -> None:
        rows = {card.pk: card for card in cards}
        assert set(rows) == set(self.cards), "cards appeared or vanished"
        for pk, expected in self.cards.items():
            row = rows[pk]
            assert card_effective_status(row, now=now) == expected.status, (pk, row.status)
            if pk in self.pending_expiry:
                # the sweep is late: the row still says 临时挂失, but its time has passed
                assert row.status == S.TEMP_LOST
                assert row.loss_expires_at is not None and row.loss_expires_at <= now
                assert row.status_before_loss == expected.status
            else:
                assert row.status == expected.status, (pk, row.status, expected.status)
            if expected.status == S.TEMP_LOST:
                assert row.status_before_loss == expected.before
                assert row.loss_expires_at == expected.expires_at

    def _temporary_loss_ends_after_the_configured_days(
        self, cards: list[Card], now: datetime
    ) -> None:
        lost = [card for card in cards if card.status == S.TEMP_LOST]
        assert all(card.loss_expires_at is not None for card in lost), "临时挂失 without an end"
        overdue = {card.pk for card in lost if card.loss_expires_at <= now}  # type: ignore[operator]
        assert overdue <= self.pending_expiry, f"临时挂失 past its expiry: {overdue}"
        if self.swept:
            assert not overdue, f"the sweep left an expired 临时挂失: {overdue}"
        for card in self.cards.values():
            if card.status == S.TEMP_LOST:
                assert card.expires_at is not None and card.expires_at > now

    def _no_cancel_loss_after_formal_loss(self, history: list[tuple[int, str, str]]) -> None:
        left_lost = [row for row in history if row[1] == S.LOST and row[2] != S.CANCELLED]
        assert not left_lost, f"a card left 正式挂失 other than by 注销: {left_lost}"

    def _every_transition_has_one_audit_record(
        self, history: list[tuple[int, str, str]], records: list[tuple[str, str, str, Any]]
    ) -> None:
        """The card history and the card.* audit records are the same multiset of
        (card, from, to)."""
        audited: Counter[tuple[int, str, str]] = Counter()
        for action, target_type, target_id, detail in records:
            assert target_type == "cards.card" and int(target_id) in self.cards, (
                action,
                target_type,
                target_id,
            )
            if action == "card.created":
                audited[(int(target_id), "", S.PRODUCING)] += 1
            else:
                assert action == f"card.{detail['to']}", (action, detail)
                audited[(int(target_id), detail["from"], detail["to"])] += 1
        assert Counter(history) == audited, f"history {Counter(history)} != audit {audited}"


LIFECYCLE_SETTINGS = settings(
    max_examples=50,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_card_lifecycle_state_machine() -> None:
    run_state_machine_as_test(CardLifecycle, settings=LIFECYCLE_SETTINGS)


# ---------------------------------------------------------------------------------------------
# Pinned walks through the same machine: the H-3 paths run on every build, whatever the random
# examples reach. Each step checks its own outcome against the model and the invariants.


def _replay(*steps: tuple[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Run ``steps`` on a fresh machine; the statuses of each person's cards, oldest first."""
    machine = CardLifecycle()
    try:
        machine.starting_cards(second_card=S.ACTIVE)
        machine.the_database_keeps_the_rules()
        for name, arguments in steps:
            getattr(machine, name)(**arguments)
            machine.the_database_keeps_the_rules()
        return {
            "person0": [machine.cards[pk].status for pk in machine.cards_of[0]],
            "person1": [machine.cards[pk].status for pk in machine.cards_of[1]],
        }
    finally:
        machine.teardown()


def _reissue(kind: str, stages: int) -> tuple[str, dict[str, Any]]:
    return (
        "submit_reissue",
        {
            "person": 0,
            "which": 0,
            "kind": kind,
            "reason": ReplaceReason.DAMAGED,
            "upload_photo": True,
            "stages": stages,
            "identity_checked": True,
        },
    )


def _progress(stages: int) -> tuple[str, dict[str, Any]]:
    return ("_progress", {"person": 0, "stages": stages, "identity_checked": True})


@pytest.mark.django_db
def test_no_cancel_loss_after_formal_loss_and_the_reissue_ends_with_one_card() -> None:
    statuses = _replay(
        ("formal_loss", {"person": 0, "which": 0, "confirmed": True}),
        ("cancel_loss", {"person": 0, "which": 0}),  # refused: 正式挂失 is irreversible
        _reissue(ReissueKind.REISSUE, stages=1),  # 补卡 submitted and accepted
        ("cancel_loss", {"person": 0, "which": 0}),  # still refused with the order running
        _progress(3),  # approved (old card 注销), produced, handed over
        ("enable", {"person": 0, "which": 0, "password": ("135790", True)}),
    )
    assert statuses["person0"] == [S.CANCELLED, S.ACTIVE]


@pytest.mark.django_db
def test_a_replacement_waits_while_the_old_card_is_temporarily_lost() -> None:
    statuses = _replay(
        _reissue(ReissueKind.REPLACE, stages=1),  # 换卡 from 正常, accepted
        ("temporary_loss", {"person": 0, "which": 0}),
        _progress(1),  # 审核通过 refused: the old card is 临时挂失
        ("cancel_loss", {"person": 0, "which": 0}),
        _progress(3),
    )
    assert statuses["person0"] == [S.CANCELLED, S.SEALED]


@pytest.mark.django_db
def test_a_temporary_loss_ends_exactly_after_the_configured_days() -> None:
    statuses = _replay(
        ("set_temporary_loss_days", {"days": 3}),
        ("temporary_loss", {"person": 0, "which": 0}),
        ("advance_to_the_next_expiry", {"seconds": -1, "sweep": True}),  # still lost
        ("advance_to_the_next_expiry", {"seconds": 0, "sweep": True}),  # ended, swept
    )
    assert statuses["person0"] == [S.ACTIVE]


@pytest.mark.django_db
def test_replace_after_the_loss_report_ended_but_before_the_sweep() -> None:
    statuses = _replay(
        ("temporary_loss", {"person": 0, "which": 0}),
        ("advance_clock", {"days": 10, "hours": 0, "sweep": False}),
        _reissue(ReissueKind.REPLACE, stages=4),
    )
    assert statuses["person0"] == [S.CANCELLED, S.SEALED]


@pytest.mark.django_db
def test_approve_after_the_loss_report_ended_but_before_the_sweep() -> None:
    statuses = _replay(
        _reissue(ReissueKind.REPLACE, stages=1),
        ("temporary_loss", {"person": 0, "which": 0}),
        ("advance_clock", {"days": 10, "hours": 0, "sweep": False}),
        _progress(3),
    )
    assert statuses["person0"] == [S.CANCELLED, S.SEALED]
