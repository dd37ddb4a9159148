"""Separation of duties: whoever had a hand in making an application — submitted it as its
applicant, took it in at the counter (窗口代办), corrected or resubmitted it after 退回补正 —
decides none of it (受理, 退回补正, 不予通过, 审核通过, 终止办理); a reviewer who had no hand in
it decides as usual. Read from the application's whole timeline, not only its applicant."""

from __future__ import annotations

import pytest

from sscard.accounts.models import User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.applications.tests.helpers import apply_form, submit_apply
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.testing.factories import PersonFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    """A second reviewer, who serves people at the counter too."""
    return StaffFactory(username="reviewer2", role=User.Role.REVIEWER, person=PersonFactory())


def at_counter(user: User) -> Requester:
    return Requester(user=user, trust=TrustLevel.L4, counter=True)


def counter_apply(user: User, bank, outlet) -> Application:
    return services.application_submit_apply(
        requester=at_counter(user),
        data=apply_form(PersonFactory(), bank, outlet),
        files={"photo": jpeg()},
    )


def returned(application: Application, reviewer: User) -> Application:
    accepted = services.application_accept(application=application, actor=reviewer)
    return services.application_return(application=accepted, actor=reviewer, reason="照片不清晰")


def every_decision_is_refused(application: Application, actor: User, words: str) -> None:
    """受理 or 不予受理 on a submitted application; 审核通过, 退回补正, 不予通过 on an
    accepted one: each refused in ``words``, the application left as it was."""
    status = Application.objects.get(pk=application.pk).status
    if status == AppStatus.SUBMITTED:
        steps = [services.application_accept, services.application_reject]
    else:
        steps = [
            services.application_approve,
            services.application_return,
            services.application_reject,
        ]
    for step in steps:
        kwargs = (
            {}
            if step in (services.application_accept, services.application_approve)
            else {"reason": "说明"}
        )
        with pytest.raises(DomainError, match=words) as refused:
            step(application=application, actor=actor, **kwargs)
        assert refused.value.code == "own_application"
    assert Application.objects.get(pk=application.pk).status == status


def test_a_reviewer_decides_nothing_on_what_they_applied_for_themselves(
    bank, outlet, reviewer, colleague
):
    application = submit_apply(colleague, bank, outlet)
    every_decision_is_refused(application, colleague, "不能审核本人提交的申请")
    accepted = services.application_accept(application=application, actor=reviewer)
    every_decision_is_refused(accepted, colleague, "不能审核本人提交的申请")


def test_a_reviewer_decides_nothing_they_took_in_at_the_counter(bank, outlet, reviewer, colleague):
    application = counter_apply(colleague, bank, outlet)
    every_decision_is_refused(application, colleague, "由您窗口代办提交")
    accepted = services.application_accept(application=application, actor=reviewer)
    every_decision_is_refused(accepted, colleague, "由您窗口代办提交")
    assert services.application_approve(application=accepted, actor=reviewer).status == (
        AppStatus.APPROVED
    )


def test_resubmitting_someone_elses_returned_application_at_the_counter_bars_deciding_it(
    bank, outlet, reviewer, clerk, colleague
):
    """The finding: the reviewer resubmits a returned application through the counter, then
    would approve it; the applicant is the clerk, so the applicant check alone let it pass."""
    application = returned(counter_apply(clerk, bank, outlet), reviewer)

    resubmitted = services.application_resubmit(
        requester=at_counter(colleague), application=application, data={}, files={"photo": jpeg()}
    )

    assert resubmitted.status == AppStatus.ACCEPTED
    every_decision_is_refused(resubmitted, colleague, "补正后重新提交，不能由您审核")
    assert services.application_approve(application=resubmitted, actor=reviewer).status == (
        AppStatus.APPROVED
    )


def test_correcting_the_entries_of_a_returned_application_bars_deciding_it(
    bank, outlet, reviewer, clerk, colleague
):
    application = returned(counter_apply(clerk, bank, outlet), reviewer)

    edited = services.application_resubmit(
        requester=at_counter(colleague),
        application=application,
        data={"address": "广东省揭阳市榕城区临江北路1号"},
    )

    assert edited.form_data["address"] == "广东省揭阳市榕城区临江北路1号"
    every_decision_is_refused(edited, colleague, "不能由您审核")


def test_ending_an_application_after_failed_production_is_refused_to_whoever_made_it(
    bank, outlet, reviewer, colleague
):
    application = services.application_accept(
        application=counter_apply(colleague, bank, outlet), actor=reviewer
    )
    application = services.application_approve(application=application, actor=reviewer)
    with pytest.raises(DomainError, match="由您窗口代办提交"):
        services.application_end_after_failure(
            application=application, actor=colleague, reason="无法制卡"
        )


def test_a_reviewer_who_had_no_hand_in_it_decides_as_usual(bank, outlet, reviewer, clerk):
    application = returned(counter_apply(clerk, bank, outlet), reviewer)  # accepted, returned
    resubmitted = services.application_resubmit(
        requester=at_counter(clerk), application=application, data={}, files={"photo": jpeg()}
    )
    # the same reviewer accepted and returned it: deciding again is no hand in the making
    assert services.application_approve(application=resubmitted, actor=reviewer).status == (
        AppStatus.APPROVED
    )
