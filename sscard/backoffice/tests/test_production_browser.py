"""The production officer makes and sends a batch in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sscard.production.constants import BatchStatus
from sscard.production.models import Batch
from sscard.testing.browser import shot
from sscard.testing.otp import otp_browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_sends_a_batch_from_the_dashboard(desktop, producer, make_orders, bank):
    make_orders(2)
    otp_browser_login(desktop, producer)
    shot(desktop, "staff-home-producer")
    desktop.get_by_role("navigation", name="主菜单").get_by_role("link", name="制卡管理").click()
    expect(desktop.get_by_role("heading", name="制卡管理", exact=True)).to_be_visible()
    shot(desktop, "production-dashboard")
    desktop.get_by_role("link", name="创建批次").click()
    desktop.get_by_role("button", name="创建批次").click()
    expect(desktop.get_by_text("请核对后发送")).to_be_visible()
    desktop.get_by_role("button", name="发送批次（数据录入）").click()
    expect(desktop.get_by_text("订单进入“数据录入”")).to_be_visible()
    shot(desktop, "production-batch-sent")
    assert Batch.objects.get().status == BatchStatus.SENT
