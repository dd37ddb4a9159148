"""As a new user would: open the portal from WeChat, tap 允许, bind by 账号密码绑定 and the
code texted to the phone on file, close, come back and land logged in; refuse and read why;
unbind and be asked to bind again."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from sscard.testing.browser import shot
from sscard.testing.factories import UserFactory
from sscard.testing.sms import code_sent_to
from sscard.wechat.models import WeChatBinding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def come_back(page) -> None:
    """Close the page in WeChat and open it again later: the portal's session is gone,
    WeChat still knows its user."""
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.goto("/")


def test_bind_in_wechat_then_come_back_logged_in(wechat_phone):
    user = UserFactory(username="zhangsan")
    page = wechat_phone
    page.goto("/")
    expect(page.get_by_text("申请获得以下权限")).to_be_visible()
    shot(page, "wechat-allow")
    page.get_by_role("button", name="允许").click()
    expect(page.get_by_role("heading", level=1, name="账号密码绑定")).to_be_visible()
    shot(page, "wechat-bind")
    page.get_by_label("账号", exact=True).fill("zhangsan")
    page.get_by_label("密码", exact=True).fill("correct horse battery")
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录并绑定").click()
    # the password alone binds nothing: a code to the phone on file first
    expect(page.get_by_role("link", name="短信验证码验证")).to_be_visible()
    shot(page, "wechat-bind-step-up")
    page.get_by_role("link", name="短信验证码验证").click()
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text(f"验证码已发送至 {user.person.masked_phone}")).to_be_visible()
    assert not WeChatBinding.objects.exists()
    page.get_by_label("验证码").fill(code_sent_to(user.person.phone))
    shot(page, "wechat-bind-code")
    page.get_by_role("button", name="验证", exact=True).click()
    expect(page.get_by_text("微信绑定成功")).to_be_visible()
    assert WeChatBinding.objects.filter(user=user).exists()

    come_back(page)
    page.goto("/me/")
    expect(page.get_by_text(user.person.masked_name).first).to_be_visible()
    expect(page.get_by_text("已绑定微信")).to_be_visible()
    shot(page, "wechat-center-bound")

    # unbind: the next visit asks to bind again
    page.get_by_text("解除绑定", exact=True).click()
    page.get_by_role("button", name="确定解除绑定").click()
    expect(page.get_by_text("已解除微信绑定")).to_be_visible()
    come_back(page)
    expect(page.get_by_role("heading", level=1, name="账号密码绑定")).to_be_visible()
    assert not WeChatBinding.objects.exists()


def test_refusing_in_wechat_is_explained(wechat_phone):
    page = wechat_phone
    page.goto("/")
    page.get_by_role("button", name="拒绝").click()
    expect(page.get_by_role("heading", name="您已拒绝授权")).to_be_visible()
    shot(page, "wechat-denied")
    page.get_by_role("link", name="暂不登录，继续浏览").click()
    expect(page.get_by_role("link", name="打包一件事").first).to_be_visible()
