"""人脸识别登录 end to end through the OpenID Connect client and the simulated provider."""

from __future__ import annotations

from datetime import date

import pytest

from sscard.accounts.models import Person, User
from sscard.audit.models import AuditRecord
from sscard.core.trust import TrustLevel
from sscard.identity.models import ExternalIdentity
from sscard.identity.simulator import keys
from sscard.testing.ids import resident_id

pytestmark = pytest.mark.django_db

NAME = "林晓梅"
ID_NUMBER = resident_id(date(1990, 3, 8), male=False, serial=17)


def test_a_first_face_login_records_the_person_and_logs_in_at_l4(walk, client):
    response = walk.login(NAME, ID_NUMBER, next_url="/somewhere/")

    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    person = Person.objects.get()
    assert person.name == NAME and person.doc_number == ID_NUMBER
    assert person.birth_date == date(1990, 3, 8) and person.gender == "F"
    user = User.objects.get(person=person)
    assert user.role == User.Role.CITIZEN and not user.has_usable_password()
    assert ID_NUMBER not in user.username and NAME not in user.username
    link = ExternalIdentity.objects.get(user=user)
    assert link.issuer == "http://testserver/idp-sim"
    assert link.subject == keys.subject_for(ID_NUMBER) != ID_NUMBER
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["trust"] == TrustLevel.L4
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"identity.face_login", "identity.linked", "identity.account_created"} <= actions
