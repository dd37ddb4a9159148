"""Deny by default: every back-office URL, opened by every staff role, a citizen, an employer
and an anonymous visitor, answers as the role table says — and only the login page opens
without the TOTP second factor."""

from __future__ import annotations

import uuid
from datetime import time
from importlib import import_module

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from sscard.accounts.models import User
from sscard.applications.tests.helpers import approve, submit_apply
from sscard.appointments.constants import Purpose
from sscard.appointments.models import Appointment
from sscard.backoffice.roles import ROLE_GROUPS
from sscard.notifications.models import Message
from sscard.payments.models import PaymentOrder, ReconciliationRun, Refund
from sscard.production import services as production
from sscard.production.constants import Stage
from sscard.testing.factories import (
    EmployerAgentFactory,
    EmployerFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db

R, P, C, A = User.Role.REVIEWER, User.Role.PRODUCER, User.Role.CLERK, User.Role.ADMIN
# every URL under /staff/ (by its namespaced name) → the roles that may open it; everyone else
# gets 403. A screen added under /staff/ by any app makes the walk fail until it is listed here.
ALLOWED: dict[str, set[str]] = {
    "backoffice:home": {R, P, C, A},
    "backoffice:queue": {R},
    "backoffice:application": {R, P},
    "backoffice:reveal": {R},
    "backoffice:accept": {R},
    "backoffice:approve": {R},
    "backoffice:return": {R},
    "backoffice:reject": {R},
    "backoffice:end": {R},
    "backoffice:outlet": {C},
    "backoffice:outlet_sign_in": {C},
    "backoffice:handover": {C},
    # 网点预约: the clerk's day list, 已到 and 未到
    "backoffice:appointments": {C},
    "backoffice:appointment_arrived": {C},
    "backoffice:appointment_no_show": {C},
    "backoffice:counter": {R, C},
    "backoffice:counter_item": {R, C},
    "backoffice:counter_resubmit": {R, C},
    "backoffice:counter_receipt": {R, C},
    # 电子社保卡核验: the clerk at the outlet, the reviewer at the counter
    "backoffice:verify": {R, C},
    "backoffice:verify_photo": {R, C},
    "backoffice:dashboard": {R, P, A},
    "backoffice:audit": {A},
    # 失败任务: the 系统管理员 sees background tasks that failed and runs them again
    "backoffice:failed_tasks": {A},
    "backoffice:failed_task_requeue": {A},
    # 异常账号: the reviewer looks at accounts reported “不是本人操作”
    "backoffice:flagged": {R},
    "backoffice:flagged_clear": {R},
    # 待审核单位: the reviewer checks employers' registrations (营业执照)
    "backoffice:employers": {R},
    "backoffice:employer": {R},
    "backoffice:employer_licence": {R},
    "backoffice:employer_approve": {R},
    "backoffice:employer_refuse": {R},
    # 制卡管理 (sscard.production): the 制卡管理员's batches
    "production:dashboard": {P},
    "production:batch_new": {P},
    "production:batch_detail": {P},
    "production:batch_send": {P},
    "production:batch_cancel": {P},
    "production:batch_export": {P},
    "production:batch_import": {P},
    # 消息发送 (sscard.notifications): the 系统管理员 looks at deliveries and resends failed ones
    "notifications_staff:list": {A},
    "notifications_staff:detail": {A},
    "notifications_staff:resend": {A},
    # 缴费与对账 (sscard.payments): the 系统管理员 follows payments, refunds and reconciliation
    "backoffice:payments": {A},
}
OPEN = {"backoffice:login", "backoffice:logout"}
# a role's page that answers 404 until the session has earned it: the card photo of a holder
# whose code this session verified (sscard/backoffice/tests/test_verify.py)
# and the receipt of an item this session did at the counter
EARNED = {"backoffice:verify_photo", "backoffice:counter_receipt"}
STAFF_PREFIX = "staff/"


def _patterns(patterns=None, namespace: str = "", route: str = "") -> list[URLPattern]:
    """Every URL pattern whose address starts with /staff/, whichever app it belongs to,
    named with its namespaces (``backoffice:queue``)."""
    found: list[URLPattern] = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        full = route + str(p.pattern)
        if isinstance(p, URLResolver):
            if not (full.startswith(STAFF_PREFIX) or STAFF_PREFIX.startswith(full)):
                continue
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += _patterns(p.url_patterns, inner, full)
        elif full.startswith(STAFF_PREFIX):
            p.qualified = namespace + (p.name or "")
            found.append(p)
    return found


@pytest.fixture
def urls(bank, outlet, reviewer, producer, clerk):
    application = approve(submit_apply(UserFactory(), bank, outlet), reviewer)
    order = application.production_order
    production.order_send_data(order=order, actor=producer)
    for stage in (Stage.PRODUCING, Stage.CITY_BANK):
        production.order_advance(order=order, to=stage, actor=producer)
    waiting = approve(submit_apply(UserFactory(), bank, outlet), reviewer).production_order
    batch = production.batch_create(bank=bank, order_ids=[waiting.pk], actor=producer)
    message = Message.objects.filter(notification__person=order.person).first()
    flagged = UserFactory(flagged_at=timezone.now(), flag_reason="持卡人报告非本人操作")
    employer = EmployerFactory(pending=True, licence=True)
    appointment = Appointment.objects.create(
        person=order.person,
        booked_by=application.applicant,
        purpose=Purpose.FORMAL_LOSS,
        outlet=outlet,
        day=timezone.localdate(),
        starts=time(9, 0),
    )
    # a paid and refunded order on the application's page and in 缴费与对账, with a
    # reconciliation that found a difference
    paid = PaymentOrder.objects.create(
        application=application,
        out_trade_no="PACCESS0001",
        amount_fen=2000,
        status="paid",
        paid_at=timezone.now(),
        expires_at=timezone.now(),
    )
    Refund.objects.create(order=paid, out_refund_no="RACCESS0001", amount_fen=2000, reason="测试")
    run = ReconciliationRun.objects.create(day=timezone.localdate(), ours=1, theirs=0)
    run.differences.create(
        kind="ours_only", entry="SUCCESS", reference="PACCESS0001", ours_fen=2000
    )
    kwargs = {
        "backoffice:application": {"pk": application.pk},
        "backoffice:reveal": {"pk": application.pk},
        "backoffice:accept": {"pk": application.pk},
        "backoffice:approve": {"pk": application.pk},
        "backoffice:return": {"pk": application.pk},
        "backoffice:reject": {"pk": application.pk},
        "backoffice:end": {"pk": application.pk},
        "backoffice:outlet_sign_in": {"pk": order.pk},
        "backoffice:handover": {"pk": order.pk},
        "backoffice:appointment_arrived": {"pk": appointment.pk},
        "backoffice:appointment_no_show": {"pk": appointment.pk},
        "backoffice:counter_item": {"item": "apply"},
        "backoffice:counter_resubmit": {"pk": application.pk},
        "backoffice:verify_photo": {"pk": 1},
        "backoffice:counter_receipt": {"receipt": application.receipt_number, "kind": "acceptance"},
        "production:batch_detail": {"pk": batch.pk},
        "production:batch_send": {"pk": batch.pk},
        "production:batch_cancel": {"pk": batch.pk},
        "production:batch_export": {"pk": batch.pk, "fmt": "csv"},
        "production:batch_import": {"pk": batch.pk},
        "backoffice:flagged_clear": {"pk": flagged.pk},
        "backoffice:employer": {"pk": employer.pk},
        "backoffice:employer_licence": {"pk": employer.pk},
        "backoffice:employer_approve": {"pk": employer.pk},
        "backoffice:employer_refuse": {"pk": employer.pk},
        "notifications_staff:detail": {"pk": message.pk},
        "notifications_staff:resend": {"pk": message.pk},
        "backoffice:failed_task_requeue": {"task_id": str(uuid.uuid4())},
    }
    query = {"production:batch_new": f"?bank={bank.code}"}  # the bank a new batch is for
    return {
        p.qualified: reverse(p.qualified, kwargs=kwargs.get(p.qualified, {}))
        + query.get(p.qualified, "")
        for p in _patterns()
        if p.qualified not in OPEN
    }


def test_the_role_table_covers_every_back_office_url_and_every_view_is_guarded():
    names = {p.qualified for p in _patterns()}
    assert names == set(ALLOWED) | OPEN  # a new screen is added to the table above
    for pattern in _patterns():
        if pattern.qualified not in OPEN:
            assert hasattr(pattern.callback, "staff_perms"), pattern.qualified


@pytest.mark.parametrize("role", [R, P, C, A])
def test_each_role_opens_exactly_its_own_pages(role, urls, clerk, reviewer, producer):
    user = {R: reviewer, P: producer, C: clerk}.get(role) or StaffFactory(role=role)
    client = staff_client(user)
    for name, url in urls.items():
        response = client.get(url)
        status = response.status_code
        if role in ALLOWED[name]:
            # 405: a POST-only action; 302: back to the step that must come first (the
            # counter asks whom it serves), never to the login
            assert status in ((200, 302, 405) if name not in EARNED else (404,)), (role, name)
            if status == 200:  # a screen of citizens' data is never cached (SECURITY D-4)
                assert "no-store" in response["Cache-Control"], name
            if status == 302:
                assert not response["Location"].startswith(reverse("backoffice:login"))
        else:
            assert status == 403, (role, name, status)


@pytest.mark.parametrize("make", [UserFactory, EmployerAgentFactory], ids=["citizen", "employer"])
def test_citizens_and_employers_are_refused_everywhere(make, urls):
    client = Client()
    client.force_login(make())
    for name, url in urls.items():
        assert client.get(url).status_code == 403, name
        assert client.post(url).status_code == 403, name


def test_anonymous_visitors_and_password_only_sessions_go_to_the_login(urls, reviewer):
    password_only = Client()
    password_only.force_login(reviewer)  # e.g. signed in through the Django admin
    for client in (Client(), password_only):
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("backoffice:login")), name


def test_the_groups_carry_exactly_the_permissions_of_the_role_table(staff_groups):
    for role, (name, perms) in ROLE_GROUPS.items():
        group = staff_groups[role]
        assert group.name == name
        granted = {
            f"{app}.{code}"
            for app, code in group.permissions.values_list("content_type__app_label", "codename")
        }
        assert granted == set(perms)


def test_the_data_migration_created_the_same_groups():
    latest = "sscard.backoffice.migrations.0005_payment_permissions"
    frozen = import_module(latest).GROUPS
    assert {name: set(perms) for name, perms in frozen.items()} == {
        name: set(perms) for name, perms in ROLE_GROUPS.values()
    }


def test_changing_an_accounts_role_moves_it_to_the_new_group(reviewer):
    assert reviewer.has_perm("applications.review_application")
    reviewer.role = User.Role.PRODUCER
    reviewer.save()
    reviewer = User.objects.get(pk=reviewer.pk)  # fresh permission cache
    assert not reviewer.has_perm("applications.review_application")
    assert reviewer.has_perm("production.change_productionorder")
    assert list(reviewer.groups.values_list("name", flat=True)) == ["制卡管理员"]
