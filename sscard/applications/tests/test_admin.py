"""The Django admin is the staff UI until the back office lands: it shows everything,
masked, and its lists do not cost a query per row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sscard.applications import services
from sscard.applications.tests.helpers import submit_apply
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    return otp_login(client, StaffFactory(username="root", role="admin", is_superuser=True))


def _accepted(count, bank, outlet, reviewer):
    for _ in range(count):
        application = submit_apply(UserFactory(), bank, outlet)
        services.application_accept(application=application, actor=reviewer)


def _changelist_queries(admin_client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get("/admin/applications/application/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_application_list_shows_each_countdown_without_a_query_per_row(
    admin_client, bank, outlet, reviewer
):
    admin_client.get("/admin/")  # the session's first request records when it was last used
    _accepted(2, bank, outlet, reviewer)
    _changelist_queries(admin_client)  # the holiday table is cached after the first
    few, _ = _changelist_queries(admin_client)
    _accepted(8, bank, outlet, reviewer)
    many, page = _changelist_queries(admin_client)

    assert page.count("剩余 25 个工作日") == 10
    assert many == few


def test_the_person_list_shows_masked_identity_and_a_full_id_number_finds_the_person(
    admin_client,
):
    person = UserFactory().person

    listing = admin_client.get("/admin/accounts/person/").content.decode()
    found = admin_client.get("/admin/accounts/person/", {"q": person.doc_number})

    assert person.doc_number not in listing
    assert person.masked_doc_number in listing
    assert person.phone not in listing
    assert person.masked_name in found.content.decode()
    assert found.context["cl"].result_count == 1


def test_an_application_page_shows_the_form_masked(admin_client, citizen, bank, outlet):
    application = submit_apply(citizen, bank, outlet)

    page = admin_client.get(f"/admin/applications/application/{application.pk}/change/")

    body = page.content.decode()
    assert page.status_code == 200
    assert citizen.person.doc_number not in body
    assert "13912345678" not in body
    assert "139****5678" in body


def test_service_written_records_are_shown_with_their_history_and_never_added_here(
    admin_client,
):
    from sscard.cards.services import card_report_loss
    from sscard.testing.factories import CardFactory

    card = card_report_loss(card=CardFactory(), kind="temporary", actor=None)

    page = admin_client.get(f"/admin/cards/card/{card.pk}/change/").content.decode()

    assert "临时挂失" in page  # the history row beneath the card
    assert card.number not in page
    for url in (
        "/admin/cards/card/add/",
        "/admin/applications/application/add/",
        "/admin/audit/auditrecord/add/",
        "/admin/production/productionorder/add/",
    ):
        assert admin_client.get(url).status_code == 403, url
