"""A batch's personal data (full ID number, phone, address) is given out while the cards are
being made and for ``RegionSettings.batch_download_days`` days (default 30) after the batch is
done — then neither the partner API nor the production officer's batch files give it out
(410 Gone), and every refused attempt is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sscard.audit.models import AuditRecord
from sscard.partners.tests.helpers import call
from sscard.production.constants import BatchStatus
from sscard.production.models import Batch
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


def done_days_ago(batch: Batch, days: float) -> Batch:
    Batch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.DONE, done_at=timezone.now() - timedelta(days=days)
    )
    batch.refresh_from_db()
    return batch


def refusals() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action="production.batch_download_refused"))


def test_the_bank_downloads_a_batch_done_29_days_ago(client, bank, bank_partner, make_batch):
    batch = done_days_ago(make_batch(bank, 1), 29)
    response = call(client, bank_partner, "GET", f"/batches/{batch.number}")
    assert response.status_code == 200
    assert response.json()["orders"][0]["doc_number"]
    assert not refusals()


def test_a_batch_done_31_days_ago_is_gone_from_the_api_and_the_attempt_is_audited(
    client, bank, bank_partner, make_batch
):
    batch = done_days_ago(make_batch(bank, 1), 31)
    order = batch.orders.select_related("person").get()
    response = call(client, bank_partner, "GET", f"/batches/{batch.number}")
    assert response.status_code == 410
    body = response.json()
    assert body["code"] == "gone"
    assert "不再提供下载" in body["message"]
    assert order.person.doc_number not in response.content.decode()
    (record,) = refusals()
    assert record.result == AuditRecord.Result.REFUSED
    assert record.detail["via"] == "api" and record.detail["by"] == bank_partner.partner.key_id
    assert not AuditRecord.objects.filter(action="partner.batch_downloaded").exists()


def test_the_region_sets_the_number_of_days(client, bank, bank_partner, make_batch, region):
    region.batch_download_days = 60
    region.save(update_fields=["batch_download_days"])
    batch = done_days_ago(make_batch(bank, 1), 31)
    assert call(client, bank_partner, "GET", f"/batches/{batch.number}").status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_officers_batch_files_follow_the_same_cutoff(client, bank, producer, make_batch, fmt):
    otp_login(client, producer)
    batch = make_batch(bank, 1)
    url = reverse("production:batch_export", args=[batch.pk, fmt])
    done_days_ago(batch, 29)
    assert client.get(url).status_code == 200
    done_days_ago(batch, 31)
    response = client.get(url)
    assert response.status_code == 410
    page = response.content.decode()
    assert "不再提供下载" in page
    assert batch.orders.get().person.doc_number not in page
    (record,) = refusals()
    assert record.actor_id == producer.pk and record.detail["via"] == fmt
    detail = client.get(reverse("production:batch_detail", args=[batch.pk])).content.decode()
    assert url not in detail  # the page no longer offers the export
