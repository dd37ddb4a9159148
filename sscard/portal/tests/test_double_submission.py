"""One submission per form token: posting a confirmation twice — a
double click, the back button, two tabs — makes one application, and the second answer is
the receipt of the first."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.test import Client

from sscard.accounts.trust import TrustLevel
from sscard.applications.models import Application
from sscard.conftest import jpeg
from sscard.portal.models import Draft
from sscard.portal.tests.helpers import apply_post, draft_id_of, item_url
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.races import results, run_at_once
from sscard.testing.sessions import sign_in
from sscard.testing.sms import code_sent_to


def _apply_draft(client: Client, user, bank, outlet) -> str:
    page = client.post(
        item_url("apply", f"person-{user.person.pk}"),
        {**apply_post(user.person, bank, outlet), "token": str(uuid.uuid4()), "photo": jpeg()},
    )
    return draft_id_of(page)


@pytest.mark.django_db
def test_confirming_twice_makes_one_application_and_shows_its_receipt(client, region, bank, outlet):
    user = UserFactory()
    sign_in(client, user)
    draft = _apply_draft(client, user, bank, outlet)

    first = client.post(f"/drafts/{draft}/")
    assert first.status_code == 302
    application = Application.objects.get(applicant=user)
    assert first["Location"] == f"/my/{application.receipt_number}/?done=1"
    assert not Draft.objects.filter(pk=draft).exists()

    again = client.post(f"/drafts/{draft}/")
    assert again.status_code == 302
    assert again["Location"] == f"/my/{application.receipt_number}/"
    assert Application.objects.filter(applicant=user).count() == 1
    receipt = client.get(again["Location"])
    assert receipt.status_code == 200
    assert application.receipt_number in receipt.content.decode()


@pytest.mark.django_db
def test_the_back_button_to_a_submitted_confirmation_shows_the_receipt(
    client, region, bank, outlet
):
    user = UserFactory()
    sign_in(client, user)
    draft = _apply_draft(client, user, bank, outlet)
    client.post(f"/drafts/{draft}/")
    application = Application.objects.get(applicant=user)
    back = client.get(f"/drafts/{draft}/")
    assert back.status_code == 302
    assert back["Location"] == f"/my/{application.receipt_number}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("item", "post"),
    [
        ("loss", {"action": "temporary"}),
        ("change", {"phone": "13700001111", "address": "广东省揭阳市榕城区新阳路18号"}),
    ],
)
def test_instant_items_confirmed_twice_make_one_application(client, region, bank, item, post):
    """挂失 and 信息变更 are done at once: the second click must not report the card lost
    again or record a second change, and it shows the first receipt."""
    user = UserFactory()
    card = CardFactory(person=user.person, bank=bank)
    sign_in(client, user, TrustLevel.L4)
    target = f"card-{card.pk}" if item == "loss" else f"person-{user.person.pk}"
    draft = draft_id_of(client.post(item_url(item, target), {**post, "token": str(uuid.uuid4())}))
    code = {}
    if item == "change":  # the new phone number is proved first
        client.post(f"/drafts/{draft}/", {"action": "send_code"})
        code = {"code": code_sent_to(post["phone"])}
    first = client.post(f"/drafts/{draft}/", code)
    assert first.status_code == 302, first.content.decode()
    application = Application.objects.get(applicant=user)
    again = client.post(f"/drafts/{draft}/", code)
    assert Application.objects.filter(applicant=user).count() == 1
    assert again.status_code == 302
    assert again["Location"] == f"/my/{application.receipt_number}/"


def _confirm_in_parallel(
    cookie: str, draft: str, n: int, data: dict | None = None
) -> list[tuple[int, str]]:
    """POST the confirmation ``n`` times at the same instant, each on its own connection;
    a server error in any of them fails the test."""

    def confirm(client: Client):
        def post() -> tuple[int, str]:
            response = client.post(f"/drafts/{draft}/", data or {})
            return response.status_code, response.get("Location", "")

        return post

    clients = [Client(raise_request_exception=True) for _ in range(n)]
    for client in clients:
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    answers = results(run_at_once(*[confirm(client) for client in clients]))
    return answers


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_parallel_confirmations_make_one_application(region, bank, outlet):
    """A double click, a triple click, a second tab: the same draft confirmed on separate
    connections at the same instant makes one application, and every answer is its receipt."""
    user = UserFactory()
    setup = sign_in(Client(), user)
    draft = _apply_draft(setup, user, bank, outlet)
    answers = _confirm_in_parallel(setup.cookies[settings.SESSION_COOKIE_NAME].value, draft, 6)
    application = Application.objects.get(applicant=user)
    assert application.materials.filter(kind="photo").exists()
    assert {status for status, _ in answers} == {302}
    assert {location.split("?")[0] for _, location in answers} == {
        f"/my/{application.receipt_number}/"
    }
    assert not Draft.objects.filter(pk=draft).exists()


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_parallel_confirmations_of_a_change_make_one(region):
    """信息变更 is done at once: confirmed four times together, it is recorded once."""
    user = UserFactory()
    setup = sign_in(Client(), user, TrustLevel.L3_PLUS)
    posted = {"phone": "13700001111", "address": "广东省揭阳市榕城区新阳路18号"}
    draft = draft_id_of(
        setup.post(
            item_url("change", f"person-{user.person.pk}"), {**posted, "token": str(uuid.uuid4())}
        )
    )
    setup.post(f"/drafts/{draft}/", {"action": "send_code"})
    code = {"code": code_sent_to("13700001111")}
    cookie = setup.cookies[settings.SESSION_COOKIE_NAME].value
    answers = _confirm_in_parallel(cookie, draft, 4, code)
    application = Application.objects.get(applicant=user)
    # the code opens once: every click after the first is shown the first one's receipt
    assert {status for status, _ in answers} == {302}
    assert f"/my/{application.receipt_number}/?done=1" in [location for _, location in answers]
