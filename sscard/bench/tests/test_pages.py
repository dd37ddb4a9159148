"""The benchmark's reference pages: the floor is a signed-in portal page with nothing of its
own, and neither page is routed unless a benchmark run turns them on."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.test import Client

from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db


def test_the_floor_is_not_routed_by_default(client: Client):
    assert client.get("/bench/floor").status_code == 404
    assert client.get("/bench/baseline").status_code == 404


def test_the_floor_is_the_portal_frame_for_a_signed_in_citizen(client: Client, bench_pages):
    sign_in(client, UserFactory())
    page = client.get("/bench/floor")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'aria-label="底部导航"' in html and "我的办件" in html
    assert "private" in page["Cache-Control"]  # a signed-in page, never stored


def test_the_floor_sends_a_visitor_to_sign_in_and_a_staff_account_away(client: Client, bench_pages):
    assert client.get("/bench/floor").status_code == 302
    client.force_login(StaffFactory())
    assert client.get("/bench/floor").status_code == 403


def _deploy_checks() -> list[str]:
    return [m.id for m in run_checks(include_deployment_checks=True) if m.id]


def test_a_deployment_with_the_bench_pages_routed_fails_its_deploy_check(settings):
    assert "bench.W001" not in _deploy_checks()
    settings.SSCARD_BENCH_BASELINE = True
    assert "bench.W001" in _deploy_checks()
