"""The two query items as the citizen reads them: 制卡进度查询 from the moment the request is
submitted, and 应用状态查询 of every card of theirs, a cancelled one included."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sscard.accounts.trust import TrustLevel
from sscard.applications import services
from sscard.applications.tests.helpers import submit_apply
from sscard.portal.tests.helpers import Page, item_url, target_choices
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

SUBMITTED = datetime(2026, 3, 2, 20, 15, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def holder(client):
    user = UserFactory()
    sign_in(client, user, TrustLevel.L3)
    return user


def _timeline(html: str) -> list[tuple[str, str]]:
    """Each step of the timeline: its class and its text."""
    page = Page(html)
    (ol,) = [o for o in page.find("ol") if o.attrs.get("class") == "timeline"]
    steps = [li for li in page.find("li") if ol in li.parents]
    return [
        (
            li.attrs.get("class", ""),
            " ".join(s.text for s in page.find("span") if li in s.parents),
        )
        for li in steps
    ]


# --- 制卡进度查询 ------------------------------------------------------------------------------


def test_a_request_not_yet_accepted_shows_it_was_submitted(client, holder, bank, outlet):
    with time_machine.travel(SUBMITTED, tick=False):
        submit_apply(holder, bank, outlet)

    html = client.get(item_url("progress", f"person-{holder.person.pk}")).content.decode()

    first, *rest = _timeline(html)
    assert first == ("reached", "已提交 2026-03-02 20:15 线上提交")
    assert [label.split()[0] for _cls, label in rest] == [
        "已受理",
        "审核通过",
        "数据录入",
        "制卡中",
        "市银行签收",
        "网点签收",
        "已领卡",
    ]
    assert all(cls == "pending" and label.endswith("未开始") for cls, label in rest)
    assert "您的申请已提交，待工作人员受理" in html


def test_once_accepted_the_submitted_step_stays_and_the_waiting_note_goes(
    client, holder, bank, outlet, reviewer
):
    with time_machine.travel(SUBMITTED, tick=False):
        application = submit_apply(holder, bank, outlet)
    services.application_accept(application=application, actor=reviewer)

    html = client.get(item_url("progress", f"person-{holder.person.pk}")).content.decode()

    steps = _timeline(html)
    assert steps[0] == ("reached", "已提交 2026-03-02 20:15 线上提交")
    assert steps[1][0] == "reached" and steps[1][1].startswith("已受理")
    assert "待工作人员受理" not in html


# --- 应用状态查询 ------------------------------------------------------------------------------


@pytest.fixture
def replaced(holder):
    """The holder's old card, cancelled when its replacement was approved, and the new one."""
    old = CardFactory(person=holder.person, number="A11110001", cancelled=True)
    new = CardFactory(person=holder.person, number="A22220002")
    return old, new


def test_the_status_query_offers_a_cancelled_card_marked_cancelled(client, replaced):
    old, new = replaced

    choices = target_choices(client, "status")

    assert set(choices) == {f"card-{old.pk}", f"card-{new.pk}"}
    assert choices[f"card-{old.pk}"] == f"卡号 {old.masked_number} · {old.bank.name} · 已注销"
    assert choices[f"card-{new.pk}"] == f"卡号 {new.masked_number} · {new.bank.name} · 正常"


def test_a_cancelled_cards_status_is_shown_with_nothing_to_do_on_it(client, replaced):
    old, new = replaced

    html = client.get(item_url("status", f"card-{old.pk}")).content.decode()

    page = Page(html)
    assert old.masked_number in html and old.number not in html
    values = [s.text for s in page.find("span") if "cell-value" in s.attrs.get("class", "")]
    assert values[0] == "注销"  # 社保应用状态
    assert "该社会保障卡已注销，仅供查询" in html
    forms = [f.attrs.get("action") for f in page.find("form") if f.attrs.get("method") == "post"]
    assert forms == ["/elder/"]  # only the top bar's 长辈模式 switch
    # the card in use carries no such notice
    assert "已注销" not in client.get(item_url("status", f"card-{new.pk}")).content.decode()
