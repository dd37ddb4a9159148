"""One's own details in full (Action.REVEAL_OWN, L3+ by default): after a password login the
portal shows them masked — 个人中心, the 申领 and 信息变更 pages — and 查看完整信息 steps up.
A field prefilled with a masked value is left empty; empty (or the mask sent back) keeps the
record: a mask is never written over it."""

from __future__ import annotations

import uuid

import pytest

from sscard.accounts.models import Person
from sscard.accounts.trust import TrustLevel
from sscard.applications.models import Application
from sscard.audit.models import AuditRecord
from sscard.conftest import jpeg
from sscard.portal.tests.helpers import Page, apply_post, draft_id_of, item_url, step_up_by_sms
from sscard.testing.factories import UserFactory
from sscard.testing.sessions import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("texts")]

ADDRESS = "广东省揭阳市榕城区进贤门大道88号3栋"


@pytest.fixture
def holder(client):
    user = UserFactory(person__address=ADDRESS, person__postcode="522000")
    sign_in(client, user, TrustLevel.L3)
    return user


def _inputs(html: str) -> dict[str, dict[str, str]]:
    return {e.attrs["name"]: e.attrs for e in Page(html).find("input") if e.attrs.get("name")}


def _full(person: Person) -> tuple[str, ...]:
    return (person.phone, person.address, person.doc_number, person.name)


# ---------------------------------------------------------------------------------------------
# 个人中心 → 查看完整信息


def test_at_l3_the_full_details_need_the_step_up_and_come_back_after_it(client, holder):
    person = holder.person
    center = client.get("/me/").content.decode()
    assert "查看完整信息" in center and person.masked_phone in center

    answer = client.get("/me/info/")

    assert answer.status_code == 403
    html = answer.content.decode()
    assert "查看完整的个人信息需先验证本人身份" in html
    assert all(value not in html for value in _full(person))
    assert not AuditRecord.objects.filter(action="person.reveal_own").exists()

    back = step_up_by_sms(client, person, "/me/info/")
    assert back["Location"] == "/me/info/"
    shown = client.get("/me/info/")
    assert shown.status_code == 200
    assert all(value in shown.content.decode() for value in _full(person))
    record = AuditRecord.objects.get(action="person.reveal_own")
    assert record.actor_id == holder.pk and record.detail == {"trust": "L3+"}


# ---------------------------------------------------------------------------------------------
# 申领: prefilled from the record


def test_at_l3_the_apply_page_shows_the_record_masked_and_leaves_the_fields_empty(client, holder):
    person = holder.person
    url = item_url("apply", f"person-{person.pk}")

    html = client.get(url).content.decode()

    assert all(value not in html for value in _full(person))
    fields = _inputs(html)
    for name in ("name", "phone", "address"):
        assert fields[name]["value"] == "", name
        assert "required" not in fields[name], name  # empty keeps the record
    assert fields["phone"]["placeholder"] == f"当前：{person.masked_phone}，不修改请留空"
    assert fields["address"]["placeholder"] == "当前：广东省揭阳市****，不修改请留空"
    assert "查看完整信息" in html


def test_at_l3_plus_the_apply_page_is_prefilled_in_full(client, holder):
    sign_in(client, holder, TrustLevel.L3_PLUS)

    fields = _inputs(client.get(item_url("apply", f"person-{holder.person.pk}")).content.decode())

    assert fields["phone"]["value"] == holder.person.phone
    assert fields["address"]["value"] == ADDRESS


@pytest.mark.parametrize("sent", ["empty", "the mask"])
def test_a_masked_prefill_left_as_it_is_keeps_the_record(client, holder, bank, outlet, sent):
    person = holder.person
    phone, address = person.phone, person.address
    kept = (
        {"name": "", "phone": "", "address": ""}
        if sent == "empty"
        else {
            "name": person.masked_name,
            "phone": person.masked_phone,
            "address": "广东省揭阳市****",
        }
    )
    url = item_url("apply", f"person-{person.pk}")
    post = {**apply_post(person, bank, outlet), **kept, "token": str(uuid.uuid4()), "photo": jpeg()}

    draft = draft_id_of(client.post(url, post))
    confirm = client.get(f"/drafts/{draft}/").content.decode()
    assert person.masked_phone in confirm and phone not in confirm
    # back on the draft's page (返回修改) the record is masked again, not shown in full
    assert phone not in client.get(f"{url}?draft={draft}").content.decode()
    assert client.post(f"/drafts/{draft}/").status_code == 302

    person.refresh_from_db()
    assert (person.phone, person.address) == (phone, address)
    form = Application.objects.get(applicant=holder).form_data
    assert (form["name"], form["phone"], form["address"]) == (person.name, phone, address)


def test_a_new_phone_typed_over_the_masked_one_is_used(client, holder, bank, outlet):
    person = holder.person
    url = item_url("apply", f"person-{person.pk}")
    post = {
        **apply_post(person, bank, outlet, phone="13912345678"),
        "name": "",
        "address": "",
        "token": str(uuid.uuid4()),
        "photo": jpeg(),
    }

    draft = draft_id_of(client.post(url, post))
    confirm = client.get(f"/drafts/{draft}/").content.decode()
    assert "13912345678" in confirm  # typed: shown in full to catch a typo
    assert ADDRESS not in confirm  # left as on record: masked at this login
    assert client.post(f"/drafts/{draft}/").status_code == 302

    # the application carries the new phone (the record takes it when the reviewer accepts)
    form = Application.objects.get(applicant=holder).form_data
    assert form["phone"] == "13912345678" and form["address"] == ADDRESS


def test_reveal_on_the_apply_page_steps_up_and_keeps_what_was_typed(client, holder):
    person = holder.person
    url = item_url("apply", f"person-{person.pk}")

    answer = client.post(url, {"reveal": "1", "occupation": "会计", "token": str(uuid.uuid4())})

    assert answer.status_code == 403
    assert all(value not in answer.content.decode() for value in _full(person))
    assert not Application.objects.exists()
    step_up_by_sms(client, person, url)
    fields = _inputs(client.get(url).content.decode())
    assert fields["phone"]["value"] == person.phone
    assert fields["address"]["value"] == ADDRESS
    assert fields["occupation"]["value"] == "会计"


# ---------------------------------------------------------------------------------------------
# 信息变更, where the region lets a password login change details but not see them in full


@pytest.fixture
def change_at_l3(region):
    region.action_levels = {**region.action_levels, "change_info": "L3"}
    region.save()


def test_a_change_page_at_l3_is_masked_and_changes_only_what_was_typed(
    client, holder, change_at_l3
):
    person = holder.person
    phone = person.phone
    url = item_url("change", f"person-{person.pk}")
    html = client.get(url).content.decode()
    assert phone not in html and ADDRESS not in html
    assert _inputs(html)["phone"]["placeholder"] == f"当前：{person.masked_phone}，不修改请留空"

    post = {"phone": "", "address": "", "postcode": "515000", "occupation": ""}
    draft = draft_id_of(client.post(url, {**post, "token": str(uuid.uuid4())}))
    confirm = client.get(f"/drafts/{draft}/").content.decode()
    assert "新邮政编码" in confirm and "新手机号码" not in confirm and "新通讯地址" not in confirm
    assert client.post(f"/drafts/{draft}/").status_code == 302

    person.refresh_from_db()
    assert (person.phone, person.address, person.postcode) == (phone, ADDRESS, "515000")


def test_the_mask_sent_back_on_the_change_page_changes_nothing(client, holder, change_at_l3):
    person = holder.person
    url = item_url("change", f"person-{person.pk}")
    post = {
        "phone": person.masked_phone,
        "address": "广东省揭阳市****",
        "postcode": person.postcode,
        "token": str(uuid.uuid4()),
    }

    answer = client.post(url, post)

    assert answer.status_code == 400 and "您没有修改任何信息" in answer.content.decode()
    person.refresh_from_db()
    assert person.address == ADDRESS and "*" not in person.phone


# ---------------------------------------------------------------------------------------------
# 退回补正: the application's own details, prefilled from its form


@pytest.fixture
def returned(holder, bank, outlet, reviewer):
    from sscard.applications import services
    from sscard.applications.tests.helpers import submit_apply

    application = submit_apply(holder, bank, outlet, address=ADDRESS)
    services.application_accept(application=application, actor=reviewer)
    services.application_return(application=application, actor=reviewer, reason="照片不清晰")
    return application


def test_at_l3_the_correction_page_masks_the_form_and_keeps_what_is_left_empty(
    client, holder, returned, bank, outlet
):
    form = dict(returned.form_data)
    url = f"/my/{returned.receipt_number}/correct/"

    html = client.get(url).content.decode()

    assert form["phone"] not in html and ADDRESS not in html and form["name"] not in html
    fields = _inputs(html)
    assert fields["phone"]["value"] == "" and "required" not in fields["phone"]
    assert fields["phone"]["placeholder"] == "当前：139****5678，不修改请留空"
    assert client.get(f"{url}?reveal=1").status_code == 403  # 查看完整信息 steps up

    post = {"name": "", "phone": "", "address": "广东省揭阳市****", "postcode": ""}
    post |= {"occupation": "教师", "bank": bank.code, "delivery": "outlet", "outlet": outlet.code}
    assert client.post(url, post).status_code == 302

    returned.refresh_from_db()
    kept = returned.form_data
    assert (kept["name"], kept["phone"], kept["address"]) == (
        form["name"],
        form["phone"],
        ADDRESS,
    )
    holder.person.refresh_from_db()
    assert "*" not in holder.person.address and holder.person.phone == form["phone"]


def test_after_the_step_up_the_correction_page_is_prefilled_in_full(client, holder, returned):
    url = f"/my/{returned.receipt_number}/correct/"
    holder.person.refresh_from_db()  # the 申领 recorded its phone on the person
    step_up_by_sms(client, holder.person, f"{url}?reveal=1")

    fields = _inputs(client.get(f"{url}?reveal=1").content.decode())

    assert fields["phone"]["value"] == returned.form_data["phone"]
    assert fields["address"]["value"] == ADDRESS
