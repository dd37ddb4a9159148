"""制卡进度查询 and 应用状态查询 (DOMAIN §4.6, §4.7, §8): the production timeline with times and
places, the deadline and the expected date; the card's two applications, masked."""

from __future__ import annotations

from dataclasses import astuple
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.catalogue import SSCARD, Audience, Item, ItemKind
from sscard.applications.constants import ItemCode
from sscard.applications.selectors import (
    Step,
    cards_for_requester,
    query_card_status,
    query_progress,
)
from sscard.applications.tests.helpers import apply_form, approve, holder_document, submit_apply
from sscard.cards import services as card_services
from sscard.cards.constants import CardStatus, LossKind
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.production import services as production
from sscard.production.constants import Stage
from sscard.testing.factories import (
    BankFactory,
    CardFactory,
    EmployerAgentFactory,
    GuardianshipFactory,
    PersonFactory,
    UserFactory,
    requester_for,
)
from sscard.testing.ids import resident_id

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
REQUEST = ["已提交", "已受理", "审核通过", "数据录入", "制卡中", "市银行签收"]
OUTLET_TIMELINE = [*REQUEST, "网点签收", "已领卡"]
MAIL_TIMELINE = [*REQUEST, "已寄出", "已领卡"]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def progress_of(user, subject=None):
    return query_progress(requester=requester_for(user), subject=subject or user.person)


def reached(progress) -> list[str]:
    return [step.label for step in progress.steps if step.reached]


# --- 制卡进度查询 ------------------------------------------------------------------------------


def test_the_timeline_shows_every_stage_in_order_with_its_time_and_place(
    citizen, bank, outlet, reviewer, producer, clerk
):
    days = [date(2026, 3, 2) + timedelta(days=n) for n in range(8)]
    with time_machine.travel(at(days[0], 9), tick=False):
        application = submit_apply(citizen, bank, outlet)
    with time_machine.travel(at(days[0]), tick=False):
        services.application_accept(application=application, actor=reviewer)
    with time_machine.travel(at(days[1]), tick=False):
        order = services.application_approve(
            application=application, actor=reviewer
        ).production_order
    with time_machine.travel(at(days[2]), tick=False):
        production.order_send_data(order=order, actor=producer)
    for day, stage in zip(days[3:6], (Stage.PRODUCING, Stage.CITY_BANK, Stage.OUTLET), strict=True):
        with time_machine.travel(at(day), tick=False):
            production.order_advance(order=order, to=stage, actor=producer)
    with time_machine.travel(at(days[7]), tick=False):
        services.application_handover(order=order, actor=clerk, **holder_document(order))

    progress = progress_of(citizen)

    assert [step.label for step in progress.steps] == OUTLET_TIMELINE
    assert all(step.reached for step in progress.steps)
    assert [step.at for step in progress.steps] == [
        at(days[0], 9),
        *(at(d) for d in (*days[:6], days[7])),
    ]
    places = {step.label: step.place for step in progress.steps}
    assert places["已提交"] == "线上提交"
    assert places["数据录入"] == "中国工商银行"
    assert places["网点签收"] == places["已领卡"] == "榕城区社保卡服务中心"
    assert progress.expected_on is None  # collected: nothing left to expect


@pytest.mark.parametrize(("who", "place"), [("employer", "单位申报"), ("counter", "窗口代办")])
def test_the_submitted_step_says_where_the_request_came_in(who, place, bank, outlet, reviewer):
    person = PersonFactory()
    if who == "employer":
        requester = requester_for(EmployerAgentFactory())
    else:
        requester = Requester(user=reviewer, trust=TrustLevel.L4, counter=True)
    application = services.application_submit_apply(
        requester=requester, data=apply_form(person, bank, outlet), files={"photo": jpeg()}
    )

    progress = query_progress(requester=requester, subject=person)

    assert progress.steps[0] == Step("已提交", True, application.submitted_at, place)


def test_stages_not_yet_reached_have_no_time_and_no_place(citizen, bank, outlet, reviewer):
    approve(submit_apply(citizen, bank, outlet), reviewer)

    progress = progress_of(citizen)

    assert reached(progress) == ["已提交", "已受理", "审核通过"]
    waiting = [step for step in progress.steps if not step.reached]
    assert [step.label for step in waiting] == OUTLET_TIMELINE[3:]
    assert all(step.at is None and step.place == "" for step in waiting)


def test_a_submitted_application_shows_it_was_received_and_nothing_else_yet(citizen, bank, outlet):
    submitted = at(date(2026, 3, 2), 20)  # in the evening: nobody accepts it before tomorrow
    with time_machine.travel(submitted, tick=False):
        application = submit_apply(citizen, bank, outlet)

    progress = progress_of(citizen)

    assert [step.label for step in progress.steps] == OUTLET_TIMELINE
    first, *rest = progress.steps
    assert (first.label, first.reached, first.at) == ("已提交", True, submitted)
    assert first.at == application.submitted_at
    assert not any(step.reached for step in rest)
    assert progress.due_on is None  # the legal time limit starts at 受理


def test_a_mailed_card_shows_sent_with_its_tracking_number(
    citizen, bank, outlet, reviewer, producer
):
    order = approve(
        submit_apply(
            citizen, bank, outlet, delivery="mail", mail_address="广东省揭阳市榕城区东山大道9号"
        ),
        reviewer,
    ).production_order
    production.order_send_data(order=order, actor=producer)
    for stage in (Stage.PRODUCING, Stage.CITY_BANK):
        production.order_advance(order=order, to=stage, actor=producer)
    production.order_advance(
        order=order, to=Stage.MAILED, actor=producer, tracking_number="SF1234567890"
    )

    progress = progress_of(citizen)

    assert [step.label for step in progress.steps] == MAIL_TIMELINE
    assert reached(progress) == MAIL_TIMELINE[:7]
    assert progress.tracking_number == "SF1234567890"
    assert "SF1234567890" in progress.steps[6].note


def test_a_failed_production_shows_its_reason_until_the_data_is_sent_again(
    citizen, bank, outlet, reviewer, producer
):
    order = approve(submit_apply(citizen, bank, outlet), reviewer).production_order
    production.order_send_data(order=order, actor=producer)
    production.order_fail(order=order, reason="芯片写入失败", actor=None)

    failed = progress_of(citizen)
    production.order_send_data(order=order, actor=producer)
    resent = progress_of(citizen)

    assert failed.failed_reason == "芯片写入失败"
    assert failed.expected_on is not None
    assert resent.failed_reason == ""


def test_an_open_application_shows_its_legal_deadline_and_an_expected_date(
    citizen, bank, outlet, reviewer, producer
):
    with time_machine.travel(at(date(2026, 3, 2)), tick=False):
        order = approve(submit_apply(citizen, bank, outlet), reviewer).production_order
        production.order_send_data(order=order, actor=producer)

        progress = progress_of(citizen)

    assert progress.due_on == date(2026, 4, 7)  # 25 working days after 2 March
    assert progress.expected_on is not None
    assert date(2026, 3, 2) < progress.expected_on <= progress.due_on


def test_the_newest_card_request_is_shown(citizen, bank, outlet, reviewer):
    first = submit_apply(citizen, bank, outlet)
    services.application_withdraw(requester=requester_for(citizen), application=first)
    with time_machine.travel(datetime.now(tz=SHANGHAI) + timedelta(minutes=5)):
        second = submit_apply(citizen, bank, outlet)

    assert progress_of(citizen).application == second


def test_a_guardian_follows_the_childs_card(citizen, bank, outlet):
    birth = timezone.localdate() - timedelta(days=365 * 6)
    form = apply_form(
        citizen.person,
        bank,
        outlet,
        doc_type="household",
        doc_number=resident_id(birth),
        name="张小红",
        gender="M",
        birth_date=birth.isoformat(),
        relationship="mother",
    )
    application = services.application_submit_apply(
        requester=requester_for(citizen),
        data=form,
        files={"photo": jpeg(), "household": jpeg(), "guardian_proof": jpeg()},
    )

    progress = progress_of(citizen, application.subject)

    assert progress.application == application
    assert progress.application.relation == "guardian"


def test_a_stranger_cannot_follow_someone_elses_card(citizen, bank, outlet):
    submit_apply(citizen, bank, outlet)

    with pytest.raises(DomainError, match="未找到可为您办理的人员信息"):
        progress_of(UserFactory(), citizen.person)


def test_someone_who_never_applied_is_told_there_is_no_card_order(citizen):
    with pytest.raises(DomainError, match="暂无制卡记录") as refused:
        progress_of(citizen)

    assert refused.value.code == "no_order"


def test_the_progress_query_does_not_grow_with_the_production_events(
    citizen, bank, outlet, reviewer, producer, django_assert_num_queries
):
    order = approve(submit_apply(citizen, bank, outlet), reviewer).production_order
    requester = requester_for(citizen)

    # the region settings, the application with its order and outlet, the order's events (the
    # administrator's holiday table for the expected date comes from the cache)
    with django_assert_num_queries(3):
        one_event = query_progress(requester=requester, subject=citizen.person)

    production.order_send_data(order=order, actor=producer)
    production.order_fail(order=order, reason="芯片写入失败", actor=None)
    production.order_send_data(order=order, actor=producer)
    for stage in (Stage.PRODUCING, Stage.CITY_BANK):
        production.order_advance(order=order, to=stage, actor=producer)

    with django_assert_num_queries(3):
        many_events = query_progress(requester=requester, subject=citizen.person)

    assert len(reached(many_events)) > len(reached(one_event))


# --- 应用状态查询 ------------------------------------------------------------------------------


def test_the_card_status_is_shown_masked_with_both_applications(citizen):
    card = CardFactory(
        person=citizen.person, number="A12345678", bank=BankFactory(code="CCB", name="中国建设银行")
    )

    view = query_card_status(requester=requester_for(citizen), card=card)

    assert view.masked_number == "A****5678"
    assert "12345678" not in "".join(str(value) for value in astuple(view))
    assert view.bank == "中国建设银行"
    assert view.issuing_area == "揭阳市"
    assert (view.issued_on, view.expires_on) == (date(2020, 6, 1), date(2030, 6, 1))
    assert view.social_status == "正常"
    assert view.loss_expires_at is None
    assert view.finance_status == "未激活"


@pytest.mark.parametrize(
    ("status", "label"), [("active", "已激活"), ("lost", "挂失"), ("inactive", "未激活")]
)
def test_the_finance_status_is_shown_as_the_bank_reports_it(citizen, status, label):
    card = CardFactory(person=citizen.person, finance_status=status)  # as the bank reported it

    view = query_card_status(requester=requester_for(citizen), card=card)
    assert view.finance_status == label
    assert view.social_status == "正常"  # the bank's report does not touch the 社保应用


def test_a_temporary_report_is_shown_with_its_expiry_time(citizen):
    reported = at(date(2026, 3, 2))
    card = CardFactory(person=citizen.person, sealed=True)
    with time_machine.travel(reported, tick=False):
        # the card as read after the report (the query does not read it again)
        card = card_services.card_report_loss(card=card, kind=LossKind.TEMPORARY, actor=None)
        view = query_card_status(requester=requester_for(citizen), card=card)

    assert view.social_status == "临时挂失"
    assert view.loss_expires_at == reported + timedelta(days=10)


def test_an_expired_temporary_report_shows_the_state_before_it(citizen):
    reported = at(date(2026, 3, 2))
    card = CardFactory(person=citizen.person, sealed=True)
    with time_machine.travel(reported, tick=False):
        card = card_services.card_report_loss(card=card, kind=LossKind.TEMPORARY, actor=None)
    assert card.status == CardStatus.TEMP_LOST  # as stored: the lapse is read, not written

    with time_machine.travel(reported + timedelta(days=10, hours=1), tick=False):
        view = query_card_status(requester=requester_for(citizen), card=card)

    assert view.social_status == "封存"
    assert view.loss_expires_at is None


@pytest.mark.parametrize(
    ("state", "label"),
    [(CardStatus.SEALED, "封存"), (CardStatus.LOST, "正式挂失"), (CardStatus.CANCELLED, "注销")],
)
def test_every_social_security_state_has_its_label(citizen, state, label):
    card = CardFactory(person=citizen.person, status=state)

    assert query_card_status(requester=requester_for(citizen), card=card).social_status == label


def test_a_stranger_cannot_see_a_cards_status():
    card = CardFactory()

    with pytest.raises(DomainError, match="未找到可为您办理的人员信息"):
        query_card_status(requester=requester_for(UserFactory()), card=card)


# --- 选择社保卡 --------------------------------------------------------------------------------


def test_the_card_list_holds_own_and_young_wards_cards_but_not_cancelled_ones(citizen):
    own = CardFactory(person=citizen.person)
    CardFactory(person=citizen.person, cancelled=True)
    child = PersonFactory(minor=True)
    GuardianshipFactory(guardian=citizen.person, ward=child)
    childs = CardFactory(person=child, sealed=True)
    grown = PersonFactory(birth_date=date(2008, 1, 1))
    GuardianshipFactory(guardian=citizen.person, ward=grown)
    CardFactory(person=grown)
    former = PersonFactory(minor=True)
    GuardianshipFactory(guardian=citizen.person, ward=former, active=False)
    CardFactory(person=former)
    CardFactory()  # a stranger's

    cards = cards_for_requester(requester_for(citizen))

    assert set(cards) == {own, childs}


def test_cancelled_cards_are_listed_for_the_status_query_only(citizen):
    live = CardFactory(person=citizen.person)
    replaced = CardFactory(person=citizen.person, cancelled=True)
    child = PersonFactory(minor=True)
    GuardianshipFactory(guardian=citizen.person, ward=child)
    childs_old = CardFactory(person=child, cancelled=True)
    CardFactory(cancelled=True)  # a stranger's
    requester = requester_for(citizen)

    listing = {item.code: item.lists_cancelled_cards for item in SSCARD.items if item.needs_card}
    assert listing == {
        ItemCode.ENABLE: False,
        ItemCode.LOSS: False,
        ItemCode.REISSUE: False,
        ItemCode.STATUS: True,
    }
    assert set(cards_for_requester(requester, include_cancelled=True)) == {
        live,
        replaced,
        childs_old,
    }
    assert cards_for_requester(requester, card_id=replaced.pk) == []
    assert cards_for_requester(requester, card_id=replaced.pk, include_cancelled=True) == [replaced]
    view = query_card_status(requester=requester, card=replaced)
    assert (view.social_status, view.cancelled) == ("注销", True)
    assert query_card_status(requester=requester, card=live).cancelled is False


def test_only_a_query_may_list_cancelled_cards():
    with pytest.raises(ValueError, match="acts on a card"):
        Item(
            "x",
            "补换卡",
            "无",
            25,
            ItemKind.REVIEWED,
            frozenset({Audience.CITIZEN}),
            "e",
            "h",
            lists_cancelled_cards=True,
        )


def test_a_ward_drops_off_the_list_on_turning_16(citizen):
    child = PersonFactory(birth_date=date(2010, 12, 15))
    GuardianshipFactory(guardian=citizen.person, ward=child)
    card = CardFactory(person=child)

    with time_machine.travel(at(date(2026, 12, 14)), tick=False):
        before = cards_for_requester(requester_for(citizen))
    with time_machine.travel(at(date(2026, 12, 15)), tick=False):
        after = cards_for_requester(requester_for(citizen))

    assert before == [card]
    assert after == []
