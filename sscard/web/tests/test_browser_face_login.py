"""人脸识别登录 on a phone, over real HTTP: the portal's client talks to the simulated
provider on the live server, as it would to a real one."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.conf import settings
from playwright.sync_api import expect

from sscard.core.trust import TrustLevel
from sscard.identity.models import ExternalIdentity
from sscard.testing import faces
from sscard.testing.browser import PHONE, shot
from sscard.testing.ids import resident_id

pytestmark = pytest.mark.browser

NAME = "郑晓燕"
ID_NUMBER = resident_id(date(1992, 4, 18), male=False, serial=61)


def test_face_login_walks_the_guide_on_a_phone(phone, tmp_path):
    selfie = faces.write(tmp_path / "selfie.jpg", faces.one_face())
    crowd = faces.write(tmp_path / "two.jpg", faces.two_faces())

    phone.goto("/login/face/?next=/")
    expect(phone.get_by_role("heading", name="人脸识别登录")).to_be_visible()
    shot(phone, "face-login-1-identity")

    phone.get_by_label("姓名", exact=True).fill(NAME)
    phone.get_by_label("身份证号码", exact=True).fill(ID_NUMBER[:-1] + "Y")
    phone.get_by_role("button", name="开始人脸识别验证").click()
    expect(phone.get_by_text("身份证号码前17位应为数字，最后一位为数字或字母X")).to_be_visible()
    expect(phone.get_by_text("请阅读并勾选同意后再开始人脸识别验证")).to_be_visible()
    shot(phone, "face-login-2-identity-refused")

    phone.get_by_label("身份证号码", exact=True).fill(ID_NUMBER)
    phone.get_by_label(re.compile("本人已阅读并同意")).check()
    phone.get_by_role("button", name="开始人脸识别验证").click()
    expect(phone.get_by_role("heading", name="人脸识别验证")).to_be_visible()
    expect(phone.get_by_text("郑**")).to_be_visible()
    shot(phone, "face-login-3-face")

    phone.get_by_label("拍摄本人正脸照片").set_input_files(str(crowd))
    phone.get_by_label(re.compile("本人同意采集本次人脸图像")).check()
    phone.get_by_role("button", name="下一步").click()
    expect(phone.get_by_text("检测到多张人脸，请确保画面中只有本人")).to_be_visible()
    shot(phone, "face-login-4-face-refused")

    phone.get_by_label("拍摄本人正脸照片").set_input_files(str(selfie))
    phone.get_by_label(re.compile("本人同意采集本次人脸图像")).check()
    phone.get_by_role("button", name="下一步").click()
    expect(phone.get_by_role("heading", name="人脸识别验证成功")).to_be_visible()
    shot(phone, "face-login-5-verified")

    phone.get_by_role("link", name="返回揭阳智慧人社").click()
    phone.wait_for_url(re.compile(r"/$"))
    expect(phone.get_by_role("heading", name="智慧人社")).to_be_visible()
    link = ExternalIdentity.objects.select_related("user__person").get()
    assert link.user.person.name == NAME
    session_cookie = next(
        c for c in phone.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore(session_key=session_cookie["value"])
    assert session["trust"] == TrustLevel.L4 and int(session["_auth_user_id"]) == link.user.pk

    # a later visit on the same phone goes straight to the face step
    phone.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    phone.goto("/login/face/?next=/")
    expect(phone.get_by_role("heading", name="人脸识别验证")).to_be_visible()
    shot(phone, "face-login-6-remembered")

    phone.get_by_role("button", name="取消").click()
    expect(phone.get_by_text("您已取消人脸识别登录。")).to_be_visible()
    expect(phone.get_by_role("link", name="点击登录")).to_be_visible()
    shot(phone, "face-login-8-cancelled")


def test_a_refused_login_ends_on_a_plain_page_with_a_way_back(browser, live_server):
    # its own page: the answer is a 400, which the `phone` fixture counts as a console error
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    phone = context.new_page()
    response = phone.goto("/login/face/callback/?state=forged&code=forged")
    assert response.status == 400
    expect(phone.get_by_role("heading", name="登录未完成")).to_be_visible()
    expect(phone.get_by_text("登录请求已失效或不是从本站发起的，请重新登录。")).to_be_visible()
    expect(phone.get_by_role("link", name="点击登录")).to_be_visible()
    shot(phone, "face-login-7-refused")
    context.close()


def test_the_first_screen_is_usable_at_200_percent_text(phone):
    phone.goto("/login/face/?next=/")
    phone.evaluate("document.documentElement.style.fontSize = '200%'")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button = phone.get_by_role("button", name="开始人脸识别验证").bounding_box()
    assert button is not None and button["x"] + button["width"] <= PHONE["width"]
    shot(phone, "face-login-9-identity-200-percent")
