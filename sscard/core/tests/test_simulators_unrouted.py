"""In production the simulated outside systems are not served at all, whatever their flags
say: a flag left on by mistake must not let anyone log in as anyone (the simulated identity
provider accepts any name with any face) or read codes texted to citizens."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client
from django.urls import clear_url_caches

import config.urls

SIMULATOR_ADDRESSES = (
    "/idp-sim/.well-known/openid-configuration",
    "/idp-sim/authorize",
    "/sms-sim/",
    "/wechat-sim/connect/oauth2/authorize",
    "/pay-sim/",
)


FLAGS = (
    "SSCARD_ENV",
    "SSCARD_IDP_SIMULATOR",
    "SSCARD_SMS_SIMULATOR",
    "SSCARD_WECHAT_SIMULATOR",
    "SSCARD_PAYMENT_SIMULATOR",
)


@pytest.fixture
def site_under(settings):
    """``site_under(env)``: the site's urls loaded anew under SSCARD_ENV=env with every
    simulator flag on (as a process started with those settings would load them)."""
    before = {name: getattr(settings, name) for name in FLAGS}

    def build(env: str) -> Client:
        settings.SSCARD_ENV = env
        settings.SSCARD_IDP_SIMULATOR = True
        settings.SSCARD_SMS_SIMULATOR = True
        settings.SSCARD_WECHAT_SIMULATOR = True
        settings.SSCARD_PAYMENT_SIMULATOR = True
        importlib.reload(config.urls)
        clear_url_caches()
        return Client()

    yield build
    for name, value in before.items():
        setattr(settings, name, value)
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_simulators_answer_404_in_production_even_with_their_flags_on(site_under):
    client = site_under("production")
    for address in SIMULATOR_ADDRESSES:
        assert client.get(address).status_code == 404, address


@pytest.mark.django_db
def test_the_same_flags_serve_the_simulators_outside_production(site_under):
    client = site_under("dev")
    answered = {address: client.get(address).status_code for address in SIMULATOR_ADDRESSES}
    assert all(status != 404 for status in answered.values()), answered
