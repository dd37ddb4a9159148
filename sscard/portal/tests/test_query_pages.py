"""The query items as the citizen reads them: 制卡进度查询 from the moment the request is
submitted."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sscard.accounts.trust import TrustLevel
from sscard.applications import services
from sscard.applications.tests.helpers import submit_apply
from sscard.portal.tests.helpers import Page, item_url, sign_in
from sscard.testing.factories import UserFactory

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
