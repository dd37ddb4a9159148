"""Free text a citizen typed is shown as text wherever it is read: an address holding markup
reaches the reviewer's page (masked and revealed) and the citizen's own pages as the
characters typed, never as markup a browser would run."""

from __future__ import annotations

import pytest
from django.test import Client

from sscard.accounts.trust import TrustLevel
from sscard.applications.tests.helpers import submit_apply
from sscard.testing.factories import UserFactory
from sscard.testing.sessions import sign_in, staff_client

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
ADDRESS = f"广东省揭阳市榕城区{SCRIPT}<img src=x onerror=alert(1)>路18号"
OCCUPATION = '教师"><svg onload=alert(1)>'


def _no_markup_of_theirs(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<svg onload" not in html


def test_markup_typed_into_an_application_is_shown_as_text_to_the_reviewer(
    region, bank, outlet, reviewer
):
    user = UserFactory()
    application = submit_apply(user, bank, outlet, address=ADDRESS, occupation=OCCUPATION)
    client = staff_client(reviewer)

    masked = client.get(f"/staff/applications/{application.pk}/").content.decode()
    _no_markup_of_theirs(masked)
    revealed = client.post(f"/staff/applications/{application.pk}/reveal/").content.decode()
    _no_markup_of_theirs(revealed)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in revealed  # there, as text
    assert "教师&quot;&gt;&lt;svg onload=alert(1)&gt;" in revealed

    mine = sign_in(Client(), user, TrustLevel.L4)
    for url in ("/my/", f"/my/{application.receipt_number}/"):
        page = mine.get(url)
        assert page.status_code == 200
        _no_markup_of_theirs(page.content.decode())
