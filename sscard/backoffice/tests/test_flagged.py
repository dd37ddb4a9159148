"""异常账号: the reviewer sees the accounts reported “不是本人操作” (masked) and clears each
with a note, audited. Which roles open the page: ``test_access``."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sscard.accounts.flags import REASON_NOT_ME
from sscard.audit.models import AuditRecord
from sscard.testing.factories import UserFactory
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(db):
    return UserFactory(flagged_at=timezone.now(), flag_reason=REASON_NOT_ME)


def test_the_reviewer_sees_flagged_accounts_masked_with_when_and_why(reviewer, flagged):
    UserFactory()  # not flagged: not listed

    response = staff_client(reviewer).get("/staff/flagged/")

    text = response.content.decode()
    assert response.status_code == 200
    assert flagged.person.masked_name in text and REASON_NOT_ME in text
    assert flagged.person.name not in text and flagged.username not in text
    assert text.count("处理完毕</button>") == 1


def test_clearing_a_flag_needs_a_note_and_is_audited(reviewer, flagged):
    client = staff_client(reviewer)

    refused = client.post(f"/staff/flagged/{flagged.pk}/clear/", {"note": " "})

    assert refused.status_code == 400 and "请填写处理情况" in refused.content.decode()
    flagged.refresh_from_db()
    assert flagged.flagged_at is not None

    done = client.post(
        f"/staff/flagged/{flagged.pk}/clear/", {"note": "已电话核实，本人确认，已到网点正式挂失"}
    )

    assert done.status_code == 302 and done["Location"] == "/staff/flagged/"
    flagged.refresh_from_db()
    assert flagged.flagged_at is None and flagged.flag_reason == ""
    record = AuditRecord.objects.get(action="account.flag_cleared")
    assert record.actor_id == reviewer.pk
    assert record.detail["reason"] == REASON_NOT_ME and "电话核实" in record.detail["note"]


def test_an_account_not_flagged_cannot_be_cleared(reviewer):
    account = UserFactory()

    assert (
        staff_client(reviewer)
        .post(f"/staff/flagged/{account.pk}/clear/", {"note": "x"})
        .status_code
        == 404
    )
