"""信息变更 of the phone proves the new number: the confirmation texts a code
to the NEW number, the change is made only with that code, and the old number is told. The
confirmation shows what the person typed in full (their own entries, a page never cached)."""

from __future__ import annotations

import uuid

import pytest

from sscard.accounts.trust import TrustLevel
from sscard.applications.models import Application
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message
from sscard.portal.tests.helpers import Page, draft_id_of, item_url
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.sessions import sign_in
from sscard.testing.sms import code_sent_to, texts_to

pytestmark = pytest.mark.django_db

OLD = "13800009999"
NEW = "13700001111"
NEW_ADDRESS = "广东省揭阳市榕城区临江北路66号7栋1201房"


@pytest.fixture
def holder(db):
    return UserFactory(person__phone=OLD)


@pytest.fixture
def signed(client, holder):
    return sign_in(client, holder, TrustLevel.L3_PLUS)


def _draft(client, holder, **posted: str) -> str:
    """信息变更's page posted: the record's details with ``posted`` changed."""
    url = item_url("change", f"person-{holder.person.pk}")
    entries = {"phone": holder.person.phone, "address": holder.person.address, **posted}
    return draft_id_of(client.post(url, {**entries, "token": str(uuid.uuid4())}))


def _code_error(html: str) -> str:
    found = [p.text for p in Page(html).find("p") if p.attrs.get("id") == "e-code"]
    return found[0] if found else ""


def _phone_now(holder) -> str:
    holder.person.refresh_from_db()
    return holder.person.phone


def test_the_code_goes_to_the_new_number_and_not_the_old(signed, holder, texts):
    draft = _draft(signed, holder, phone=NEW)
    page = signed.get(f"/drafts/{draft}/").content.decode()
    assert "获取验证码" in page and "短信验证码" in page

    sent = signed.post(f"/drafts/{draft}/", {"action": "send_code"})

    assert sent.status_code == 200
    assert "验证码已发送至新手机号码 13700001111" in sent.content.decode()
    assert len(texts_to(NEW)) == 1 and "验证新手机号码" in texts_to(NEW)[0]
    assert texts_to(OLD) == []
    assert _phone_now(holder) == OLD  # sending changes nothing


def test_confirming_a_new_phone_without_a_code_is_refused_beside_the_field(signed, holder):
    draft = _draft(signed, holder, phone=NEW)

    refused = signed.post(f"/drafts/{draft}/")

    assert refused.status_code == 400
    assert _code_error(refused.content.decode()) == "请先获取验证码，验证码将发送至新手机号码"
    assert _phone_now(holder) == OLD
    assert not Application.objects.exists()


def test_a_wrong_code_is_refused_kept_in_its_field_and_nothing_changes(signed, holder, texts):
    draft = _draft(signed, holder, phone=NEW)
    signed.post(f"/drafts/{draft}/", {"action": "send_code"})
    wrong = "000000" if code_sent_to(NEW) != "000000" else "111111"

    refused = signed.post(f"/drafts/{draft}/", {"code": wrong})

    html = refused.content.decode()
    assert refused.status_code == 400
    assert _code_error(html) == "验证码错误，还可尝试4次"
    (field,) = [i for i in Page(html).find("input") if i.attrs.get("name") == "code"]
    assert field.attrs["value"] == wrong
    assert _phone_now(holder) == OLD
    assert not Application.objects.exists()


def test_the_code_texted_to_the_new_number_changes_it_and_the_old_number_is_told(
    signed, holder, texts
):
    draft = _draft(signed, holder, phone=NEW)
    signed.post(f"/drafts/{draft}/", {"action": "send_code"})

    done = signed.post(f"/drafts/{draft}/", {"code": code_sent_to(NEW)})

    assert done.status_code == 302
    assert _phone_now(holder) == NEW
    told = Message.objects.filter(notification__event=Event.CONTACT_CHANGED, channel=Channel.SMS)
    assert OLD in {m.address for m in told}
    # the code serves once: a second change of the same number asks for a new one
    again = _draft(signed, holder, phone="13600003333")
    refused = signed.post(f"/drafts/{again}/", {"code": code_sent_to(NEW)})
    assert refused.status_code == 400
    assert _phone_now(holder) == NEW


def test_a_code_for_another_number_does_not_prove_the_one_now_in_the_draft(signed, holder, texts):
    """返回修改 to another number after the code was sent: that code proves nothing now."""
    url = item_url("change", f"person-{holder.person.pk}")
    draft = _draft(signed, holder, phone=NEW)
    signed.post(f"/drafts/{draft}/", {"action": "send_code"})
    code = code_sent_to(NEW)
    signed.post(url, {"phone": "13600003333", "address": holder.person.address, "token": draft})

    refused = signed.post(f"/drafts/{draft}/", {"code": code})

    assert refused.status_code == 400
    assert _phone_now(holder) == OLD


def test_an_address_change_asks_no_code_and_tells_the_phone_on_file(signed, holder):
    draft = _draft(signed, holder, phone=OLD, address=NEW_ADDRESS)
    assert "获取验证码" not in signed.get(f"/drafts/{draft}/").content.decode()

    done = signed.post(f"/drafts/{draft}/")

    assert done.status_code == 302
    holder.person.refresh_from_db()
    assert holder.person.address == NEW_ADDRESS
    told = Message.objects.filter(notification__event=Event.CONTACT_CHANGED, channel=Channel.SMS)
    assert [m.address for m in told] == [OLD]


def test_the_confirmation_shows_the_typed_phone_and_address_in_full_and_is_not_stored(
    signed, holder
):
    draft = _draft(signed, holder, phone=NEW, address=NEW_ADDRESS)

    page = signed.get(f"/drafts/{draft}/")

    html = page.content.decode()
    assert NEW in html and NEW_ADDRESS in html
    assert OLD not in html  # what the record holds is not shown
    assert {"no-store", "private"} <= {d.strip() for d in page["Cache-Control"].split(",")}


def test_the_reissue_confirmation_shows_the_typed_mailing_address_in_full(
    client, holder, bank, outlet
):
    card = CardFactory(person=holder.person, bank=bank)
    sign_in(client, holder, TrustLevel.L4)
    url = item_url("reissue", f"card-{card.pk}")
    posted = {"kind": "replace", "reason": "damaged", "bank": bank.code, "delivery": "mail"}
    draft = draft_id_of(
        client.post(url, {**posted, "mail_address": NEW_ADDRESS, "token": str(uuid.uuid4())})
    )

    page = client.get(f"/drafts/{draft}/")

    assert NEW_ADDRESS in page.content.decode()
    assert "no-store" in page["Cache-Control"]
