"""With DEBUG off, a visitor who meets an error sees a Chinese page in the look of the side
they are on — the citizen's H5 portal with 返回首页 and 个人中心, the staff back office with a
link back to /staff/ — never Django's English "Not Found" or "Server Error (500)", never the
address they asked for (it may hold an ID number), and with the security headers of every
other page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import loader
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from sscard.core.errorpages import server_error
from sscard.testing.factories import UserFactory

ID_NUMBER = "445202199001011234"
TEST_URLS = "sscard.core.tests.error_urls"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("debug_off")]


@pytest.fixture
def debug_off():
    with override_settings(DEBUG=False):
        yield


def _client() -> Client:
    client = Client()
    client.raise_request_exception = False
    return client


def _html(response) -> str:
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response.content.decode()


def _assert_portal_look(html: str) -> None:
    assert "portal/portal.css" in html
    assert f'href="{reverse("portal:home")}"' in html and "返回首页" in html
    assert f'href="{reverse("portal:center")}"' in html and "个人中心" in html
    assert "业务经办" not in html


def _assert_staff_look(html: str) -> None:
    assert "backoffice/staff.css" in html
    assert f'href="{reverse("backoffice:home")}"' in html and "返回业务经办首页" in html
    assert "个人中心" not in html


def _assert_security_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_an_unknown_portal_address_answers_a_chinese_404_with_the_portal_links():
    response = _client().get(f"/no-such-page/{ID_NUMBER}/")

    assert response.status_code == 404
    html = _html(response)
    assert "页面不存在" in html
    assert "Not Found" not in html
    _assert_portal_look(html)
    _assert_security_headers(response)


def test_an_error_page_never_shows_the_address_that_was_asked_for():
    response = _client().get(f"/no-such-page/{ID_NUMBER}/?doc={ID_NUMBER}")

    html = _html(response)
    assert ID_NUMBER not in html
    assert "no-such-page" not in html


def test_an_unknown_staff_address_answers_a_404_in_the_back_office_look():
    response = _client().get(f"/staff/no-such-screen/{ID_NUMBER}/")

    assert response.status_code == 404
    html = _html(response)
    assert "页面不存在" in html
    assert ID_NUMBER not in html
    _assert_staff_look(html)
    _assert_security_headers(response)


def test_an_unknown_employer_address_leads_back_to_the_employer_pages():
    response = _client().get("/employer/no-such-page/")

    assert response.status_code == 404
    html = _html(response)
    assert f'href="{reverse("employers:index")}"' in html and "返回单位服务" in html
    assert "portal/portal.css" in html


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_a_failing_portal_view_answers_the_chinese_500_page():
    response = _client().get(f"/broken/{ID_NUMBER}/")

    assert response.status_code == 500
    html = _html(response)
    assert "系统繁忙" in html
    assert "Server Error" not in html
    assert ID_NUMBER not in html
    _assert_portal_look(html)
    _assert_security_headers(response)


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_the_500_page_names_the_request_id_and_shows_nothing_of_the_failure(caplog):
    """What the visitor quotes (错误编号) is the id in the log next to the traceback; the page
    carries no traceback, exception text, SQL or settings."""
    response = _client().get(f"/broken/{ID_NUMBER}/")

    html = _html(response)
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert f"错误编号：{request_id}" in html
    for leak in ("Traceback", "RuntimeError", "a bug while handling", "SELECT", "SECRET_KEY"):
        assert leak not in html, leak
    assert any(
        r.levelname == "ERROR" and f"request={request_id}" in r.getMessage() for r in caplog.records
    )
    assert any(r.exc_info and "a bug while handling" in str(r.exc_info[1]) for r in caplog.records)


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_a_failing_staff_view_answers_the_500_page_in_the_back_office_look():
    response = _client().get(f"/staff/broken/{ID_NUMBER}/")

    assert response.status_code == 500
    html = _html(response)
    assert "系统繁忙" in html and "请联系系统管理员" in html
    assert ID_NUMBER not in html
    _assert_staff_look(html)


@pytest.mark.django_db(False)
def test_the_500_page_renders_without_database_session_or_user():
    # no database access is allowed in this test: the page must not need one
    request = RequestFactory().get(f"/broken/{ID_NUMBER}/")

    response = server_error(request)

    assert response.status_code == 500
    _assert_portal_look(response.content.decode())


@pytest.mark.django_db(False)
def test_the_500_template_renders_with_the_empty_context_django_gives_it():
    html = loader.render_to_string("500.html", {})

    assert "系统繁忙" in html
    _assert_portal_look(html)


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_a_refused_portal_request_answers_the_chinese_403_page():
    response = _client().get("/refused/")

    assert response.status_code == 403
    html = _html(response)
    assert "无权访问" in html
    assert "not for you" not in html
    _assert_portal_look(html)
    _assert_security_headers(response)


def test_a_citizen_opening_a_staff_screen_gets_the_403_page_in_the_back_office_look():
    client = _client()
    client.force_login(UserFactory())

    response = client.get(reverse("backoffice:queue"))

    assert response.status_code == 403
    html = _html(response)
    assert "无权访问" in html
    _assert_staff_look(html)
    _assert_security_headers(response)


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_a_malformed_request_answers_the_chinese_400_page():
    response = _client().get("/malformed/")

    assert response.status_code == 400
    html = _html(response)
    assert "请求有误" in html
    assert "Bad Request" not in html
    _assert_portal_look(html)
    _assert_security_headers(response)


def test_a_request_for_an_unknown_host_answers_the_chinese_400_page():
    response = _client().get("/", headers={"host": "other.example"})

    assert response.status_code == 400
    assert "请求有误" in _html(response)


def test_a_portal_form_sent_without_its_csrf_token_answers_the_chinese_403_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("portal:login"), {"username": "someone"})

    assert response.status_code == 403
    html = _html(response)
    assert "页面已失效" in html and "刷新页面后重新填写提交" in html
    assert "CSRF" not in html
    _assert_portal_look(html)
    _assert_security_headers(response)


def test_a_staff_form_sent_without_its_csrf_token_answers_in_the_back_office_look():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("backoffice:login"), {"username": "someone"})

    assert response.status_code == 403
    html = _html(response)
    assert "页面已失效" in html
    _assert_staff_look(html)


def test_an_unknown_partner_api_address_answers_json_in_the_apis_error_shape():
    response = _client().get("/partner/api/v1/no-such-endpoint/445202199001011234")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": "接口不存在", "errors": {}}
    assert b"445202199001011234" not in response.content


# ---------------------------------------------------------------------------------------------
# 长辈模式: the visitor's choice, read from its cookie (the pages read no session)


def _elder_client(**options) -> Client:
    client = Client(**options)
    client.raise_request_exception = False
    client.cookies["elder"] = "1"
    return client


def _in_elder_mode_with_its_switch(html: str) -> bool:
    """The page takes 长辈模式's class, and its top bar's 标准模式 switch can be sent (it holds
    a CSRF token) and names no address (the switch goes back by the Referer)."""
    root = html.split("<head>")[0]
    switch = html.split('action="/elder/"')[1].split("</form>")[0]
    return (
        'class="elder"' in root
        and 'name="csrfmiddlewaretoken"' in switch
        and 'name="next"' not in switch
        and "标准模式" in switch
    )


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_the_portals_error_pages_keep_the_visitors_elder_mode(settings):
    client = _elder_client()
    answers = {
        400: client.get("/malformed/"),
        403: client.get("/refused/"),
        404: client.get(f"/no-such-page/{ID_NUMBER}/"),
        405: client.get(reverse("portal:logout")),
        500: client.get(f"/broken/{ID_NUMBER}/"),
        "employer 404": client.get("/employer/no-such-page/"),
    }
    settings.SSCARD_UPLOAD_LIMIT_ADDRESS = 1
    photo = {"photo": SimpleUploadedFile("a.jpg", b"\xff\xd8\xff", content_type="image/jpeg")}
    client.post(reverse("portal:login"), photo)
    answers[429] = client.post(reverse("portal:login"), photo)
    answers["csrf"] = _elder_client(enforce_csrf_checks=True).post(reverse("portal:login"), {})

    for status, answer in answers.items():
        html = answer.content.decode()
        assert _in_elder_mode_with_its_switch(html), status
        assert ID_NUMBER not in html
    assert answers[429].status_code == 429 and "上传过于频繁" in answers[429].content.decode()
    # the back office has no 长辈模式
    staff = _html(client.get("/staff/no-such-page/"))
    assert 'class="elder"' not in staff and "/elder/" not in staff
    # nor has the 500 page as Django renders it alone: it could not send the switch
    assert "/elder/" not in loader.render_to_string("500.html", {})


def test_without_the_cookie_an_error_page_is_in_the_standard_mode_with_a_switch_to_elder():
    html = _html(_client().get("/no-such-page/"))
    assert 'class="elder"' not in html.split("<head>")[0]
    switch = html.split('action="/elder/"')[1].split("</form>")[0]
    assert 'name="on" value="1"' in switch and "长辈模式" in switch


def test_a_post_only_address_opened_as_a_link_answers_the_chinese_405_page():
    """退出 is a button's POST; opened by its address it answers a page, not an empty body."""
    response = _client().get(reverse("portal:logout"))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = _html(response)
    assert "<h1>无法直接打开此页面</h1>" in html
    _assert_portal_look(html)
    _assert_security_headers(response)


def test_a_post_only_staff_address_answers_the_405_page_in_the_back_office_look():
    response = _client().get(reverse("backoffice:logout"))

    assert response.status_code == 405
    _assert_staff_look(_html(response))
    _assert_security_headers(response)
