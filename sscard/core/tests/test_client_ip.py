"""Behind the reverse proxy the lockout and the audit trail key on the citizen's address, not
the proxy's; a client writing its own X-Forwarded-For changes nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from sscard.audit.models import AuditRecord
from sscard.core.net import client_ip
from sscard.portal.tests.helpers import login_post
from sscard.testing.factories import UserFactory

PROXY = "10.0.0.2"
behind_proxy = override_settings(SSCARD_TRUSTED_PROXIES=["10.0.0.0/8"])


def _ip(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_a_trusted_proxy_the_header_is_ignored():
    assert _ip("203.0.113.7", "198.51.100.1") == "203.0.113.7"


@behind_proxy
@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        # the client wrote a header of its own; our proxy appended what it saw
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),
        # two of our proxies in a row
        ("198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        ("not-an-address", PROXY),
        ("", PROXY),
    ],
)
def test_behind_our_proxy_the_right_most_outside_address_is_the_client(forwarded, client):
    assert _ip(PROXY, forwarded) == client


@behind_proxy
def test_an_untrusted_sender_cannot_pose_as_our_proxy():
    assert _ip("203.0.113.7", "10.0.0.9, 198.51.100.1") == "203.0.113.7"


@pytest.mark.django_db
@behind_proxy
def test_behind_the_proxy_one_citizens_lockout_does_not_lock_another(client):
    UserFactory(username="zhangsan")
    here = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    there = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, "zhangsan", "not the password", **here)
    assert login_post(client, "zhangsan", **here).status_code == 429
    # the same account from another citizen's address, through the same proxy
    assert login_post(client, "zhangsan", **there).status_code == 200
    record = AuditRecord.objects.filter(action="login.password").latest("at")
    assert record.address == "198.51.100.9"
