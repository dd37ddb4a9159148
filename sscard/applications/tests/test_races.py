"""The invariants under real parallel connections (SECURITY H-1, H-2, H-3).

Each test releases N threads together with a barrier; every thread has its own database
connection, calls the service once and records either the result or the DomainError. Anything
else escaping a service (IntegrityError, OperationalError, ...) is what a user would see as a
server error, so the tests collect it and require none. Run on PostgreSQL (real row locks) and
on the file-backed SQLite test database (BEGIN IMMEDIATE: writers queue behind each other).
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sscard.accounts.models import Employment, Person, User, identity_hash
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus, ItemCode
from sscard.applications.models import Application
from sscard.applications.services import transitions
from sscard.applications.tests.helpers import apply_form, submit_apply
from sscard.audit.models import AuditRecord
from sscard.cards import services as card_services
from sscard.cards.constants import CARD_TRANSITIONS, CardStatus
from sscard.cards.models import Card, CardHistory
from sscard.conftest import jpeg
from sscard.testing.factories import (
    CardFactory,
    EmployerAgentFactory,
    PersonFactory,
    UserFactory,
)
from sscard.testing.races import Tally, run_at_once, tally

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 20


def race(n: int, work: Callable[[Any], Any], prepare: Callable[[int], Any]) -> Tally:
    """``work(prepare(i))`` in ``n`` threads released together (``prepare`` before the start)."""
    outcome = tally(run_at_once(*[work] * n, prepare=prepare))
    assert len(outcome.results) + len(outcome.refusals) + len(outcome.crashes) == n
    return outcome


def no_crashes(outcome: Tally) -> None:
    assert outcome.crashes == [], "\n".join(outcome.crashes)


def distinct_citizens(n: int) -> list[User]:
    """``n`` citizens whose ID numbers cannot clash: the factory draws the sequence digits at
    random (499 per birth date), so twenty people on one birth date would often collide."""
    return [UserFactory(person__birth_date=date(1980, 1, 1) + timedelta(days=i)) for i in range(n)]


def citizen_requester(user_pk: int) -> Requester:
    return Requester(
        user=User.objects.select_related("person").get(pk=user_pk), trust=TrustLevel.L4
    )


# ---------------------------------------------------------------------------------------------
# H-2: one person, one open card application


def test_twenty_simultaneous_applications_for_one_person_make_one(region, bank, outlet):
    citizen = UserFactory()
    form = apply_form(citizen.person, bank, outlet)

    def work(argument: tuple[Requester, uuid.UUID | None]) -> Application:
        requester, key = argument
        return services.application_submit_apply(
            requester=requester, data=form, files={"photo": jpeg()}, submission_key=key
        )

    # half the threads carry their own form token, half none: all are different submissions
    outcome = race(
        N, work, prepare=lambda i: (citizen_requester(citizen.pk), uuid.uuid4() if i % 2 else None)
    )

    no_crashes(outcome)
    assert len(outcome.results) == 1
    assert len(outcome.refusals) == N - 1
    winner = outcome.results[0][1]
    for message in outcome.messages:
        assert "不能重复申请" in message
        assert winner.receipt_number in message  # the refusal names the open application
    assert Application.objects.count() == 1
    assert Application.objects.get().subject_id == citizen.person_id
    assert AuditRecord.objects.filter(action="application.apply").count() == 1


def test_twenty_simultaneous_employer_applications_for_a_new_employee_record_one_person(
    region, bank, outlet
):
    agent = EmployerAgentFactory()
    employee = PersonFactory.build()  # no Person row yet
    form = apply_form(employee, bank, outlet)

    def work(requester: Requester) -> Application:
        return services.application_submit_apply(
            requester=requester, data=form, files={"photo": jpeg()}
        )

    outcome = race(
        N,
        work,
        prepare=lambda i: Requester(
            user=User.objects.select_related("employer").get(pk=agent.pk), trust=TrustLevel.L3
        ),
    )

    no_crashes(outcome)
    assert len(outcome.results) == 1
    assert len(outcome.refusals) == N - 1
    assert all("不能重复申请" in message for message in outcome.messages)
    people = Person.objects.filter(
        identity_hash=identity_hash(employee.doc_type, employee.doc_number)
    )
    assert people.count() == 1
    assert Application.objects.count() == 1
    assert Application.objects.get().subject_id == people.get().pk
    assert Employment.objects.filter(employer=agent.employer, person=people.get()).count() == 1


# ---------------------------------------------------------------------------------------------
# H-3: concurrent loss reports on one card


def test_twenty_simultaneous_temporary_loss_reports_make_one_transition(region):
    card = CardFactory()
    holder = UserFactory(person=card.person)

    def work(requester: Requester) -> Application:
        return services.item_report_loss(
            requester=requester, card=card, action=services.LossAction.TEMPORARY
        )

    outcome = race(N, work, prepare=lambda i: citizen_requester(holder.pk))

    no_crashes(outcome)
    assert len(outcome.results) == 1
    assert len(outcome.refusals) == N - 1
    assert all("已临时挂失" in message for message in outcome.messages)
    card.refresh_from_db()
    assert card.status == CardStatus.TEMP_LOST
    assert card.status_before_loss == CardStatus.ACTIVE
    history = list(CardHistory.objects.filter(card=card).values_list("from_status", "to_status"))
    assert history == [(CardStatus.ACTIVE, CardStatus.TEMP_LOST)]
    assert AuditRecord.objects.filter(action="card.temp_lost", target_id=str(card.pk)).count() == 1
    assert Application.objects.filter(item=ItemCode.LOSS).count() == 1


def test_cancel_loss_racing_formal_loss_ends_as_some_serial_order(region):
    card = CardFactory(lost_temporarily=True)
    holder = UserFactory(person=card.person)
    actions = [services.LossAction.CANCEL, services.LossAction.FORMAL] * (N // 2)

    def work(argument: tuple[Requester, str]) -> tuple[str, Application]:
        requester, action = argument
        application = services.item_report_loss(
            requester=requester, card=card, action=action, confirmed_irreversible=True
        )
        return action, application

    outcome = race(N, work, prepare=lambda i: (citizen_requester(holder.pk), actions[i]))

    no_crashes(outcome)
    card.refresh_from_db()
    won = [action for _, (action, _) in outcome.results]
    # formal loss always takes effect once (from 临时挂失, or from 正常 after a 解挂);
    # at most one 解挂 can take effect, and only before it
    assert won.count(services.LossAction.FORMAL) == 1
    assert won.count(services.LossAction.CANCEL) <= 1
    assert card.status == CardStatus.LOST

    # replaying the history from the starting state is a valid chain ending at the final state
    history = list(CardHistory.objects.filter(card=card).order_by("id"))
    assert len(history) == len(outcome.results)  # one row per effective change
    state = CardStatus.TEMP_LOST
    for row in history:
        assert row.from_status == state
        assert row.to_status in CARD_TRANSITIONS[state]
        state = row.to_status
    assert state == card.status
    assert [row.reason for row in history] == (
        ["解挂", "正式挂失"] if services.LossAction.CANCEL in won else ["正式挂失"]
    )

    # one audit record per effective change, and nothing audited for the refusals
    audited = AuditRecord.objects.filter(target_type="cards.card", target_id=str(card.pk))
    assert sorted(audited.values_list("action", flat=True)) == sorted(
        f"card.{row.to_status}" for row in history
    )
    assert Application.objects.filter(item=ItemCode.LOSS).count() == len(outcome.results)

    refused_cancel = ("正式挂失不能解挂", "未挂失，无需解挂")
    refused_formal = ("已正式挂失，无需重复办理",)
    assert len(outcome.refusals) == N - len(outcome.results)
    for i, error in outcome.refusals:
        expected = refused_cancel if actions[i] == services.LossAction.CANCEL else refused_formal
        assert any(fragment in error.message for fragment in expected), error.message


# ---------------------------------------------------------------------------------------------
# H-1: the same submission, twenty times at once


def test_twenty_simultaneous_submissions_of_one_form_return_the_same_application(
    region, bank, outlet
):
    citizen = UserFactory()
    form = apply_form(citizen.person, bank, outlet)
    key = uuid.uuid4()

    def work(requester: Requester) -> Application:
        return services.application_submit_apply(
            requester=requester, data=form, files={"photo": jpeg()}, submission_key=key
        )

    outcome = race(N, work, prepare=lambda i: citizen_requester(citizen.pk))

    no_crashes(outcome)
    assert outcome.messages == []
    assert len(outcome.results) == N
    assert Application.objects.count() == 1
    first = Application.objects.get()
    assert first.submission_key == key
    assert {application.pk for _, application in outcome.results} == {first.pk}
    assert {application.receipt_number for _, application in outcome.results} == {
        first.receipt_number
    }
    assert AuditRecord.objects.filter(action="application.apply").count() == 1
    assert first.materials.count() == 1  # the repeats attached nothing


def test_twenty_simultaneous_submissions_of_one_reissue_form_return_the_same_application(
    region, bank, outlet
):
    card = CardFactory(lost_formally=True)
    holder = UserFactory(person=card.person)
    key = uuid.uuid4()
    data = {"kind": "reissue", "bank": bank.code, "delivery": "outlet", "outlet": outlet.code}

    def work(requester: Requester) -> Application:
        return services.application_submit_reissue(
            requester=requester,
            card=card,
            data=data,
            files={"photo": jpeg()},
            submission_key=key,
        )

    outcome = race(N, work, prepare=lambda i: citizen_requester(holder.pk))

    no_crashes(outcome)
    assert outcome.messages == []
    assert Application.objects.count() == 1
    first = Application.objects.get()
    assert first.item == ItemCode.REISSUE
    assert {application.pk for _, application in outcome.results} == {first.pk}


# ---------------------------------------------------------------------------------------------
# Generated numbers that clash are drawn again, not turned into errors


def _first_call_collides(fixed: str, fresh: Callable[[int], str]) -> tuple[Callable, list[str]]:
    """A replacement generator: each thread's first call returns ``fixed``, later calls
    ``fresh(n)`` with a process-wide counter."""
    local = threading.local()
    counter = itertools.count(1)
    lock = threading.Lock()
    calls: list[str] = []

    def generate(*args: Any) -> str:
        with lock:
            value = fixed if not getattr(local, "collided", False) else fresh(next(counter))
            local.collided = True
            calls.append(value)
        return value

    return generate, calls


def test_clashing_receipt_numbers_are_drawn_again(monkeypatch, region, bank, outlet):
    citizens = distinct_citizens(N)
    stamp = timezone.localdate().strftime("%Y%m%d")
    fixed = f"{region.region_code}{stamp}{0:010d}"
    generate, calls = _first_call_collides(fixed, lambda n: f"{region.region_code}{stamp}{n:010d}")
    monkeypatch.setattr(transitions, "_receipt_number", generate)

    def work(requester: Requester) -> Application:
        return services.application_submit_apply(
            requester=requester,
            data=apply_form(requester.user.person, bank, outlet),
            files={"photo": jpeg()},
        )

    outcome = race(N, work, prepare=lambda i: citizen_requester(citizens[i].pk))

    no_crashes(outcome)
    assert outcome.messages == []
    assert len(outcome.results) == N
    receipts = list(Application.objects.values_list("receipt_number", flat=True))
    assert len(receipts) == N
    assert len(set(receipts)) == N
    assert fixed in receipts
    assert calls.count(fixed) == N  # every thread did collide once, 19 of them for real
    assert len(calls) == 2 * N - 1
    assert {app.subject_id for _, app in outcome.results} == {c.person_id for c in citizens}


def test_clashing_card_numbers_are_drawn_again(monkeypatch, region, bank, outlet, reviewer):
    accepted = []
    for citizen in distinct_citizens(N):
        application = submit_apply(citizen, bank, outlet)
        accepted.append(services.application_accept(application=application, actor=reviewer))
    fixed = "Z00000000"
    generate, calls = _first_call_collides(fixed, lambda n: f"Y{n:08d}")
    monkeypatch.setattr(card_services, "_new_card_number", generate)

    def work(application: Application) -> Application:
        return services.application_approve(application=application, actor=reviewer)

    outcome = race(N, work, prepare=lambda i: Application.objects.get(pk=accepted[i].pk))

    no_crashes(outcome)
    assert outcome.messages == []
    assert len(outcome.results) == N
    assert all(app.status == AppStatus.APPROVED for _, app in outcome.results)
    numbers = list(Card.objects.values_list("number", flat=True))
    assert len(numbers) == N
    assert len(set(numbers)) == N
    assert fixed in numbers
    assert calls.count(fixed) == N
    assert Card.objects.filter(status=CardStatus.PRODUCING).count() == N
    assert CardHistory.objects.filter(to_status=CardStatus.PRODUCING).count() == N
