"""Staff roles as Django groups with explicit permissions.

An account's ``role`` says which group it belongs to; the group carries the permissions the
back office checks (``access.staff_view``). The groups are created by the data migration
``backoffice/0001_staff_groups`` with exactly these permissions; :func:`staff_groups_ensure`
resets them to this table (after a permission is added here, in a new migration too).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from sscard.accounts.models import User

REVIEW = "applications.review_application"
REVEAL = "applications.reveal_personal_data"
COUNTER = "applications.counter_service"
OUTLET_WORK = "applications.outlet_work"
DASHBOARD = "applications.view_dashboard"
VIEW_APPLICATION = "applications.view_application"
VIEW_MATERIAL = "applications.view_material"
VIEW_AUDIT = "audit.view_auditrecord"
VIEW_ORDER = "production.view_productionorder"
CHANGE_ORDER = "production.change_productionorder"
VIEW_BATCH = "production.view_batch"
ADD_BATCH = "production.add_batch"
CHANGE_BATCH = "production.change_batch"
EXPORT_BATCH = "production.export_batch"
IMPORT_RESULTS = "production.import_results"
VIEW_MESSAGE = "notifications.view_message"
RESEND_MESSAGE = "notifications.resend_message"
REVIEW_EMPLOYER = "accounts.review_employer"
VIEW_FAILED_TASK = "taskqueue.view_failed_task"
REQUEUE_TASK = "taskqueue.requeue_task"
VIEW_PAYMENTS = "payments.view_payments"

ROLE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    User.Role.REVIEWER: (
        "审核人员",
        # 审核人员 also review employers' registrations (营业执照) before they may act
        (REVIEW, REVEAL, COUNTER, VIEW_APPLICATION, VIEW_MATERIAL, DASHBOARD, REVIEW_EMPLOYER),
    ),
    User.Role.PRODUCER: (
        "制卡管理员",
        (
            VIEW_ORDER,
            CHANGE_ORDER,
            VIEW_BATCH,
            ADD_BATCH,
            CHANGE_BATCH,
            EXPORT_BATCH,
            IMPORT_RESULTS,
            VIEW_APPLICATION,
            DASHBOARD,
        ),
    ),
    User.Role.CLERK: ("网点柜员", (OUTLET_WORK, COUNTER, VIEW_ORDER)),
    # 系统管理员 runs the system: the audit trail, messages that failed to reach a holder,
    # background tasks that failed (run again from /staff/tasks/failed/), and payments,
    # refunds and the daily reconciliation (缴费与对账)
    User.Role.ADMIN: (
        "系统管理员",
        (
            VIEW_AUDIT,
            DASHBOARD,
            VIEW_MESSAGE,
            RESEND_MESSAGE,
            VIEW_FAILED_TASK,
            REQUEUE_TASK,
            VIEW_PAYMENTS,
        ),
    ),
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def staff_groups_ensure() -> dict[str, Group]:
    """The four role groups with exactly the permissions of :data:`ROLE_GROUPS`."""
    from django.apps import apps

    for label in (
        "accounts",
        "applications",
        "audit",
        "production",
        "notifications",
        "taskqueue",
        "payments",
    ):
        create_permissions(apps.get_app_config(label), verbosity=0)
    groups: dict[str, Group] = {}
    for role, (name, perms) in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(p) for p in perms])
        groups[role] = group
    return groups


def staff_role_group_sync(user: User) -> None:
    """Put a staff account in its role's group and out of the other role groups."""
    names = {name for name, _ in ROLE_GROUPS.values()}
    wanted = ROLE_GROUPS.get(user.role, ("", ()))[0]
    current = set(user.groups.filter(name__in=names).values_list("name", flat=True))
    if current == ({wanted} if wanted else set()):
        return
    stale = current - {wanted}
    if stale:
        user.groups.remove(*Group.objects.filter(name__in=stale))
    if wanted and wanted not in current:
        group = Group.objects.filter(name=wanted).first()
        if group is not None:
            user.groups.add(group)


def _on_user_saved(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        staff_role_group_sync(instance)
