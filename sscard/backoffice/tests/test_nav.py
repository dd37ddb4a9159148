"""The staff menu: one link per section the role may open, the same menu on every staff page
— the back office's own, 制卡管理 (sscard.production) and 消息发送 (sscard.notifications)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sscard.accounts.models import User
from sscard.applications.tests.helpers import approve, submit_apply
from sscard.notifications.models import Message
from sscard.production import services as production
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav class="bo-nav" aria-label="主菜单">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')


def menu(client, url: str) -> list[tuple[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    (nav,) = MENU.findall(response.content.decode())
    return LINK.findall(nav)


@pytest.fixture
def pages(bank, outlet, reviewer, producer):
    """Pages of each section, each role's own."""
    order = approve(submit_apply(UserFactory(), bank, outlet), reviewer).production_order
    batch = production.batch_create(bank=bank, order_ids=[order.pk], actor=producer)
    message = Message.objects.filter(notification__person=order.person).first()
    return {
        User.Role.PRODUCER: [
            reverse("backoffice:home"),
            reverse("backoffice:dashboard"),
            reverse("production:dashboard"),
            reverse("production:batch_new") + f"?bank={bank.code}",
            reverse("production:batch_detail", args=[batch.pk]),
        ],
        User.Role.ADMIN: [
            reverse("backoffice:home"),
            reverse("backoffice:audit"),
            reverse("notifications_staff:list"),
            reverse("notifications_staff:detail", args=[message.pk]),
            reverse("backoffice:failed_tasks"),
        ],
        User.Role.REVIEWER: [reverse("backoffice:home"), reverse("backoffice:queue")],
        User.Role.CLERK: [
            reverse("backoffice:home"),
            reverse("backoffice:outlet"),
            reverse("backoffice:appointments"),
        ],
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (User.Role.PRODUCER, ["工作台", "制卡管理", "统计看板"]),
        (User.Role.ADMIN, ["工作台", "统计看板", "消息发送", "审计日志", "失败任务", "缴费与对账"]),
        (
            User.Role.REVIEWER,
            [
                "工作台",
                "审核队列",
                "异常账号",
                "待审核单位",
                "窗口代办",
                "电子社保卡核验",
                "统计看板",
            ],
        ),
        (User.Role.CLERK, ["工作台", "网点发卡", "网点预约", "窗口代办", "电子社保卡核验"]),
    ],
)
def test_each_role_sees_the_same_menu_of_its_own_sections_on_every_staff_page(
    pages, outlet, role, expected
):
    user = StaffFactory(role=role, outlet=outlet if role == User.Role.CLERK else None)
    client = staff_client(user)
    menus = [menu(client, url) for url in pages[role]]

    assert [label for _, label in menus[0]] == expected
    assert all(m == menus[0] for m in menus[1:])  # the same menu on every page of every section
    links = {label: href for href, label in menus[0]}
    if "制卡管理" in expected:
        assert links["制卡管理"] == reverse("production:dashboard")
    if "消息发送" in expected:
        assert links["消息发送"] == reverse("notifications_staff:list")


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (User.Role.PRODUCER, "production:dashboard", "notifications_staff:list"),
        (User.Role.ADMIN, "notifications_staff:list", "production:dashboard"),
    ],
)
def test_the_home_page_offers_the_sections_of_other_apps_to_the_roles_that_may_open_them(
    role, shown, hidden
):
    page = staff_client(StaffFactory(role=role)).get(reverse("backoffice:home")).content.decode()
    tiles = re.findall(r'<a class="bo-tile" href="([^"]+)"', page)
    assert reverse(shown) in tiles and reverse(hidden) not in tiles
