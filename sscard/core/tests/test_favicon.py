"""``/favicon.ico``, which browsers ask for whatever the page links, leads to the portal's
icon, cacheable for a year; inside WeChat it is not sent through WeChat authorization."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from sscard.wechat.tests.conftest import WECHAT_UA

pytestmark = pytest.mark.django_db


def test_the_favicon_is_the_portals_icon_cached_for_a_year(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == static("portal/icon.svg")
    assert finders.find("portal/icon.svg") is not None
    assert "max-age=31536000" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


def test_the_favicon_inside_wechat_is_not_sent_through_wechat_authorization(client):
    response = client.get("/favicon.ico", HTTP_USER_AGENT=WECHAT_UA)

    assert response.status_code == 301
    assert response["Location"] == static("portal/icon.svg")
