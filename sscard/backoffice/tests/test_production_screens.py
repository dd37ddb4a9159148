"""The production officer's screens under /staff/production/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sscard.production.constants import BatchStatus, Stage
from sscard.production.models import Batch, ProductionOrder
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(producer):
    """The production officer: a 制卡管理员 (the batch permissions come with the group)."""
    return producer


def test_every_production_view_names_its_permissions():
    from sscard.backoffice import production_urls as urls

    for pattern in urls.urlpatterns:
        assert getattr(pattern.callback, "staff_perms", ()), pattern.name


def test_the_officer_creates_reviews_and_sends_a_batch_on_screen(
    client, officer, make_orders, bank
):
    orders = make_orders(2)
    otp_login(client, officer)
    dashboard = client.get(reverse("production:dashboard"))
    assert dashboard.status_code == 200
    page = dashboard.content.decode()
    assert bank.name in page and "创建批次" in page
    assert orders[0].person.name not in page  # masked everywhere

    response = client.post(
        reverse("production:batch_new"), {"bank": bank.code, "orders": [orders[0].pk]}
    )
    batch = Batch.objects.get()
    assert response.status_code == 302
    detail = client.get(reverse("production:batch_detail", args=[batch.pk])).content.decode()
    assert orders[0].person.masked_name in detail and orders[0].person.doc_number not in detail

    client.post(reverse("production:batch_send", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT
    assert ProductionOrder.objects.get(pk=orders[0].pk).stage == Stage.DATA_SENT
    assert ProductionOrder.objects.get(pk=orders[1].pk).stage == Stage.APPROVED


def test_a_failed_order_shows_on_the_dashboard_with_its_reason(client, officer, make_orders, bank):
    from sscard.production.services import batch_create, batch_send, order_fail

    (order,) = make_orders(1)
    batch_send(batch=batch_create(bank=bank, order_ids=None, actor=officer), actor=officer)
    order_fail(order=order, reason="照片质量不合格，制卡厂退回", actor=officer)
    otp_login(client, officer)
    page = client.get(reverse("production:dashboard")).content.decode()
    assert "照片质量不合格，制卡厂退回" in page


def test_a_stuck_order_is_flagged_on_the_dashboard(client, officer, make_orders, bank, region):
    from datetime import timedelta

    from django.utils import timezone

    from sscard.production.services import batch_create, batch_send

    (order,) = make_orders(1)
    batch_send(batch=batch_create(bank=bank, order_ids=None, actor=officer), actor=officer)
    ProductionOrder.objects.filter(pk=order.pk).update(
        updated_at=timezone.now() - timedelta(days=region.production_stuck_days + 1)
    )
    otp_login(client, officer)
    page = client.get(reverse("production:dashboard")).content.decode()
    assert "滞留</span> " + str(order.pk) in page


@pytest.mark.parametrize("role_fixture", ["reviewer", "clerk", "citizen"])
def test_other_accounts_are_refused(client, request, role_fixture, make_orders, bank):
    make_orders(1)
    user = request.getfixturevalue(role_fixture)
    if role_fixture == "citizen":
        client.force_login(user)
    else:
        otp_login(client, user)  # staff with both factors, but not a 制卡管理员
    assert client.get(reverse("production:dashboard")).status_code == 403
    response = client.post(reverse("production:batch_new"), {"bank": bank.code})
    assert response.status_code == 403
    assert not Batch.objects.exists()
