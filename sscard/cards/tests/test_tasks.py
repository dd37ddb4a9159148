from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from sscard.cards.constants import CardStatus
from sscard.cards.tasks import expire_temporary_losses_task
from sscard.testing.factories import CardFactory

pytestmark = pytest.mark.django_db


def test_the_periodic_task_lifts_expired_temporary_loss_reports_and_nothing_else():
    expired = CardFactory(
        lost_temporarily=True, loss_expires_at=timezone.now() - timedelta(minutes=1)
    )
    running = CardFactory(lost_temporarily=True)

    result = expire_temporary_losses_task.enqueue()

    expired.refresh_from_db()
    running.refresh_from_db()
    assert result.return_value == 1
    assert expired.status == CardStatus.ACTIVE
    assert running.status == CardStatus.TEMP_LOST


def test_run_periodic_enqueues_the_expiry_sweep():
    card = CardFactory(lost_temporarily=True)

    with time_machine.travel(timezone.now() + timedelta(days=11)):
        call_command("run_periodic")

    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
