"""Two reviewers deciding one application at the same instant, on real parallel connections:
one decision wins, the other reviewer is told clearly that someone else decided first."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.applications.tests.helpers import submit_apply
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.races import results, run_at_once
from sscard.testing.sessions import staff_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]
ROUNDS = 5


def _race(posts: list[tuple[object, str, dict[str, str]]]) -> list[list[str]]:
    """Each (client, url, data) posted at the same instant: the message each decision showed."""

    def post(client, url: str, data: dict[str, str]):
        def send() -> list[str]:
            response = client.post(url, data)
            assert response.status_code == 302
            # the newest message is this decision's (earlier rounds' were never displayed)
            return [str(m) for m in get_messages(response.wsgi_request)][-1:]

        return send

    return results(run_at_once(*[post(*p) for p in posts], timeout=60))


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_one_of_two_simultaneous_decisions_wins_and_the_other_is_told(
    second, bank, outlet, reviewer, other_reviewer
):
    clients = [staff_client(reviewer), staff_client(other_reviewer)]
    reject = {"status": "accepted", "reason_code": "other", "reason": "材料不符"}
    for _ in range(ROUNDS):
        application = services.application_accept(
            application=submit_apply(UserFactory(), bank, outlet),
            actor=StaffFactory(),
        )
        posts = [
            (clients[0], _url("approve", application), {"status": "accepted"}),
            (
                clients[1],
                _url(second, application),
                {"status": "accepted"} if second == "approve" else reject,
            ),
        ]
        outcome = _race(posts)
        application.refresh_from_db()
        assert application.status in (AppStatus.APPROVED, AppStatus.REJECTED)
        wins = [m for m in outcome if m and not any("未执行" in x for x in m)]
        losses = [m for m in outcome if any("您的操作未执行" in x for x in m)]
        assert len(wins) == 1 and len(losses) == 1, outcome
        # one decision, one timeline entry, one production order at most
        assert application.events.filter(action__in=("approve", "reject")).count() == 1
        approved = application.status == AppStatus.APPROVED
        assert (application.production_order_id is not None) == approved


def _url(name: str, application: Application) -> str:
    return reverse(f"backoffice:{name}", args=[application.pk])
