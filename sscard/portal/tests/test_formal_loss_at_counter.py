"""The 挂失与解挂 page and 我的办件 where the region has 正式挂失 done at the counter
(``formal_loss_at_counter``), and where it does not (the default)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from sscard.accounts.trust import TrustLevel
from sscard.cards.constants import CardStatus
from sscard.portal.tests.helpers import item_url
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

BOOK_FORMAL_LOSS = reverse("portal:appointment_new") + "?purpose=formal_loss"
COUNTER_ONLY = "须到柜台办理"


@pytest.fixture
def holder():
    return UserFactory()


@pytest.fixture
def card(holder):
    return CardFactory(person=holder.person)


@pytest.fixture
def client(holder) -> Client:
    return sign_in(Client(), holder, TrustLevel.L4)


@pytest.fixture
def at_counter(region):
    region.formal_loss_at_counter = True
    region.save()
    return region


def test_by_default_the_page_offers_the_formal_report_and_nothing_sends_to_the_counter(
    client, card, region
):
    page = client.get(item_url("loss", f"card-{card.pk}")).content.decode()
    assert 'value="formal"' in page and "f-confirm_irreversible" in page
    assert "正式挂失须到网点柜台办理" not in page and BOOK_FORMAL_LOSS not in page
    mine = client.get(reverse("portal:applications")).content.decode()
    assert "正式挂失可在线办理，也可预约到柜台办理" in mine
    assert "正式挂失、姓名等信息变更须到柜台办理" not in mine
    # the booking is there for those who prefer the counter, and says it is a choice
    booking = client.get(BOOK_FORMAL_LOSS).content.decode()
    assert "正式挂失也可在线办理" in booking and COUNTER_ONLY not in booking


def test_at_the_counter_the_page_offers_only_the_temporary_report_and_links_to_booking(
    client, card, at_counter
):
    page = client.get(item_url("loss", f"card-{card.pk}")).content.decode()
    assert 'value="temporary"' in page and 'value="formal"' not in page
    assert "f-confirm_irreversible" not in page
    assert "正式挂失须到网点柜台办理" in page
    assert f'href="{BOOK_FORMAL_LOSS}"' in page and "预约网点办理正式挂失" in page
    mine = client.get(reverse("portal:applications")).content.decode()
    assert "正式挂失、姓名等信息变更须到柜台办理" in mine
    booking = client.get(BOOK_FORMAL_LOSS).content.decode()
    assert "本地区正式挂失须本人携带有效身份证件到网点柜台办理" in booking


def test_at_the_counter_a_temporarily_lost_card_may_be_lifted_but_not_made_formal(
    client, holder, at_counter
):
    card = CardFactory(person=holder.person, lost_temporarily=True)
    page = client.get(item_url("loss", f"card-{card.pk}")).content.decode()
    assert 'value="cancel"' in page and 'value="formal"' not in page
    assert "期间可随时解挂或转为正式挂失" not in page


def test_at_the_counter_a_posted_formal_report_is_refused_beside_the_choice(
    client, card, at_counter
):
    url = item_url("loss", f"card-{card.pk}")
    answer = client.post(
        url, {"token": str(uuid.uuid4()), "action": "formal", "confirm_irreversible": "on"}
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'id="e-action"' in page and "网点柜台办理" in page
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE

    token = str(uuid.uuid4())
    posted = client.post(url, {"token": token, "action": "temporary"})
    assert posted.status_code == 302 and posted["Location"] == f"/drafts/{token}/"
    assert client.post(f"/drafts/{token}/", {}).status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.TEMP_LOST


def test_a_formal_report_confirmed_after_the_region_moved_it_to_the_counter_is_refused(
    client, card, region
):
    token = str(uuid.uuid4())
    url = item_url("loss", f"card-{card.pk}")
    posted = client.post(url, {"token": token, "action": "formal", "confirm_irreversible": "on"})
    assert posted.status_code == 302
    region.formal_loss_at_counter = True
    region.save()
    confirmed = client.post(f"/drafts/{token}/", {}, follow=True)
    assert "网点柜台办理" in confirmed.content.decode()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
