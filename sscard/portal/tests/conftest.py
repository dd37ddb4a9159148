"""Portal browser tests: log in as a citizen would, by the labels on the screen."""

from __future__ import annotations

import pytest

from sscard.accounts.models import User
from sscard.testing.browser import shot
from sscard.testing.factories import PASSWORD, UserFactory


def password_login(page, username: str, password: str = PASSWORD, screenshot: str = "") -> None:
    """首页 → 个人中心 → 点击登录 → 账号密码绑定 → 登录 → 继续访问."""
    page.goto("/")
    page.get_by_role("link", name="个人中心").first.click()
    page.get_by_role("link", name="点击登录").click()
    page.get_by_label("账号", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_label("验证码").fill("PASSED")
    if screenshot:
        shot(page, screenshot)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="继续访问").click()


def open_item(page, item_name: str) -> None:
    """首页 → 打包一件事 → 社会保障卡服务“一件事” → tick the item → 下一步."""
    page.goto("/")
    page.get_by_role("link", name="打包一件事").first.click()
    page.get_by_role("link", name="社会保障卡服务“一件事”").click()
    page.get_by_label(item_name).check()
    page.get_by_role("button", name="下一步").click()


@pytest.fixture
def citizen_user(db) -> User:
    return UserFactory(username="zhangsan")
