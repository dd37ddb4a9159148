"""The models and the migrations agree: a change to a model (a field, a choice, a help text the
admin shows) comes with its migration, so a deployment's ``migrate`` makes the database the code
expects."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_without_its_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:  # --check exits 1 naming what would be made
        pytest.fail(f"migrations missing (exit {missing.code}):\n{out.getvalue()}")
