"""窗口代办: staff start any of the seven items for the person at the counter, whose document
they checked; the item is recorded as done by them."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus, ItemCode
from sscard.applications.models import Application
from sscard.applications.tests.helpers import apply_form, submit_apply
from sscard.audit.models import AuditRecord
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.core.documents import DocType
from sscard.core.errors import DomainError
from sscard.testing.factories import CardFactory, PersonFactory, StaffFactory, UserFactory
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db
COUNTER = reverse("backoffice:counter")


def _item(code: str) -> str:
    return reverse("backoffice:counter_item", args=[code])


def _identify(client, person):
    return client.post(COUNTER, {"doc_type": person.doc_type, "doc_number": person.doc_number})


def test_a_clerk_applies_for_a_first_card_for_someone_not_yet_on_record(bank, outlet, clerk):
    newcomer = PersonFactory.build()  # not saved: unknown to the system
    client = staff_client(clerk)
    page = _identify(client, newcomer).content.decode()
    assert "未找到该证件的持卡人登记信息" in page

    form = apply_form(newcomer, bank, outlet)
    response = client.post(_item("apply"), {**form, "photo": jpeg()})
    assert response.status_code == 302, response.context["form"].errors
    application = Application.objects.get(item=ItemCode.APPLY)
    assert application.applicant == clerk
    assert application.relation == "counter"
    assert application.status == AppStatus.SUBMITTED
    assert application.subject.doc_number == newcomer.doc_number
    assert AuditRecord.objects.get(action="application.apply").actor_id == clerk.pk


def test_the_counter_form_reports_each_problem_next_to_its_field(bank, outlet, clerk):
    client = staff_client(clerk)
    form = apply_form(PersonFactory.build(), bank, outlet, phone="12345")
    response = client.post(_item("apply"), {**form, "photo": jpeg()})
    assert response.status_code == 200
    assert "手机号码" in response.content.decode()
    assert not Application.objects.exists()


def test_an_empty_field_is_reported_in_djangos_standard_chinese_next_to_it(clerk):
    """django-simple-captcha's catalogue has its own "这个字段是必须的" for Django's
    "This field is required."; the project's catalogue (LOCALE_PATHS) puts Django's back."""
    page = staff_client(clerk).post(COUNTER, {"doc_type": DocType.RESIDENT_ID, "doc_number": ""})
    html = page.content.decode()
    beside = re.search(r'id="id_doc_number"[^>]*><span class="bo-error"[^>]*>([^<]*)</span>', html)
    assert beside, html
    assert beside.group(1) == "这个字段是必填项。"
    assert "这个字段是必须的" not in html


@pytest.mark.parametrize(
    ("doc_type", "number", "message"),
    [
        (DocType.RESIDENT_ID, "4452021990041212345", "身份证号码应为18位，您输入了19位"),
        (DocType.PASSPORT, "E" + "1" * 18, "护照号码应为5至17位字母或数字，您输入了19位"),
        (DocType.RESIDENT_ID, "4" * 41, "证件号码不超过18位，您输入了41位"),
    ],
)
def test_a_document_number_too_long_is_refused_in_the_document_rules_words(
    clerk, doc_type, number, message
):
    page = staff_client(clerk).post(COUNTER, {"doc_type": doc_type, "doc_number": number})
    html = page.content.decode()
    beside = re.search(r'id="id_doc_number"[^>]*><span class="bo-error"[^>]*>([^<]*)</span>', html)
    assert beside, html
    assert beside.group(1) == message
    assert "确保" not in html


@pytest.mark.parametrize(
    ("item", "data", "check"),
    [
        ("loss", {"action": "temporary"}, lambda card: card.status == CardStatus.TEMP_LOST),
        (
            "loss",
            {"action": "formal", "confirm": "on"},
            lambda card: card.status == CardStatus.LOST,
        ),
        ("change", {"phone": "13700001111"}, lambda card: card.person.phone == "13700001111"),
    ],
    ids=["temporary loss", "formal loss", "change of phone"],
)
def test_instant_items_take_effect_at_once_and_name_the_clerk(item, data, check, clerk):
    card = CardFactory()
    client = staff_client(clerk)
    _identify(client, card.person)
    response = client.post(_item(item), {"card": card.pk, **data})
    assert response.status_code == 302
    card.refresh_from_db()
    card.person.refresh_from_db()
    assert check(card)
    application = Application.objects.get(item=item)
    assert application.applicant == clerk and application.status == AppStatus.COMPLETED
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert application.receipt_number in message and clerk.username in message


def test_enable_a_sealed_card_at_the_counter(clerk):
    card = CardFactory(sealed=True)
    client = staff_client(clerk)
    _identify(client, card.person)
    response = client.post(
        _item("enable"), {"card": card.pk, "password": "135790", "password2": "135790"}
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_a_refusal_is_explained_on_the_form(clerk):
    card = CardFactory()  # 正常: reissue needs 正式挂失 first
    client = staff_client(clerk)
    _identify(client, card.person)
    response = client.post(
        _item("reissue"),
        {
            "card": card.pk,
            "kind": "reissue",
            "bank": card.bank.code,
            "delivery": "mail",
            "mail_address": "广东省揭阳市榕城区新阳路18号",
        },
    )
    assert response.status_code == 200
    assert "正式挂失" in response.content.decode()


def test_queries_show_the_persons_card_and_progress_masked(clerk):
    card = CardFactory()
    UserFactory(person=card.person)
    client = staff_client(clerk)
    _identify(client, card.person)
    page = client.get(_item("status")).content.decode()
    assert card.masked_number in page and card.number not in page
    progress = client.get(_item("progress")).content.decode()
    assert "暂无制卡记录" in progress


def test_the_counter_status_query_shows_a_cancelled_card_but_no_item_offers_it(clerk):
    old = CardFactory(number="A11110001", cancelled=True)
    new = CardFactory(person=old.person, number="A22220002")
    client = staff_client(clerk)
    _identify(client, old.person)

    status = client.get(_item("status")).content.decode()
    assert old.masked_number in status and new.masked_number in status
    assert "注销" in status
    for item in ("enable", "loss", "reissue"):
        page = client.get(_item(item)).content.decode()
        assert new.masked_number in page and old.masked_number not in page, item
    # named anyway, the card is not one of the choices
    response = client.post(_item("loss"), {"card": old.pk, "action": "temporary", "confirm": "on"})
    assert response.status_code == 200
    old.refresh_from_db()
    assert old.status == CardStatus.CANCELLED


def test_a_counter_request_shows_it_was_submitted_at_the_counter(bank, outlet, clerk):
    person = PersonFactory()
    client = staff_client(clerk)
    _identify(client, person)
    client.post(_item("apply"), {**apply_form(person, bank, outlet), "photo": jpeg()})
    application = Application.objects.get()

    page = client.get(_item("progress")).content.decode()

    submitted = application.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M")
    assert f'<li class="is-done">已提交 · {submitted} · 窗口代办</li>' in page
    assert '<li class="">已受理</li>' in page


def test_items_other_than_apply_need_an_identified_person_first(clerk):
    response = staff_client(clerk).get(_item("loss"))
    assert response.status_code == 302 and response["Location"] == COUNTER


def test_a_counter_application_returned_for_correction_is_resubmitted_at_any_counter(
    bank, outlet, clerk, reviewer
):
    person = PersonFactory()
    client = staff_client(clerk)
    _identify(client, person)
    client.post(_item("apply"), {**apply_form(person, bank, outlet), "photo": jpeg()})
    application = Application.objects.get()
    application = services.application_accept(application=application, actor=reviewer)
    services.application_return(
        application=application, actor=reviewer, reason="照片背景不是白色", reason_code="photo"
    )

    colleague = staff_client(StaffFactory(username="clerk2", role="clerk", outlet=outlet))
    _identify(colleague, person)
    page = colleague.get(COUNTER).content.decode()
    assert "照片背景不是白色" in page and "补正后重新提交" in page
    url = reverse("backoffice:counter_resubmit", args=[application.pk])
    response = colleague.post(url, {"photo": jpeg()})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == AppStatus.ACCEPTED and application.due_on is not None
    assert application.events.last().actor_label == "clerk2"


def test_only_counter_applications_are_resubmitted_at_the_counter(bank, outlet, clerk, reviewer):
    online = services.application_accept(
        application=submit_apply(UserFactory(), bank, outlet), actor=reviewer
    )
    services.application_return(application=online, actor=reviewer, reason="补照片")
    with pytest.raises(DomainError, match="未找到该办件"):
        services.application_resubmit(
            requester=Requester(user=clerk, trust=TrustLevel.L4, counter=True),
            application=online,
            data={},
            files={"photo": jpeg()},
        )
