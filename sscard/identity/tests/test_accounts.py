"""Completing a face login: which account the verified person lands in, linking, step-up
from a password login, and where the browser goes next."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from sscard.accounts.models import Person, User
from sscard.audit.models import AuditRecord
from sscard.core.errors import DomainError
from sscard.core.trust import TrustLevel
from sscard.identity import services
from sscard.identity.models import ExternalIdentity
from sscard.identity.oidc import VerifiedIdentity
from sscard.identity.simulator import keys
from sscard.testing import faces
from sscard.testing.factories import (
    EmployerAgentFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.ids import resident_id

pytestmark = pytest.mark.django_db


def _password_login(client, user):
    """What the portal's password login leaves in the session: the user at trust L3."""
    client.force_login(user)
    session = client.session
    session["trust"] = int(TrustLevel.L3)
    session.save()


def test_a_person_with_a_password_account_is_linked_to_it_not_given_a_second(walk, client):
    user = UserFactory()
    walk.login(user.person.name, user.person.doc_number)
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.get().user == user
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["trust"] == TrustLevel.L4
    linked = AuditRecord.objects.get(action="identity.linked")
    login = AuditRecord.objects.get(action="identity.face_login")
    assert linked.actor_id == login.actor_id == user.pk
    assert login.detail["account"] == "linked"
    for record in AuditRecord.objects.all():
        text = json.dumps(record.detail, ensure_ascii=False) + record.actor_label
        assert user.person.doc_number not in text and user.person.name not in text


def test_a_returning_person_comes_back_to_the_same_account(walk, client):
    person = PersonFactory()
    walk.login(person.name, person.doc_number)
    first = ExternalIdentity.objects.get()
    client.logout()
    walk.login(person.name, person.doc_number)
    again = ExternalIdentity.objects.get()
    assert again.pk == first.pk and again.last_login_at > first.last_login_at
    assert User.objects.count() == 1
    logins = AuditRecord.objects.filter(action="identity.face_login").order_by("id")
    assert [r.detail["account"] for r in logins] == ["created", "returning"]


def test_a_password_login_is_stepped_up_to_l4_by_the_same_persons_face(walk, client):
    user = UserFactory()
    _password_login(client, user)
    session_before = client.session.session_key
    response = walk.login(user.person.name, user.person.doc_number, next_url="/items/enable/")
    assert response["Location"] == "/items/enable/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["trust"] == TrustLevel.L4
    assert client.session.session_key != session_before
    assert AuditRecord.objects.filter(action="identity.step_up", actor_id=user.pk).exists()


def test_a_face_of_another_person_changes_nothing_for_the_logged_in_user(walk, client):
    user = UserFactory()
    _password_login(client, user)
    response = walk.login("王小明", resident_id(date(1979, 2, 14), serial=88))
    assert response.status_code == 403
    assert "人脸识别的身份与当前登录的账号不是同一人，未作任何更改" in response.content.decode()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["trust"] == TrustLevel.L3
    assert Person.objects.count() == 1 and User.objects.count() == 1
    assert not ExternalIdentity.objects.exists()
    refused = AuditRecord.objects.get(action="identity.face_login", result="refused")
    assert refused.detail["reason"] == "other_person" and refused.actor_id == user.pk


def test_an_employer_account_cannot_be_stepped_up_by_a_face(walk, client):
    agent = EmployerAgentFactory()
    _password_login(client, agent)
    response = walk.login("王小明", resident_id(date(1979, 2, 14), serial=88))
    assert response.status_code == 403
    assert client.session["trust"] == TrustLevel.L3


def test_a_staff_members_identity_does_not_open_the_staff_account(walk, client):
    person = PersonFactory()
    StaffFactory(person=person)
    response = walk.login(person.name, person.doc_number)
    assert response.status_code == 403
    assert "工作人员和单位请使用账号密码登录" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_disabled_account_stays_closed(walk, client):
    user = UserFactory(is_active=False)
    response = walk.login(user.person.name, user.person.doc_number)
    assert response.status_code == 403
    assert "该账号已停用" in response.content.decode()
    assert "_auth_user_id" not in client.session


def _request(user=None):
    request = RequestFactory().get("/login/face/callback/")
    request.session = SessionStore()
    request.user = user or AnonymousUser()
    return request


def test_the_same_subject_from_another_issuer_is_another_identity():
    """Accounts are keyed by issuer + subject: provider B cannot reuse provider A's ``sub``
    to enter the account linked to A."""
    owner = UserFactory()
    ExternalIdentity.objects.create(issuer="https://idp-a.example", subject="s-1", user=owner)
    stranger = VerifiedIdentity(
        issuer="https://idp-b.example",
        subject="s-1",
        name="赵六",
        id_number=resident_id(date(1966, 6, 6), serial=5),
    )
    user = services.face_login(request=_request(), identity=stranger)
    assert user != owner
    assert user.person.name == "赵六"


def test_an_identity_linked_to_one_account_never_lands_in_another_person():
    owner = UserFactory()
    ExternalIdentity.objects.create(issuer="https://idp-a.example", subject="s-1", user=owner)
    changed = VerifiedIdentity(
        issuer="https://idp-a.example",
        subject="s-1",
        name="赵六",
        id_number=resident_id(date(1966, 6, 6), serial=5),
    )
    with pytest.raises(DomainError) as refused:
        services.face_login(request=_request(), identity=changed)
    assert refused.value.code == "identity_conflict"
    assert not Person.objects.filter(name="赵六").exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/cards/?tab=mine", "/cards/?tab=mine"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http://testserver/", "/"),
        ("relative/path", "/"),
        ("", "/"),
    ],
)
def test_next_only_goes_to_a_path_on_this_site(walk, given, kept):
    response = walk.login("周芳", resident_id(date(2001, 9, 9), male=False, serial=9), given)
    assert response.status_code == 302
    assert response["Location"] == kept


def test_the_step_up_link_comes_back_to_the_page_that_asked_for_it(walk, client):
    user = UserFactory()
    _password_login(client, user)
    link = services.face_login_url(next_path="/items/unlock/?card=7")
    assert link == "/login/face/?next=%2Fitems%2Funlock%2F%3Fcard%3D7"
    walk.authorize(httpx.URL(client.get(link)["Location"]))
    walk.identity(user.person.name, user.person.doc_number)
    response = walk.callback(walk.face(faces.one_face()).context["return_url"])
    assert response["Location"] == "/items/unlock/?card=7"
    assert client.session["trust"] == TrustLevel.L4


def test_no_personal_data_travels_in_a_url(walk, client):
    person = PersonFactory()
    start = walk.start()
    assert person.doc_number not in str(start)
    response = walk.authorize(start)
    response = walk.identity(person.name, person.doc_number)
    assert person.doc_number not in response["Location"]
    done = walk.face(faces.one_face())
    back = done.context["return_url"]
    assert person.doc_number not in back and person.name not in back
    assert keys.subject_for(person.doc_number) not in back
    for cookie in client.cookies.values():
        assert person.doc_number not in cookie.value and person.name not in cookie.value


def test_a_whole_face_login_logs_no_personal_data(walk, caplog):
    caplog.set_level("DEBUG")
    person = PersonFactory()
    walk.login(person.name, person.doc_number)
    walk.client.logout()
    walk.authorize(walk.start())
    walk.identity("王小明", person.doc_number)  # refused: not the name on record
    walk.callback("/login/face/callback/?state=forged&code=forged")  # refused: state
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "oidc" in text or "audit" in text
    assert person.doc_number not in text and person.name not in text
    assert keys.subject_for(person.doc_number) not in text


def test_a_face_login_takes_back_an_account_that_never_proved_possession(walk, client):
    """The pre-account hijack: someone registered with the person's name and ID number alone.
    The person's face login makes the account theirs: the impostor's password stops working,
    the impostor's other sessions end, the WeChat binding goes."""
    from django.test import Client

    from sscard.testing.factories import PASSWORD
    from sscard.wechat.models import WeChatBinding

    squatter = UserFactory(unproved=True, username="squatter")
    WeChatBinding.objects.create(user=squatter, openid="o-squatter-openid")
    impostor = Client()
    impostor.force_login(squatter)
    assert impostor.get("/me/").context["user"].pk == squatter.pk

    walk.login(squatter.person.name, squatter.person.doc_number)

    squatter.refresh_from_db()
    assert not squatter.has_usable_password()
    assert not squatter.check_password(PASSWORD)
    assert squatter.possession == User.Possession.FACE
    assert not WeChatBinding.objects.filter(user=squatter).exists()
    assert int(client.session["_auth_user_id"]) == squatter.pk  # the person is in
    assert not impostor.get("/me/").context["user"].is_authenticated  # the impostor is out
    login = AuditRecord.objects.get(action="identity.face_login")
    assert login.detail["account"] == "taken_back"
    assert AuditRecord.objects.filter(action="identity.account_taken_back").exists()
    # the person is told, by SMS to the phone on file and in the 消息中心
    from sscard.notifications.models import Message

    told = Message.objects.filter(notification__event="account_taken_back")
    assert squatter.person.phone in [m.address for m in told.filter(channel="sms")]
    assert told.filter(channel="inbox", user=squatter).exists()


def test_a_proved_account_keeps_its_password_when_the_person_logs_in_by_face(walk, client):
    from sscard.testing.factories import PASSWORD

    user = UserFactory()
    walk.login(user.person.name, user.person.doc_number)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
