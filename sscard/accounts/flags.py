"""Accounts flagged for staff (``User.flagged_at``, ``flag_reason``): a holder reported a
change they did not make (“不是本人操作？”), and a reviewer looks at the account and clears the
flag with a note. Writes are atomic and audited; :func:`flagged_accounts` is the read."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sscard.accounts.models import User
from sscard.accounts.services import require_role
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.core.masking import mask_text

REASON_NOT_ME = "持卡人报告非本人操作"


def flagged_accounts() -> QuerySet[User]:
    """Every flagged account, the oldest report first, with its person."""
    return (
        User.objects.filter(flagged_at__isnull=False)
        .select_related("person", "employer")
        .order_by("flagged_at", "pk")
    )


@transaction.atomic
def account_flag(*, user: User, reason: str, actor: User | None) -> bool:
    """Flag the account for staff; an account already flagged keeps its first report (returns
    False, changes nothing)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.flagged_at is not None:
        return False
    user.flagged_at = timezone.now()
    user.flag_reason = reason[:200]
    user.save(update_fields=["flagged_at", "flag_reason"])
    audit_record(actor=actor, action="account.flagged", target=user, detail={"reason": reason})
    return True


@transaction.atomic
def account_flag_clear(*, user: User, actor: User, note: str) -> User:
    """处理完毕: a reviewer clears the flag, saying what was done (kept in the audit trail)."""
    require_role(actor, User.Role.REVIEWER)
    note = note.strip()
    if not note:
        raise DomainError("请填写处理情况", field="note")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.flagged_at is None:
        raise DomainError("该账号的异常标记已处理", code="not_flagged")
    reason, flagged_at = user.flag_reason, user.flagged_at
    user.flagged_at, user.flag_reason = None, ""
    user.save(update_fields=["flagged_at", "flag_reason"])
    audit_record(
        actor=actor,
        action="account.flag_cleared",
        target=user,
        detail={
            "reason": reason,
            "flagged_at": timezone.localtime(flagged_at).isoformat(),
            "note": mask_text(note)[:300],
        },
    )
    return user
