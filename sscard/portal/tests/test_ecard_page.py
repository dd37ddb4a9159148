"""我的电子社保卡: the card face masked, a QR code that is the signed token, refreshed in place;
a step-up after a password login; a card not in use shows why and no code; a guardian sees
the minors' cards, nobody sees a stranger's."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from sscard.accounts.trust import TrustLevel
from sscard.core import qrcodes
from sscard.ecard.services import Outcome, ecard_verify
from sscard.regions.selectors import region_settings
from sscard.testing.factories import CardFactory, GuardianshipFactory, UserFactory
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    user = UserFactory()
    return user, CardFactory(person=user.person)


def _svg_paths(html: str) -> list[str]:
    return re.findall(r'<path stroke="#000" d="([^"]+)"', html)


@pytest.fixture
def issued(monkeypatch):
    """The tokens the service signs during the test, in order."""
    from sscard.core import signing

    seen: list[str] = []
    original = signing.sign_token

    def spy(payload, **kwargs):
        seen.append(original(payload, **kwargs))
        return seen[-1]

    monkeypatch.setattr(signing, "sign_token", spy)
    return seen


def test_the_page_shows_the_masked_card_and_a_code_that_verifies(holder, issued):
    user, card = holder
    client = sign_in(Client(), user, TrustLevel.L3_PLUS)
    page = client.get("/ecard/")
    html = page.content.decode()
    assert page.status_code == 200
    assert user.person.masked_name in html and card.masked_number in html
    assert user.person.name not in html and card.number not in html
    assert card.bank.name in html and "正常" in html
    area = region_settings().region_name  # the card's issuing area, by its name
    assert card.issuing_area == region_settings().region_code
    assert f"<dt>发卡地</dt><dd>{area}</dd>" in html
    assert 'role="img"' in html and "60秒内有效" in html
    assert 'hx-trigger="every 50s"' in html and ">刷新</a>" in html
    assert "no-store" in page["Cache-Control"]
    # the SVG draws the code the service signed, and that code verifies
    [token] = issued
    assert _svg_paths(html) == _svg_paths(qrcodes.qr_svg(token, title="x"))
    assert ecard_verify(token=token, verifier="staff:1", actor=None).outcome == Outcome.VALID


def test_the_refresh_returns_only_the_code_block_with_a_new_code(holder, issued):
    user, card = holder
    client = sign_in(Client(), user, TrustLevel.L4)
    first = client.get(f"/ecard/{card.pk}/code/", HTTP_HX_REQUEST="true").content.decode()
    second = client.get(f"/ecard/{card.pk}/code/", HTTP_HX_REQUEST="true").content.decode()
    assert first.lstrip().startswith('<div class="ecard-code"') and "<h1" not in first
    assert len(issued) == 2 and issued[0] != issued[1]
    assert _svg_paths(second) == _svg_paths(qrcodes.qr_svg(issued[1], title="x"))


def test_after_a_password_login_the_page_asks_for_the_step_up(holder):
    user, card = holder
    client = sign_in(Client(), user, TrustLevel.L3)
    page = client.get("/ecard/")
    assert page.status_code == 403 and "短信验证码" in page.content.decode()
    assert "<svg" not in page.content.decode()
    assert client.get(f"/ecard/{card.pk}/code/").status_code == 403


def test_a_card_reported_lost_shows_why_and_no_code():
    user = UserFactory()
    CardFactory(person=user.person, lost_temporarily=True)
    html = sign_in(Client(), user, TrustLevel.L4).get("/ecard/").content.decode()
    assert "已临时挂失" in html and 'role="img"' not in html and "hx-trigger" not in html


def test_a_sealed_card_asks_to_be_enabled_first():
    user = UserFactory()
    CardFactory(person=user.person, sealed=True)
    html = sign_in(Client(), user, TrustLevel.L4).get("/ecard/").content.decode()
    assert "请先启用" in html and 'role="img"' not in html


def test_a_guardian_sees_the_minors_card_and_no_strangers(holder):
    user, _card = holder
    ward = GuardianshipFactory(guardian=user.person).ward
    ward_card = CardFactory(person=ward)
    stranger = CardFactory()
    client = sign_in(Client(), user, TrustLevel.L4)
    html = client.get("/ecard/").content.decode()
    assert f"{ward.masked_name}的社会保障卡（监护）" in html and html.count('role="img"') == 2
    assert client.get(f"/ecard/{ward_card.pk}/code/").status_code == 200
    assert client.get(f"/ecard/{stranger.pk}/code/").status_code == 404


def test_too_many_refreshes_are_refused_with_the_wait(holder):
    user, card = holder
    client = sign_in(Client(), user, TrustLevel.L4)
    # inside one 10-minute window of the counter, whatever the clock says
    start = timezone.now().replace(minute=0, second=1)
    with time_machine.travel(start, tick=False):
        for _ in range(40):
            client.get(f"/ecard/{card.pk}/code/")
        html = client.get(f"/ecard/{card.pk}/code/").content.decode()
    assert "刷新过于频繁" in html and 'role="img"' not in html


def test_the_personal_centre_links_to_the_e_card(holder):
    user, _ = holder
    html = sign_in(Client(), user).get("/me/").content.decode()
    assert 'href="/ecard/"' in html and "我的电子社保卡" in html
