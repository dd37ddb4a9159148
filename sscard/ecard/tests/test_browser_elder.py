"""我的电子社保卡 (with a minor's card) and a receipt's verification page in 长辈模式 and in the
standard mode: no text under 18 px (长辈模式) and no control under 60 × 60 (44 × 44), nothing
scrolling sideways at 390 and 320 px. Screenshots: var/screenshots/ecard-elder-*.png."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from sscard.accounts.trust import TrustLevel
from sscard.core.elder import ELDER_COOKIE, ON
from sscard.ecard.receipts import ReceiptKind, receipt_code, receipt_verify_url
from sscard.testing.browser import PHONE, shot
from sscard.testing.factories import (
    ApplicationFactory,
    CardFactory,
    GuardianshipFactory,
    UserFactory,
)
from sscard.testing.sessions import sign_in_page
from sscard.testing.targets import sideways_overflow, too_small

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 568}


@pytest.mark.parametrize("elder", [True, False], ids=["elder", "standard"])
def test_the_e_card_and_a_receipts_page_fit_a_phone(phone, live_server, elder):
    user = UserFactory()
    CardFactory(person=user.person)
    CardFactory(person=GuardianshipFactory(guardian=user.person).ward, sealed=True)
    done = ApplicationFactory(completed=True)  # anybody's: the page is public
    sign_in_page(phone, user, live_server, TrustLevel.L4)
    if elder:
        phone.context.add_cookies([{"name": ELDER_COOKIE, "value": ON, "url": live_server.url}])
    verify = urlsplit(receipt_verify_url(receipt_code(done, ReceiptKind.COMPLETION))).path
    mode = "elder" if elder else "standard"
    for name, url in (("ecard", "/ecard/"), ("receipt-verified", verify)):
        phone.goto(url)
        assert ("elder" in (phone.locator("html").get_attribute("class") or "")) is elder
        for viewport in (PHONE, NARROW):
            phone.set_viewport_size(viewport)
            assert too_small(phone, elder=elder) == {"texts": [], "targets": []}, (name, viewport)
            assert sideways_overflow(phone) <= 0, (name, viewport)
            shot(phone, f"ecard-{mode}-{name}-{viewport['width']}")
        phone.set_viewport_size(PHONE)
