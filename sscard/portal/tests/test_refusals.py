"""The service's refusals as the portal shows them: before the form, in plain Chinese, with
what to do instead — and no way round them by posting anyway."""

from __future__ import annotations

import re
import uuid
from datetime import date
from urllib.parse import parse_qs

import pytest

from sscard.accounts.trust import TrustLevel
from sscard.applications.models import Application
from sscard.applications.tests.helpers import submit_apply
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.core.trust import Action
from sscard.portal.login_views import face_login_url
from sscard.portal.models import Draft
from sscard.portal.tests.helpers import Page, apply_post, item_url, target_choices
from sscard.testing.factories import CardFactory, PersonFactory, UserFactory
from sscard.testing.ids import resident_id
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

STEP_UP = "开始人脸识别验证"  # the step-up page: face always, an SMS code where L3+ is enough


def _blocked(answer, *words: str) -> str:
    """The 暂不能办理 page: status 200, the reason, and no form to fill in."""
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "暂不能办理" in html, html
    alert = [p for p in Page(html).find("p") if p.attrs.get("role") == "alert"]
    assert len(alert) == 1
    for word in words:
        assert word in alert[0].text, alert[0].text
    assert 'name="token"' not in html
    return alert[0].text


@pytest.fixture
def citizen_l3(client):
    user = UserFactory()
    sign_in(client, user, TrustLevel.L3)
    return user


@pytest.fixture
def replaced_card(citizen_l3):
    """The holder's old card, cancelled when its replacement was approved, and the new one."""
    old = CardFactory(person=citizen_l3.person, number="A11110001", cancelled=True)
    new = CardFactory(person=citizen_l3.person, number="A22220002")
    return old, new


# ---------------------------------------------------------------------------------------------
# 申领


def test_apply_with_a_live_card_is_refused_one_person_one_card(client, citizen_l3, bank, outlet):
    card = CardFactory(person=citizen_l3.person, bank=bank, lost_temporarily=True)
    url = item_url("apply", f"person-{citizen_l3.person.pk}")
    reason = _blocked(client.get(url), "一人只能持有一张社会保障卡", card.masked_number, "补换卡")
    assert citizen_l3.person.name not in reason  # the name masked
    # posting the form anyway changes nothing
    posted = client.post(
        url, {**apply_post(citizen_l3.person, bank, outlet), "token": str(uuid.uuid4())}
    )
    _blocked(posted, "一人只能持有一张社会保障卡")
    assert not Draft.objects.exists() and not Application.objects.exists()


def test_apply_with_an_open_application_is_refused(client, citizen_l3, region, bank, outlet):
    open_one = submit_apply(citizen_l3, bank, outlet)
    url = item_url("apply", f"person-{citizen_l3.person.pk}")
    _blocked(client.get(url), "不能重复申请", open_one.receipt_number, "制卡进度查询")


def test_apply_for_a_child_who_holds_a_card_is_refused_before_submission(
    client, citizen_l3, region, bank, outlet
):
    """申领 for a child by ID number: a child already holding a card is refused once the
    number is known, in words, and nothing is submitted."""
    child = PersonFactory(minor=True, name="张小宝")
    CardFactory(person=child, bank=bank)
    answer = client.post(
        item_url("apply", "new"),
        {
            **apply_post(child, bank, outlet),
            "doc_type": "household",
            "doc_number": child.doc_number,
            "relationship": "mother",
            "token": str(uuid.uuid4()),
            "photo": jpeg(),
            "household": jpeg("household.jpg"),
            "guardian_proof": jpeg("proof.jpg"),
        },
    )
    if answer.status_code == 302:  # refused at the confirmation, before anything is written
        answer = client.post(answer["Location"])
    assert answer.status_code == 400
    assert "一人只能持有一张社会保障卡：张**已有社保卡" in answer.content.decode()
    assert not Application.objects.exists()


def test_an_adult_entered_as_a_child_is_refused_on_the_form_itself(
    client, citizen_l3, region, bank, outlet
):
    """Beside the number, in the same round as every other error, before the confirmation."""
    adult = PersonFactory.build(birth_date=date(1990, 5, 6))
    number = resident_id(date(1990, 5, 6))
    answer = client.post(
        item_url("apply", "new"),
        {
            **apply_post(adult, bank, outlet),
            "outlet": "",
            "doc_type": "resident_id",
            "doc_number": number,
            "name": "王五",
            "relationship": "other",
            "token": str(uuid.uuid4()),
        },
    )

    assert answer.status_code == 400
    html = answer.content.decode()
    assert re.search(r'id="e-doc_number">只能为本人或本人监护的未满16周岁的中国公民', html), html
    assert 'id="e-outlet"' in html or "请选择领卡网点" in html  # the other errors too
    assert not Draft.objects.exists() and not Application.objects.exists()


def test_the_childs_number_is_checked_as_soon_as_it_is_typed(client, citizen_l3, region):
    adult = client.post(
        "/ward-check/", {"doc_type": "resident_id", "doc_number": resident_id(date(1990, 5, 6))}
    )
    child = client.post(
        "/ward-check/", {"doc_type": "resident_id", "doc_number": resident_id(date(2018, 3, 4))}
    )
    typo = client.post("/ward-check/", {"doc_type": "resident_id", "doc_number": "44520020180304"})

    assert "只能为本人或本人监护的未满16周岁的中国公民" in adult.content.decode()
    assert child.status_code == 200 and "field-error" not in child.content.decode()
    assert "field-error" in typo.content.decode()


def test_the_ward_check_is_for_signed_in_people(client):
    answer = client.post("/ward-check/", {"doc_type": "resident_id", "doc_number": "x"})
    assert answer.status_code == 302


# ---------------------------------------------------------------------------------------------
# 补换卡


def test_reissue_before_the_formal_loss_is_refused_beside_the_choice(client, citizen_l3, outlet):
    sign_in(client, citizen_l3, TrustLevel.L3_PLUS)
    card = CardFactory(person=citizen_l3.person, bank=outlet.bank)  # collected at its bank's
    url = item_url("reissue", f"card-{card.pk}")
    assert client.get(url).status_code == 200  # 换卡 is open for a card in use
    answer = client.post(
        url,
        {"kind": "reissue", "delivery": "outlet", "outlet": outlet.code, "bank": card.bank.code}
        | {"token": str(uuid.uuid4())},
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    # beside the choice, and the radio group points at it
    assert re.search(
        r'</fieldset>\s*<p class="field-error" id="e-kind">补卡前需先办理正式挂失', html
    )
    assert re.search(r'<fieldset [^>]*aria-invalid="true" aria-describedby="e-kind"', html)
    assert re.search(r'name="kind" value="reissue" checked', html)  # the choice kept
    assert not Draft.objects.exists()


def test_the_reissue_refusal_comes_before_the_forms_own_errors(client, citizen_l3, outlet):
    """补卡 of a card in use with no outlet chosen: the refusal now, not after the outlet."""
    sign_in(client, citizen_l3, TrustLevel.L3_PLUS)
    card = CardFactory(person=citizen_l3.person)
    answer = client.post(
        item_url("reissue", f"card-{card.pk}"),
        {"kind": "reissue", "delivery": "outlet", "outlet": "", "bank": card.bank.code}
        | {"token": str(uuid.uuid4())},
    )
    assert answer.status_code == 400
    assert "补卡前需先办理正式挂失" in answer.content.decode()


def test_a_temporarily_lost_card_cannot_be_reissued_or_replaced(client, citizen_l3, outlet):
    card = CardFactory(person=citizen_l3.person, lost_temporarily=True)
    url = item_url("reissue", f"card-{card.pk}")
    _blocked(client.get(url), "补卡前需先办理正式挂失", "临时挂失")
    posted = client.post(
        url,
        {"kind": "replace", "reason": "damaged", "delivery": "outlet", "outlet": outlet.code}
        | {"bank": card.bank.code, "token": str(uuid.uuid4())},
    )
    _blocked(posted, "临时挂失")
    assert not Draft.objects.exists()


def test_a_sealed_card_is_told_to_enable_first(client, citizen_l3):
    card = CardFactory(person=citizen_l3.person, sealed=True)
    reason = _blocked(client.get(item_url("reissue", f"card-{card.pk}")))
    assert "启用" in reason and "请选择换卡" not in reason


def test_reissue_after_the_formal_loss_opens_the_form(client, citizen_l3):
    card = CardFactory(person=citizen_l3.person, lost_formally=True)
    _step_up_page(client.get(item_url("reissue", f"card-{card.pk}")))  # at L3+ only
    sign_in(client, citizen_l3, TrustLevel.L3_PLUS)
    page = client.get(item_url("reissue", f"card-{card.pk}")).content.decode()
    assert 'name="token"' in page
    assert 'name="kind" value="reissue" checked' in page


# ---------------------------------------------------------------------------------------------
# 启用, 解挂 and face verification


def test_enable_of_a_card_not_sealed_is_refused(client, citizen_l3):
    card = CardFactory(person=citizen_l3.person)
    sign_in(client, citizen_l3, TrustLevel.L4)
    _blocked(client.get(item_url("enable", f"card-{card.pk}")), "已启用，无需重复办理")
    card.status = CardStatus.LOST
    card.save()
    _blocked(client.get(item_url("enable", f"card-{card.pk}")), "已正式挂失，不能启用")


def _step_up_page(answer) -> None:
    assert answer.status_code == 403
    html = answer.content.decode()
    assert STEP_UP in html
    assert 'name="password"' not in html and 'name="token"' not in html


def test_enable_needs_face_verification_after_a_password_login(client, citizen_l3):
    card = CardFactory(person=citizen_l3.person, sealed=True)
    url = item_url("enable", f"card-{card.pk}")
    _step_up_page(client.get(url))
    _step_up_page(
        client.post(url, {"password": "135790", "password2": "135790", "token": uuid.uuid4()})
    )
    card.refresh_from_db()
    assert card.status == CardStatus.SEALED

    sign_in(client, citizen_l3, TrustLevel.L4)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()


def test_cancel_loss_needs_face_verification_after_a_password_login(client, citizen_l3):
    card = CardFactory(person=citizen_l3.person, lost_temporarily=True)
    url = item_url("loss", f"card-{card.pk}")
    page = client.get(url)
    assert page.status_code == 200  # 正式挂失 needs no face check: the page opens
    assert 'value="cancel"' in page.content.decode()
    _step_up_page(client.post(url, {"action": "cancel", "token": str(uuid.uuid4())}))
    assert not Draft.objects.exists()

    # 正式挂失 is irreversible: a code to the phone on file (L3+) first
    formal = {"action": "formal", "confirm_irreversible": "on"}
    _step_up_page(client.post(url, {**formal, "token": str(uuid.uuid4())}))
    sign_in(client, citizen_l3, TrustLevel.L3_PLUS)
    assert client.post(url, {**formal, "token": str(uuid.uuid4())}).status_code == 302

    session = client.session
    session["trust"] = int(TrustLevel.L4)
    session.save()
    lifted = client.post(url, {"action": "cancel", "token": str(uuid.uuid4())})
    assert lifted.status_code == 302
    confirmed = client.post(lifted["Location"])
    assert confirmed.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_trust_levels_follow_the_region_setting(client, citizen_l3, region):
    region.action_levels = dict.fromkeys(Action, "L3")
    region.save()
    card = CardFactory(person=citizen_l3.person, sealed=True)
    assert client.get(item_url("enable", f"card-{card.pk}")).status_code == 200


def test_the_step_up_page_leads_back_to_the_item(client, citizen_l3):
    card = CardFactory(person=citizen_l3.person, sealed=True)
    url = item_url("enable", f"card-{card.pk}")
    html = client.get(url).content.decode()
    face = face_login_url(url)
    if face is None:  # no identity provider configured: the counter is the way
        assert "人脸识别服务暂不可用，请携带有效身份证件到社保卡服务网点办理" in html
    else:
        links = [a for a in Page(html).find("a") if a.text.strip() == "开始人脸识别验证"]
        assert links[0].attrs["href"] == face
        assert parse_qs(face.partition("?")[2]) == {"next": [url]}


# ---------------------------------------------------------------------------------------------
# Documents excluded online


def test_a_document_type_excluded_online_is_sent_to_the_counter(client, region, bank):
    region.excluded_doc_types = ["passport"]
    region.save()
    holder = UserFactory(
        person=PersonFactory(doc_type="passport", doc_number="E12345678", nationality="中国")
    )
    sign_in(client, holder, TrustLevel.L4)
    card = CardFactory(person=holder.person, bank=bank)
    _blocked(
        client.get(item_url("reissue", f"card-{card.pk}")),
        "持护照的人员暂不支持线上办理",
        "请携带有效身份证件到社保卡服务网点办理",
    )
    card.status = CardStatus.CANCELLED
    card.save()
    _blocked(client.get(item_url("apply", f"person-{holder.person.pk}")), "暂不支持线上办理")


def test_a_resident_id_holder_is_not_sent_to_the_counter(client, region, citizen_l3):
    region.excluded_doc_types = ["passport"]
    region.save()
    page = client.get(item_url("apply", f"person-{citizen_l3.person.pk}"))
    assert 'name="token"' in page.content.decode()
    assert resident_id  # the factory's numbers are resident IDs


def test_face_verification_returns_to_the_exact_page(client, citizen_l3):
    """开始人脸识别验证 carries the page to come back to — its query string included — as
    one ``next`` value."""
    card = CardFactory(person=citizen_l3.person, sealed=True)
    url = f"{item_url('enable', f'card-{card.pk}')}?draft={uuid.uuid4()}&from=my"
    html = client.get(url).content.decode()
    links = [a for a in Page(html).find("a") if a.text.strip() == "开始人脸识别验证"]
    href = links[0].attrs["href"]
    path, _, query = href.partition("?")
    assert path == "/login/face/"
    assert parse_qs(query) == {"next": [url]}
    login = Page(client.get("/login/", {"next": "/my/?a=1&b=2"}).content.decode())
    face = next(a for a in login.find("a") if a.text.strip() == "人脸识别登录")
    assert parse_qs(face.attrs["href"].partition("?")[2]) == {"next": ["/my/?a=1&b=2"]}


def test_a_card_page_names_only_a_card_of_ones_own(client, citizen_l3):
    own = CardFactory(person=citizen_l3.person)
    cancelled = CardFactory(person=citizen_l3.person, cancelled=True)
    theirs = CardFactory(cancelled=True)
    for key in ("card-x", "person-1", "card-", f"card-{theirs.pk}", f"card-{own.pk + 1000}"):
        assert client.get(item_url("status", key)).status_code == 404, key
    assert client.get(item_url("loss", f"card-{cancelled.pk}")).status_code == 404
    assert client.get(item_url("status", f"card-{own.pk}")).status_code == 200
    assert client.get(item_url("status", f"card-{cancelled.pk}")).status_code == 200


# ---------------------------------------------------------------------------------------------
# 注销的卡: a card replaced (补卡/换卡) is there to look up (test_query_pages), never to act on


@pytest.mark.parametrize("item", ["enable", "loss", "reissue"])
def test_items_that_act_on_a_card_neither_offer_nor_open_a_cancelled_one(
    client, replaced_card, item
):
    old, new = replaced_card

    assert set(target_choices(client, item)) == {f"card-{new.pk}"}
    chosen = client.post(f"/bundles/sscard/{item}/", {"target": f"card-{old.pk}"})
    assert chosen.status_code == 400
    assert client.get(item_url(item, f"card-{old.pk}")).status_code == 404
    posted = client.post(
        item_url(item, f"card-{old.pk}"),
        {"action": "temporary", "kind": "reissue", "token": str(uuid.uuid4())},
    )
    assert posted.status_code == 404
    old.refresh_from_db()
    assert old.status == CardStatus.CANCELLED
    assert not Application.objects.exists()


def test_the_change_item_does_not_offer_a_cancelled_card(client, citizen_l3, replaced_card):
    old, _new = replaced_card

    html = client.get("/bundles/sscard/change/").content.decode()

    assert old.masked_number not in html
    assert set(target_choices(client, "change")) == {f"person-{citizen_l3.person.pk}"}
