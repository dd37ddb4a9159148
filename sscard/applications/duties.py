"""Separation of duties: only a reviewer decides an application (受理, 退回补正, 不予通过,
审核通过, 终止办理), and never one they had a hand in making — submitted it (for themselves or
at the counter, 窗口代办), corrected it, resubmitted it after 退回补正. Who had a hand is read
from the application's whole timeline (its applicant and every ``ApplicationEvent``'s actor),
not only from its applicant: a reviewer who resubmitted someone else's returned application
at the counter may not then approve it. Deciding again (accepting, then approving) is no
hand in the making."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from sscard.accounts.models import User
from sscard.accounts.services import Relation, require_role
from sscard.applications.constants import ApplicationAction
from sscard.applications.models import Application, ApplicationEvent
from sscard.core.errors import DomainError

# the reviewer's own steps: taking one does not bar the next
DECISIONS = frozenset(
    {
        ApplicationAction.ACCEPT,
        ApplicationAction.RETURN,
        ApplicationAction.REJECT,
        ApplicationAction.APPROVE,
        ApplicationAction.END,
    }
)

NOT_A_REVIEWER = "只有审核人员可以审核办件"
OWN_APPLICATION = "不能审核本人提交的申请"
SUBMITTED_AT_COUNTER = "该办件由您窗口代办提交，不能由您审核（审核与经办须由不同人员办理）"
RESUBMITTED = "您为该办件办理过补正后重新提交，不能由您审核（审核与经办须由不同人员办理）"
TOOK_PART = "您经办过该办件，不能由您审核（审核与经办须由不同人员办理）"


class NotYourDecision(DomainError):
    """The member of staff may not decide this application (not a reviewer, or they had a
    hand in making it); the page says why instead of offering the decision."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="own_application")


def _hand_in_making(application: Application) -> Q:
    return Q(application=application) & ~Q(action__in=DECISIONS)


def decision_refusal(application: Application, user: User) -> str:
    """Why ``user`` may not decide ``application``, in the words the page shows; empty when
    they may."""
    if not user.is_active or user.role != User.Role.REVIEWER:
        return NOT_A_REVIEWER
    if application.applicant_id == user.pk:
        return SUBMITTED_AT_COUNTER if application.relation == Relation.COUNTER else OWN_APPLICATION
    steps = set(
        ApplicationEvent.objects.filter(_hand_in_making(application), actor_id=user.pk).values_list(
            "action", flat=True
        )
    )
    if not steps:
        return ""
    if ApplicationAction.RESUBMIT in steps:
        return RESUBMITTED
    if ApplicationAction.SUBMIT in steps:
        return SUBMITTED_AT_COUNTER if application.relation == Relation.COUNTER else OWN_APPLICATION
    return TOOK_PART


def ensure_may_decide(application: Application, user: User) -> None:
    """Every decision service calls this first (under the application's row lock)."""
    require_role(user, User.Role.REVIEWER)
    refusal = decision_refusal(application, user)
    if refusal:
        raise NotYourDecision(refusal)


def with_hand_in_making(rows: QuerySet[Application], user: User) -> QuerySet[Application]:
    """The queue's rows, each marked ``made_by_me`` when ``user`` had a hand in making it (one
    subquery in the page's own query, not one query a row)."""
    events = ApplicationEvent.objects.filter(application=OuterRef("pk"), actor_id=user.pk).exclude(
        action__in=DECISIONS
    )
    return rows.annotate(made_by_me=Q(applicant_id=user.pk) | Exists(events))
