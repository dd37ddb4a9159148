"""Registration proves possession: a name and an ID number are semi-public, so
an account links to a person on record only after a code texted to the phone on file for that
person. The answer never tells whether the pair exists, is wrong or has an account."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.audit.models import AuditRecord
from sscard.notifications.models import Message
from sscard.testing.factories import PersonFactory, UserFactory
from sscard.testing.ids import resident_id
from sscard.testing.sms import code_sent_to, texts_to

TYPED_PHONE = "13912340000"
SAME_ANSWER = "如信息匹配，验证码已发送至您在社保卡档案中预留的手机"


def _form(**overrides):
    return {
        "name": "李小明",
        "doc_type": "resident_id",
        "doc_number": resident_id(date(1990, 4, 12), serial=17),
        "phone": TYPED_PHONE,
        "username": "lixiaoming",
        "password1": "Qing-shan 2026",
        "password2": "Qing-shan 2026",
        "consent": "on",
        "captcha_0": "test",
        "captcha_1": "PASSED",
        **overrides,
    }


def _answer(client, **overrides) -> str:
    """注册 → 下一步: where it goes and what the next page says, with the form's token out."""
    asked = client.post("/register/", _form(**overrides))
    assert asked.status_code == 302 and asked["Location"] == "/register/code/"
    page = client.get("/register/code/").content.decode()
    page = re.sub(r"[A-Za-z0-9]{64}", "", page)  # the CSRF tokens differ, nothing else may
    # but the seconds of the resend countdown, read a moment later on a busy machine
    assert re.search(r"\d+秒后重新获取", page), "the resend waits in both cases"
    return re.sub(r"\d+秒后重新获取", "…秒后重新获取", page)


@pytest.fixture
def holder(db):
    """A person on record whose card came through an employer: no portal account yet."""
    return PersonFactory(name="李小明", phone="13700001111")


def test_a_person_on_record_is_linked_only_by_the_code_sent_to_the_phone_on_file(
    client, texts, holder
):
    page = _answer(client, doc_number=holder.doc_number)
    assert SAME_ANSWER in page and "139****0000" in page
    assert holder.phone not in page and "137****1111" not in page
    assert texts_to(TYPED_PHONE) == []  # the typed phone proves nothing about the record
    done = client.post("/register/code/", {"action": "verify", "code": code_sent_to(holder.phone)})
    assert done.status_code == 302 and done["Location"] == "/me/"
    user = User.objects.get(username="lixiaoming")
    assert user.person == holder and user.possession == User.Possession.SMS
    holder.refresh_from_db()
    assert holder.phone == "13700001111"  # the typed phone does not replace the one on file
    # and the holder is told a new account acts for them, on the phone on file
    told = Message.objects.filter(notification__event="account_linked", channel="sms")
    assert [m.address for m in told] == [holder.phone]


@pytest.mark.parametrize("case", ["wrong name", "has account", "no phone on file"])
def test_no_link_no_session_and_the_same_answer_as_a_match(client, texts, holder, case):
    if case == "wrong name":
        overrides = {"doc_number": holder.doc_number, "name": "王大力"}
    elif case == "has account":
        UserFactory(person=holder, username="first_one")
        overrides = {"doc_number": holder.doc_number}
    else:
        Person.objects.filter(pk=holder.pk).update(phone="")
        overrides = {"doc_number": holder.doc_number}
    matching = PersonFactory(name="李小明", phone="13700002222")
    expected = _answer(type(client)(), doc_number=matching.doc_number)

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):  # past the minute's limit
        page = _answer(client, **overrides)

    assert page == expected
    assert texts_to(holder.phone) == [] and len(texts_to(TYPED_PHONE)) == 0
    for guess in ("000000", "123456", "999999"):
        tried = client.post("/register/code/", {"action": "verify", "code": guess})
        assert tried.status_code == 400
    assert not User.objects.filter(username="lixiaoming").exists()
    assert "_auth_user_id" not in client.session


def test_an_unknown_number_registers_a_new_person_with_a_code_to_the_typed_phone(db, client, texts):
    page = _answer(client)
    assert SAME_ANSWER in page
    client.post("/register/code/", {"action": "verify", "code": code_sent_to(TYPED_PHONE)})
    user = User.objects.get(username="lixiaoming")
    assert user.person.phone == TYPED_PHONE and user.possession == User.Possession.SMS


def test_a_person_under_16_cannot_register_and_is_told_a_guardian_acts(db, client, texts):
    today = timezone.localdate()
    child = resident_id(today.replace(year=today.year - 9), serial=21)
    answer = client.post("/register/", _form(doc_number=child))
    assert answer.status_code == 400
    assert "未满16周岁不能自行注册账号" in answer.content.decode()
    assert texts == [] and not User.objects.exists()


def test_a_foreign_passport_holder_registers_with_gender_birth_date_and_nationality(
    db, client, texts
):
    form = _form(
        doc_type="passport",
        doc_number="K12345678",
        name="Anna Schmidt",
        gender="F",
        birth_date="1991-03-08",
        nationality="德国",
    )
    missing = client.post("/register/", {**form, "gender": "", "nationality": ""})
    assert missing.status_code == 400
    html = missing.content.decode()
    assert "请选择性别" in html and "请填写国籍" in html
    assert client.post("/register/", form).status_code == 302
    client.post("/register/code/", {"action": "verify", "code": code_sent_to(TYPED_PHONE)})
    person = User.objects.get(username="lixiaoming").person
    assert (person.doc_type, person.gender, person.nationality) == ("passport", "F", "德国")
    assert person.birth_date == date(1991, 3, 8)


def test_five_wrong_codes_void_the_registration_code(client, texts, holder):
    _answer(client, doc_number=holder.doc_number)
    code = code_sent_to(holder.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post("/register/code/", {"action": "verify", "code": wrong})
    late = client.post("/register/code/", {"action": "verify", "code": code})
    assert late.status_code == 400 and "已失效" in late.content.decode()
    assert not User.objects.filter(person=holder).exists()
    assert AuditRecord.objects.filter(action="sms_code.failed").count() == 5


def test_asking_again_within_a_minute_waits_whoever_the_number_names(client, texts, holder):
    _answer(client, doc_number=holder.doc_number)
    again = client.post("/register/", _form(name="王大力", doc_number=holder.doc_number))
    assert again.status_code == 400
    assert "秒后再获取验证码" in again.content.decode()
    assert len(texts_to(holder.phone)) == 1
