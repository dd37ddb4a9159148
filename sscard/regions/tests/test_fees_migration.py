"""The migration to fees in 分 keeps each region's yuan amounts exactly (no float on the way)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sscard.regions.models import RegionSettings

BEFORE = [
    ("regions", "0009_batch_download_days"),
    ("applications", "0008_stamps_passed_by_services"),
]


@pytest.mark.django_db(transaction=True)
def test_a_regions_yuan_fee_becomes_the_same_amount_in_fen():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("regions", "RegionSettings")
    old.objects.all().delete()
    old.objects.create(region_code="445200", reissue_fee=Decimal("15.29"))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    region = RegionSettings.objects.get(region_code="445200")
    assert region.reissue_fee_fen == 1529  # 15.29 * 100 as a float is 1528.9999…
    assert region.apply_fee_fen == 1529  # 申领 was charged the same fee until now
    assert region.postage_fen == 0
