"""正式挂失 where the region has it done at the counter (``formal_loss_at_counter``): online the
holder may still report the card lost for a while (临时挂失) and lift it, but not make it
formal; staff at the counter do. Off (the default), 正式挂失 is done online as ever."""

from __future__ import annotations

import pytest

from sscard.accounts.models import User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.constants import LossAction, ReissueKind
from sscard.applications.eligibility import FORMAL_LOSS_AT_COUNTER, NotFormallyLost, check_reissue
from sscard.applications.models import Application
from sscard.cards.constants import CardStatus
from sscard.core.errors import DomainError
from sscard.testing.factories import CardFactory, StaffFactory, requester_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_counter(region):
    region.formal_loss_at_counter = True
    region.save()
    return region


def _formal(requester, card):
    return services.item_report_loss(
        requester=requester, card=card, action=LossAction.FORMAL, confirmed_irreversible=True
    )


def test_by_default_a_holder_reports_the_card_lost_formally_online(citizen, region):
    assert region.formal_loss_at_counter is False
    card = CardFactory(person=citizen.person)
    _formal(requester_for(citizen), card)
    card.refresh_from_db()
    assert card.status == CardStatus.LOST


@pytest.mark.parametrize("lost_temporarily", [False, True])
def test_where_it_is_done_at_the_counter_an_online_formal_report_is_refused(
    citizen, at_counter, lost_temporarily
):
    card = CardFactory(person=citizen.person, lost_temporarily=lost_temporarily)
    before = card.status
    # even a face-verified login: it is not a question of how sure we are of the person
    with pytest.raises(DomainError) as refused:
        _formal(requester_for(citizen, TrustLevel.L4), card)
    assert refused.value.code == "formal_loss_at_counter"
    assert refused.value.message == FORMAL_LOSS_AT_COUNTER
    assert "网点柜台办理" in refused.value.message
    card.refresh_from_db()
    assert card.status == before
    assert not Application.objects.exists()


def test_where_it_is_done_at_the_counter_a_temporary_report_and_its_lifting_still_work(
    citizen, at_counter
):
    card = CardFactory(person=citizen.person)
    requester = requester_for(citizen)
    services.item_report_loss(requester=requester, card=card, action=LossAction.TEMPORARY)
    card.refresh_from_db()
    assert card.status == CardStatus.TEMP_LOST
    services.item_report_loss(requester=requester, card=card, action=LossAction.CANCEL)
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_where_it_is_done_at_the_counter_the_clerk_makes_it_formal(citizen, at_counter, outlet):
    clerk = StaffFactory(role=User.Role.CLERK, outlet=outlet)
    card = CardFactory(person=citizen.person, lost_temporarily=True)
    _formal(Requester(user=clerk, trust=TrustLevel.L4, counter=True), card)
    card.refresh_from_db()
    assert card.status == CardStatus.LOST


def test_reissue_before_the_formal_report_points_to_the_counter_where_it_is_done_there(
    citizen, region
):
    card = CardFactory(person=citizen.person, lost_temporarily=True)
    with pytest.raises(NotFormallyLost) as online:
        check_reissue(requester=requester_for(citizen), card=card, kind=ReissueKind.REISSUE)
    assert "挂失与解挂" in online.value.message

    region.formal_loss_at_counter = True
    region.save()
    with pytest.raises(NotFormallyLost) as counter:
        check_reissue(requester=requester_for(citizen), card=card, kind=ReissueKind.REISSUE)
    assert "网点柜台办理" in counter.value.message
    assert "挂失与解挂”中办理" not in counter.value.message
