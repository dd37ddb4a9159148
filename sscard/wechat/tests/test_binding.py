"""WeChat web authorization end to end through the simulated WeChat: the first visit asks
for 昵称头像 and offers 账号密码绑定; the next visit goes straight in; refusals and bad
answers bind nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import time_machine
from django.utils import timezone

from sscard.accounts.models import User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.audit.models import AuditRecord
from sscard.notifications import channels
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message
from sscard.portal.tests.helpers import step_up_by_sms
from sscard.testing.factories import PASSWORD, StaffFactory, UserFactory
from sscard.testing.sms import code_sent_to
from sscard.wechat.models import WeChatBinding
from sscard.wechat.tests.conftest import allow_page, answer, later_visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("texts")]


COMPLETE = "/wechat/bind/complete/"


def password_step(phone, username: str, password: str = PASSWORD):
    """账号密码绑定: account, password, captcha → 登录并绑定."""
    return phone.post(
        "/wechat/bind/",
        {"username": username, "password": password, "captcha_0": "x", "captcha_1": "PASSED"},
        follow=True,
    )


def bind_by_password(phone, username: str, password: str = PASSWORD):
    """账号密码绑定, then — as a citizen must — the code texted to the phone on file."""
    page = password_step(phone, username, password)
    if page.status_code != 403 or "短信验证码验证" not in page.content.decode():
        return page  # refused at the password step, or bound without a code (an employer)
    user = User.objects.get(username=username)
    step_up_by_sms(phone, user.person, COMPLETE)
    return phone.get(COMPLETE, follow=True)


def first_visit(phone, path: str = "/my/"):
    """Open a portal page inside WeChat: silently authorized, then asked for 昵称头像."""
    page = phone.get(path, follow=True)
    assert allow_page(page), page.content.decode()[:300]
    return page


def test_a_first_visit_binds_by_password_and_the_next_goes_straight_in(wechat):
    user = UserFactory(username="zhangsan")
    page = answer(wechat, first_visit(wechat), "allow")
    assert "账号密码绑定" in page.content.decode()
    assert not page.wsgi_request.user.is_authenticated

    done = bind_by_password(wechat, "zhangsan")
    assert done.wsgi_request.user == user
    assert done.redirect_chain[-1][0] == "/my/"  # back to the page first opened
    binding = WeChatBinding.objects.get(user=user)
    assert binding.openid.startswith("o") and binding.nickname
    assert AuditRecord.objects.filter(action="wechat.bound", actor_id=user.pk).exists()

    again = later_visit(wechat)
    landed = again.get("/my/", follow=True)
    assert landed.wsgi_request.user == user
    assert landed.wsgi_request.session["trust"] == TrustLevel.L3  # still steps up for L4 items
    assert not allow_page(landed)
    assert AuditRecord.objects.filter(action="login.wechat", actor_id=user.pk).exists()


def test_a_wrong_password_binds_nothing_and_keeps_the_account(wechat):
    UserFactory(username="zhangsan")
    answer(wechat, first_visit(wechat), "allow")
    page = bind_by_password(wechat, "zhangsan", "wrong-password")
    assert "账号或密码错误" in page.content.decode()
    assert 'value="zhangsan"' in page.content.decode()
    assert not WeChatBinding.objects.exists()


def test_refusing_authorization_explains_and_binds_nothing(wechat):
    UserFactory(username="zhangsan")
    page = answer(wechat, first_visit(wechat), "deny")
    assert page.status_code == 403
    text = page.content.decode()
    assert "您已拒绝授权" in text and "点击登录" in text
    assert not WeChatBinding.objects.exists()
    # refused once in this session: browsing the portal is not interrupted again
    assert wechat.get("/").status_code == 200


def test_unbinding_asks_to_bind_again_on_the_next_visit(wechat):
    user = UserFactory(username="zhangsan")
    answer(wechat, first_visit(wechat), "allow")
    bind_by_password(wechat, "zhangsan")
    center = wechat.get("/me/").content.decode()
    assert "已绑定微信" in center and "解除绑定" in center

    wechat.post("/wechat/unbind/")
    assert not WeChatBinding.objects.filter(user=user).exists()
    assert AuditRecord.objects.filter(action="wechat.unbound", actor_id=user.pk).exists()
    again = later_visit(wechat)
    page = again.get("/my/", follow=True)
    # 昵称头像 were allowed before: WeChat does not ask again, the portal offers binding
    assert "账号密码绑定" in page.content.decode()
    assert not page.wsgi_request.user.is_authenticated


def test_one_wechat_identity_binds_one_account(wechat):
    from sscard.core.errors import DomainError
    from sscard.wechat.services import wechat_bind

    zhangsan = UserFactory(username="zhangsan")
    lisi = UserFactory(username="lisi")
    answer(wechat, first_visit(wechat), "allow")
    bind_by_password(wechat, "zhangsan")
    openid = WeChatBinding.objects.get(user=zhangsan).openid

    with pytest.raises(DomainError, match="该微信已绑定其他账号"):
        wechat_bind(requester=Requester(user=lisi, trust=TrustLevel.L3_PLUS), openid=openid)
    # and the same WeChat user coming back lands in the bound account, not another
    assert later_visit(wechat).get("/my/", follow=True).wsgi_request.user == zhangsan
    assert WeChatBinding.objects.count() == 1


def test_an_account_already_bound_refuses_a_second_wechat(wechat, back_channel):
    from django.test import Client

    from sscard.wechat.tests.conftest import WECHAT_UA

    UserFactory(username="zhangsan")
    answer(wechat, first_visit(wechat), "allow")
    bind_by_password(wechat, "zhangsan")
    second_phone = Client(HTTP_USER_AGENT=WECHAT_UA)
    answer(second_phone, first_visit(second_phone), "allow")
    page = bind_by_password(second_phone, "zhangsan")
    assert "该账号已绑定其他微信" in page.content.decode()
    assert WeChatBinding.objects.count() == 1


def test_a_staff_account_cannot_be_bound(wechat):
    StaffFactory(username="reviewer1", password=PASSWORD)
    answer(wechat, first_visit(wechat), "allow")
    page = bind_by_password(wechat, "reviewer1")
    assert "工作人员账号不能绑定微信" in page.content.decode()
    assert not WeChatBinding.objects.exists()


def test_a_bound_accounts_openid_receives_the_wechat_messages(wechat):
    user = UserFactory(username="zhangsan")
    answer(wechat, first_visit(wechat), "allow")
    bind_by_password(wechat, "zhangsan")
    openid = WeChatBinding.objects.get(user=user).openid
    # the outbox finds the person on WeChat through the finder the wechat app registers
    assert channels.WechatChannel().addresses(user.person)[0][0] == openid
    assert channels.WechatChannel().addresses(UserFactory().person) == []


# ---------------------------------------------------------------------------------------------
# Bad answers: each refused cleanly, nothing bound


def _to_callback(phone):
    """Start an authorization and stop where WeChat sends the browser back."""
    started = phone.get("/wechat/?scope=userinfo")
    at_wechat = phone.get(started["Location"].split("#")[0])
    allowed = answer(phone, at_wechat, "allow", follow=False)
    return allowed["Location"]


def test_a_forged_state_is_refused(wechat):
    callback = _to_callback(wechat)
    forged = callback.replace("state=", "state=forged")
    page = wechat.get(forged)
    assert page.status_code == 400
    assert "授权请求已失效或不是从本站发起的" in page.content.decode()
    assert "bind" not in page.get("Location", "")
    assert not WeChatBinding.objects.exists()


def test_a_reused_state_is_refused(wechat):
    callback = _to_callback(wechat)
    assert wechat.get(callback)["Location"] == "/wechat/bind/"
    replay = wechat.get(callback)
    assert replay.status_code == 400
    assert "授权请求已失效" in replay.content.decode()


def test_an_expired_code_is_refused_with_wechats_reason(wechat):
    callback = _to_callback(wechat)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        page = wechat.get(callback)
    assert page.status_code == 400
    assert "微信授权码无效" in page.content.decode()
    assert wechat.session.get("wechat_identity") is None


def test_a_code_used_twice_is_refused_by_wechat(wechat, back_channel):
    from sscard.wechat import client

    callback = _to_callback(wechat)
    code = callback.split("code=")[1].split("&")[0]
    cfg = client.config()
    cfg = client.Config(cfg.appid, cfg.secret, cfg.authorize_url, "http://testserver/wechat-sim", 5)
    client.exchange_code(cfg, code)
    with pytest.raises(client.WeChatError) as refused:
        client.exchange_code(cfg, code)
    assert refused.value.errcode == 40163
    assert "已被使用" in refused.value.message


def test_a_wechat_error_code_is_shown_in_plain_chinese(wechat, monkeypatch):
    from sscard.wechat.simulator import views as simulated_wechat

    callback = _to_callback(wechat)
    # WeChat no longer accepts the AppSecret configured here (it was reset at WeChat)
    monkeypatch.setattr(simulated_wechat, "_secret", lambda: "a-secret-reset-at-wechat")
    page = wechat.get(callback)
    assert page.status_code == 400
    assert "公众号配置有误（AppSecret无效）" in page.content.decode()
    assert not WeChatBinding.objects.exists()


def test_wechat_not_answering_in_time_is_told(wechat, back_channel):
    callback = _to_callback(wechat)
    back_channel.fail_with = httpx.ReadTimeout("slow")
    page = wechat.get(callback)
    assert page.status_code == 502
    assert "微信服务响应超时" in page.content.decode()


def test_outside_wechat_the_portal_does_not_redirect(client):
    assert client.get("/").status_code == 200


def test_logging_out_inside_wechat_stays_logged_out(wechat):
    user = UserFactory(username="zhangsan")
    answer(wechat, first_visit(wechat), "allow")
    bind_by_password(wechat, "zhangsan")
    wechat.post("/logout/")
    page = wechat.get("/me/", follow=True)
    assert not page.wsgi_request.user.is_authenticated
    assert User.objects.get(pk=user.pk).wechat_binding  # still bound for the next visit


# ---------------------------------------------------------------------------------------------
# Binding needs L3+ (Action.WECHAT_BIND): the password and a code to the phone on file


def test_the_password_alone_binds_nothing_until_the_code_to_the_phone_on_file(wechat):
    user = UserFactory(username="zhangsan")
    answer(wechat, first_visit(wechat), "allow")

    page = password_step(wechat, "zhangsan")

    assert page.status_code == 403
    assert page.redirect_chain[-1][0] == COMPLETE
    html = page.content.decode()
    assert "绑定微信需先验证本人身份" in html and "短信验证码验证" in html
    assert not WeChatBinding.objects.exists()
    assert not Message.objects.filter(notification__event=Event.WECHAT_BOUND).exists()
    # the password signed the account in, as a password login does: L3
    assert page.wsgi_request.user == user
    assert page.wsgi_request.session["trust"] == TrustLevel.L3
    # coming back to the binding without the code still binds nothing
    assert wechat.get(COMPLETE).status_code == 403
    assert not WeChatBinding.objects.exists()


def test_a_wrong_code_binds_nothing(wechat):
    user = UserFactory(username="zhangsan")
    answer(wechat, first_visit(wechat), "allow")
    password_step(wechat, "zhangsan")
    wechat.post("/verify/sms/", {"action": "send", "next": COMPLETE})
    code = code_sent_to(user.person.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    refused = wechat.post("/verify/sms/", {"action": "verify", "code": wrong, "next": COMPLETE})

    assert refused.status_code == 400
    assert wechat.get(COMPLETE).status_code == 403
    assert not WeChatBinding.objects.exists()


def test_the_code_goes_to_the_phone_on_file_and_binding_then_tells_the_holder(wechat):
    user = UserFactory(username="zhangsan")
    answer(wechat, first_visit(wechat), "allow")
    password_step(wechat, "zhangsan")

    code_page = wechat.get(f"/verify/sms/?next={COMPLETE}").content.decode()
    assert user.person.masked_phone in code_page and user.person.phone not in code_page
    back = step_up_by_sms(wechat, user.person, COMPLETE)
    assert back["Location"] == COMPLETE
    done = wechat.get(COMPLETE, follow=True)

    assert done.redirect_chain[-1][0] == "/my/"  # back to the page first opened
    assert "微信绑定成功" in done.content.decode()
    assert WeChatBinding.objects.filter(user=user).exists()
    record = AuditRecord.objects.get(action="wechat.bound", actor_id=user.pk)
    assert record.detail == {"trust": "L3+"}
    told = Message.objects.filter(notification__event=Event.WECHAT_BOUND, channel=Channel.SMS)
    assert list(told.values_list("address", flat=True)) == [user.person.phone]


def test_the_service_refuses_a_password_only_binding(wechat):
    from sscard.core.errors import DomainError
    from sscard.wechat.services import wechat_bind

    user = UserFactory()
    with pytest.raises(DomainError) as refused:
        wechat_bind(requester=Requester(user=user, trust=TrustLevel.L3), openid="o-someone")
    assert refused.value.code == "step_up_required"
    assert not WeChatBinding.objects.exists()


def test_without_a_phone_on_file_only_face_verification_binds(wechat):
    user = UserFactory(username="zhangsan", person__phone="")
    answer(wechat, first_visit(wechat), "allow")

    page = password_step(wechat, "zhangsan")

    html = page.content.decode()
    assert page.status_code == 403 and "没有预留手机号码" in html
    assert "开始人脸识别验证" in html and "短信验证码验证" not in html
    assert not WeChatBinding.objects.filter(user=user).exists()


def test_an_employer_account_binds_with_its_password_as_before(wechat):
    """An employer's login has no person and no phone on file to send a code to."""
    from sscard.testing.factories import EmployerAgentFactory

    agent = EmployerAgentFactory(username="danwei01")
    answer(wechat, first_visit(wechat), "allow")

    page = password_step(wechat, "danwei01")

    assert "微信绑定成功" in page.content.decode()
    assert WeChatBinding.objects.filter(user=agent).exists()
