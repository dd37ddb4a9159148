"""How many statements the citizen's read pages cost, pinned exactly: a page that grows a
query fails here. Each pin is one constant with the statements it counts, so a change that
removes some (cached region settings, say) updates one number and one comment. The counts
are taken inside the test's transaction: a service's atomic block shows as SAVEPOINT and
RELEASE SAVEPOINT statements (BEGIN and COMMIT outside tests)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from sscard.accounts.models import User
from sscard.accounts.trust import TrustLevel
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.portal.tests.helpers import item_url
from sscard.regions.selectors import region_settings
from sscard.testing.factories import (
    ApplicationFactory,
    CardFactory,
    GuardianshipFactory,
    UserFactory,
)
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

# 制卡进度 of one's own card request: session, user (with person), region settings, the newest
# card request (with its production order and subject), its production events.
PROGRESS_OWN = 5
# … of a ward's: session, user, the guardianship naming the ward (the URL's target), region
# settings, the guardianship asked again by query_progress (the domain's own access rule, also
# serving the counter), the newest card request, its production events.
PROGRESS_WARD = 7
# 应用状态 of one's own card: session, user, the card (with bank and holder: the URL's target,
# not read again), region settings.
STATUS_OWN = 4
# … of a ward's card: session, user, the card (its holder in care asked in the same
# statement), region settings, the guardianship asked again by query_card_status.
STATUS_WARD = 5
# 挂失 page: session, user, the card (with bank and holder), region settings.
LOSS_PAGE = 4
# 挂失 posted (临时挂失, a new form token): session, user, the card, the draft the token might
# name (none yet), region settings (the trust level asked), then draft_save: SAVEPOINT, the
# draft locked, SAVEPOINT, one INSERT (the entries encrypted once), RELEASE ×2.
LOSS_POST = 11
# 确认 page of the draft: session, user, the draft (with subject and card), the card.
CONFIRM_PAGE = 4
# 确认 posted: session, user, the draft, the card (4); SAVEPOINT, the draft locked and read
# again in the one statement, SAVEPOINT (3); item_report_loss: the submission key, region
# settings, the card read twice (_card_for), the submission key again (5); card_report_loss:
# SAVEPOINT, card, SAVEPOINT, card locked, its UPDATE, history INSERT, audit record (chain
# head, INSERT, head UPDATE), RELEASE ×2 (11); the person, the application INSERT (in a
# SAVEPOINT), its event, audit record (8); the notification: template, INSERT, guardians, their
# accounts, channel preference, message INSERT (6); RELEASE, the draft DELETE, RELEASE (3).
CONFIRM_POST = 40


@pytest.fixture
def holder(client: Client) -> User:
    """A citizen with a card and a card request in production, and a ward who has the same,
    signed in face-verified (L4)."""
    user = UserFactory()
    CardFactory(person=user.person)
    ApplicationFactory(applicant=user, subject=user.person, approved=True)
    link = GuardianshipFactory(guardian=user.person)
    CardFactory(person=link.ward)
    ApplicationFactory(applicant=user, subject=link.ward, approved=True)
    sign_in(client, user, TrustLevel.L4)
    region_settings()  # the deployment's row exists, as it does after the first request
    return user


def _active_card(person_id: int) -> Card:
    return Card.objects.get(person_id=person_id, status=CardStatus.ACTIVE)


def _ward_of(user: User) -> int:
    return user.person.wards_links.get().ward_id


def test_progress_of_ones_own_request(client, holder, django_assert_num_queries):
    with django_assert_num_queries(PROGRESS_OWN):
        page = client.get(item_url("progress", f"person-{holder.person_id}"))
    assert page.status_code == 200
    assert "审核通过" in page.content.decode()


def test_progress_of_a_wards_request(client, holder, django_assert_num_queries):
    url = item_url("progress", f"person-{_ward_of(holder)}")
    with django_assert_num_queries(PROGRESS_WARD):
        page = client.get(url)
    assert page.status_code == 200
    assert "审核通过" in page.content.decode()


def test_status_of_ones_own_card(client, holder, django_assert_num_queries):
    card = _active_card(holder.person_id)
    with django_assert_num_queries(STATUS_OWN):
        page = client.get(item_url("status", f"card-{card.pk}"))
    assert page.status_code == 200
    assert card.masked_number in page.content.decode()


def test_status_of_a_wards_card(client, holder, django_assert_num_queries):
    card = _active_card(_ward_of(holder))
    with django_assert_num_queries(STATUS_WARD):
        page = client.get(item_url("status", f"card-{card.pk}"))
    assert page.status_code == 200
    assert card.masked_number in page.content.decode()


def test_loss_page_and_its_confirmation(client, holder, django_assert_num_queries):
    card = _active_card(holder.person_id)
    url = item_url("loss", f"card-{card.pk}")
    token = str(uuid.uuid4())

    with django_assert_num_queries(LOSS_PAGE):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(LOSS_POST):
        posted = client.post(url, {"action": "temporary", "token": token})
    assert posted.status_code == 302 and posted["Location"] == f"/drafts/{token}/"
    with django_assert_num_queries(CONFIRM_PAGE):
        assert client.get(f"/drafts/{token}/").status_code == 200
    with django_assert_num_queries(CONFIRM_POST):
        submitted = client.post(f"/drafts/{token}/", {})

    assert submitted.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.TEMP_LOST


# --- the one-target look-ups open what the lists offer, and nothing else -----------------------


@pytest.mark.parametrize("shape", ["0{pk}", "{pk}x", "０{pk}", "+{pk}"])
def test_a_target_key_not_as_the_list_writes_it_is_not_found(client, holder, shape):
    card = _active_card(holder.person_id)
    for item, prefix, pk in (
        ("status", "card", card.pk),
        ("loss", "card", card.pk),
        ("progress", "person", holder.person_id),
    ):
        key = f"{prefix}-{shape.format(pk=pk)}"
        assert client.get(item_url(item, key)).status_code == 404, key


def test_a_ward_grown_up_is_followed_only_for_what_was_applied_for(client, holder):
    """At the guardian age the ward's card is no longer the guardian's to look at; the card
    request the guardian submitted stays theirs to follow (as 选择办理对象 lists it)."""
    ward = holder.person.wards_links.get().ward
    card = _active_card(ward.pk)
    ward.birth_date = ward.birth_date.replace(year=ward.birth_date.year - 20)
    ward.save()

    assert client.get(item_url("status", f"card-{card.pk}")).status_code == 404
    assert client.get(item_url("loss", f"card-{card.pk}")).status_code == 404
    assert client.get(item_url("progress", f"person-{ward.pk}")).status_code == 200


def test_someone_elses_card_and_person_are_not_found(client, holder):
    other = UserFactory()
    card = CardFactory(person=other.person)
    ApplicationFactory(applicant=other, subject=other.person, approved=True)

    assert client.get(item_url("status", f"card-{card.pk}")).status_code == 404
    assert client.get(item_url("loss", f"card-{card.pk}")).status_code == 404
    assert client.get(item_url("progress", f"person-{other.person_id}")).status_code == 404
