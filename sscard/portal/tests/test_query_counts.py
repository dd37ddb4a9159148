"""How many statements the citizen's read pages cost, pinned exactly: a page that grows a
query fails here. Each pin is one constant with the statements it counts, so a change that
removes some (cached region settings, say) updates one number and one comment. The counts
are taken inside the test's transaction: a service's atomic block shows as SAVEPOINT and
RELEASE SAVEPOINT statements (BEGIN and COMMIT outside tests), and the region settings row,
made in that transaction, is read from the database once a request — served warm, outside a
transaction, it is a cache read (the last test here)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from sscard.accounts.models import User
from sscard.accounts.trust import TrustLevel
from sscard.applications.models import Application
from sscard.cards import services as card_services
from sscard.cards.constants import CardStatus, LossKind
from sscard.cards.models import Card
from sscard.portal.tests.helpers import apply_post, item_url
from sscard.regions.selectors import region_settings
from sscard.testing.factories import (
    ApplicationFactory,
    CardFactory,
    GuardianshipFactory,
    UserFactory,
)
from sscard.testing.photos import compliant_photo, upload
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def warm_caches_stay_warm(settings):
    """A pin counts a warm page: the reference caches keep what the warm-up read for the whole
    test (the per-process cache's few seconds may lapse between warm-up and count on a loaded
    machine, and the page would then read them again)."""
    settings.SSCARD_REFERENCE_CACHE_SECONDS = 300


# 制卡进度 of one's own card request: session, user (with person), region settings, the newest
# card request (with its production order and subject), its production events.
PROGRESS_OWN = 5
# … of a ward's: session, user, the guardianship naming the ward (the URL's target), region
# settings, the newest card request, its production events. query_progress's own access rule
# (which also serves the counter) asks whether the guardianship is in force: the page found it
# in this request, and the rule reads that answer (guardianship_active, once a request).
PROGRESS_WARD = 6
# 应用状态 of one's own card: session, user, the card (with bank and holder: the URL's target,
# not read again), region settings.
STATUS_OWN = 4
# … of a ward's card: session, user, the card (its holder in care asked in the same
# statement, which query_card_status's rule reads as its answer), region settings.
STATUS_WARD = 4
# 挂失 page, and the same page of a card reported lost (解挂 offered): session, user, the card
# (with bank and holder: the URL's target, one statement), region settings.
LOSS_PAGE = 4
# 挂失 posted (临时挂失 or 解挂, a new form token): session, user, the card, the draft the token
# might name (none yet), region settings (the trust level asked), then draft_save: SAVEPOINT,
# the draft locked, SAVEPOINT, one INSERT (the entries encrypted once), RELEASE ×2.
LOSS_POST = 11
# 确认 page of the draft: session, user, the draft (its row alone), the card (with bank and
# holder).
CONFIRM_PAGE = 4
# 确认 posted (临时挂失 or 解挂): session, user, the draft, the card (4); SAVEPOINT, the draft
# locked and read again in the one statement (2); item_report_loss: SAVEPOINT, the card locked
# (its only read: holder and bank as the page found them), the submission key asked once under
# the lock, region settings (4); card_report_loss or card_cancel_loss on the card as locked:
# SAVEPOINT ×2, the UPDATE, history INSERT, audit record (chain head, INSERT, head UPDATE),
# RELEASE ×2 (9); the application INSERT (in a SAVEPOINT), its event, audit record (7); the
# notification: template, INSERT, guardians, their accounts, channel preference, message
# INSERT (6); RELEASE, the draft DELETE, RELEASE (3).
CONFIRM_POST = 35
# 挂失 page served warm outside a transaction, as in production: session, user, the card (the
# region settings come from the cache).
LOSS_PAGE_WARM = 3
# 首页, signed in: session, user (with person), the unread messages' count (消息's badge).
HOME = 3
# … with the shared cache production runs (Redis, CACHE_URL): the session and the user with
# their person come from the cache, only the unread messages' count is asked.
HOME_SHARED_CACHE = 1


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


def test_the_home_page_signed_in(client, holder, django_assert_num_queries):
    with django_assert_num_queries(HOME):
        assert client.get("/").status_code == 200


@pytest.mark.django_db(transaction=True)  # committed, as in production: the cache hears it
def test_the_home_page_signed_in_with_the_shared_cache(shared_cache, django_assert_num_queries):
    client = sign_in(Client(), UserFactory())
    assert client.get("/").status_code == 200  # the session and the user are kept
    with django_assert_num_queries(HOME_SHARED_CACHE):
        assert client.get("/").status_code == 200


def test_cancel_loss_page_and_its_confirmation(client, holder, django_assert_num_queries):
    card = card_services.card_report_loss(
        card=_active_card(holder.person_id), kind=LossKind.TEMPORARY, actor=None
    )
    url = item_url("loss", f"card-{card.pk}")
    token = str(uuid.uuid4())

    with django_assert_num_queries(LOSS_PAGE):
        page = client.get(url)
    assert page.status_code == 200 and 'value="cancel"' in page.content.decode()
    with django_assert_num_queries(LOSS_POST):
        posted = client.post(url, {"action": "cancel", "token": token})
    assert posted.status_code == 302 and posted["Location"] == f"/drafts/{token}/"
    with django_assert_num_queries(CONFIRM_PAGE):
        assert client.get(f"/drafts/{token}/").status_code == 200
    with django_assert_num_queries(CONFIRM_POST):
        submitted = client.post(f"/drafts/{token}/", {})

    assert submitted.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_page_served_warm_reads_no_region_settings(client, django_assert_num_queries):
    user = UserFactory()
    card = CardFactory(person=user.person)
    sign_in(client, user, TrustLevel.L4)
    region_settings()  # the deployment's row, committed
    url = item_url("loss", f"card-{card.pk}")
    assert client.get(url).status_code == 200  # the first request fills the cache

    with django_assert_num_queries(LOSS_PAGE_WARM) as captured:
        page = client.get(url)

    assert page.status_code == 200
    assert not [q for q in captured.captured_queries if "regions_regionsettings" in q["sql"]]


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


# --- 申领 with a photo: the page, the page posted with the photo, its confirmation --------------

# 申领 page for oneself (no card yet): session, user, region settings, the person's card and
# open 申领/补换 (eligibility), the banks and the outlets offered, whether a card was ever
# issued (the fee).
APPLY_PAGE = 8
# … posted with a photo (a new form token; the photo checked and kept here, once): session,
# user, region settings, card and open application (eligibility, asked once), the draft the
# token might name (none yet), the bank and the outlet chosen (6 + 2); then draft_save:
# SAVEPOINT, the draft locked, SAVEPOINT, one INSERT with the files (the entries encrypted
# once), RELEASE ×2 (6).
APPLY_POST = 14
# 确认 posted: session, user, the draft, region settings (whether the photo's check still
# holds; asked once a request) (4); SAVEPOINT, the draft locked and read again, the
# submission key, the bank and the outlet (5); the service: SAVEPOINT, the person locked,
# the submission key again, eligibility (card, open application), whether a card was ever
# issued, the outlet, the application INSERT (in a SAVEPOINT), its event, audit record
# (chain head, INSERT, head UPDATE), the photo's material INSERT, RELEASE (16); the draft
# DELETE, RELEASE (2). No photo check: the draft's is handed on.
APPLY_CONFIRM_POST = 27


@pytest.fixture
def applicant(client: Client, region) -> User:
    user = UserFactory()
    sign_in(client, user, TrustLevel.L3)
    return user


def test_apply_with_a_photo_and_its_confirmation(
    client, applicant, bank, outlet, django_assert_num_queries
):
    url = item_url("apply", f"person-{applicant.person_id}")
    token = str(uuid.uuid4())
    entries = apply_post(applicant.person, bank, outlet)

    with django_assert_num_queries(APPLY_PAGE):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(APPLY_POST):
        posted = client.post(url, {**entries, "token": token, "photo": upload(compliant_photo())})
    assert posted.status_code == 302 and posted["Location"] == f"/drafts/{token}/"
    with django_assert_num_queries(APPLY_CONFIRM_POST):
        submitted = client.post(f"/drafts/{token}/", {})

    assert submitted.status_code == 302
    application = Application.objects.get(applicant=applicant)
    assert application.materials.filter(kind="photo").exists()


def test_a_draft_posted_again_with_a_new_photo_is_written_with_one_update(
    client, applicant, bank, outlet
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = item_url("apply", f"person-{applicant.person_id}")
    token = str(uuid.uuid4())
    entries = apply_post(applicant.person, bank, outlet)
    client.post(url, {**entries, "token": token, "photo": upload(compliant_photo())})

    with CaptureQueriesContext(connection) as queries:
        again = client.post(
            url,
            {**entries, "occupation": "厨师", "token": token, "photo": upload(compliant_photo())},
        )

    assert again.status_code == 302
    writes = [
        q["sql"].split()[0]
        for q in queries.captured_queries
        if '"portal_draft"' in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    assert writes == ["UPDATE"]
