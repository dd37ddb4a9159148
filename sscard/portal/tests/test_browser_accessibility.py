"""The main screens, in every way a holder may meet them: 标准 and 长辈模式, on a 390 × 844
phone, on a 320 × 568 one and with the text at 200 % (a phone’s accessibility setting: the
root's size doubled from the mode's own, 32 px standard, 40 px in 长辈模式). Each screen is
checked with axe-core (the browser fixture does it on every page: ``sscard.testing.a11y``),
must not scroll sideways, must not cut a control off at the edge, and must keep the title
bar's title at least five characters wide; at 390 and 320 px its texts and controls are
measured (``sscard.testing.targets``: in 长辈模式 every text at least 18 px and every control
60 × 60, in the standard mode every control 44 × 44). The 长辈模式 and 200 % versions are
photographed: ``var/screenshots/a11y-*.png``."""

from __future__ import annotations

import pytest

from sscard.applications.tests.helpers import submit_apply
from sscard.portal.tests.conftest import password_login
from sscard.testing.every_way import visit_every_way
from sscard.testing.factories import CardFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def holder(citizen_user, partners):
    """A citizen with a card and a 申领 in review, so every 个人中心 page has content."""
    bank, outlet = partners
    application = submit_apply(citizen_user, bank, outlet)
    CardFactory(person=citizen_user.person, bank=bank)
    return citizen_user, application


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_the_main_screens_are_usable_in_every_mode_and_size(phone, live_server, holder, elder):
    _user, application = holder
    if elder:
        phone.context.add_cookies([{"name": "elder", "value": "1", "url": live_server.url}])
    for path in ("/", "/login/", "/register/", "/bundles/sscard/", "/no-such-page/"):
        visit_every_way(phone, path, elder=elder)

    password_login(phone, "zhangsan")
    for path in (
        "/me/",
        "/my/",
        f"/my/{application.receipt_number}/",
        "/messages/",
        "/bundles/sscard/status/",
        "/bundles/sscard/progress/",
        "/bundles/sscard/loss/",
        "/bundles/sscard/change/",
    ):
        visit_every_way(phone, path, elder=elder)
