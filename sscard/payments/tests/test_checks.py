from __future__ import annotations

from sscard.payments.checks import payment_settings


def test_the_simulated_gateway_is_refused_in_production(settings):
    settings.SSCARD_ENV = "production"
    settings.SSCARD_PAYMENT_SIMULATOR = True

    assert "payments.E001" in [message.id for message in payment_settings()]


def test_online_payment_without_a_key_is_refused(settings):
    settings.SSCARD_PAYMENTS = True
    settings.SSCARD_PAYMENT_KEY = ""

    assert "payments.E002" in [message.id for message in payment_settings()]


def test_the_test_runs_settings_pass(settings):
    settings.SSCARD_PAYMENTS = True

    assert payment_settings() == []
