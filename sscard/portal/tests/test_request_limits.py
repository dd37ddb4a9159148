"""What one request may carry before the application reads it: at most 100 files (Django's
limit, kept) and 2.5 MB of form fields; past either, a 400 answer and nothing examined. The
size of each file is the upload's own check (sscard/photos/tests/test_uploads.py), and the
reverse proxy caps the whole body first (README: production server)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_limits_are_djangos_defaults_not_lifted():
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 100
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2621440
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000


def test_a_request_with_101_files_is_refused_before_any_is_looked_at():
    client = Client(raise_request_exception=False)
    files = [SimpleUploadedFile(f"p{n}.jpg", b"\xff\xd8\xff", "image/jpeg") for n in range(101)]
    answer = client.post("/login/", {"username": "zhangsan", "photo": files})
    assert answer.status_code == 400
    assert "请求有误" in answer.content.decode()


def test_form_fields_over_two_and_a_half_megabytes_are_refused():
    client = Client(raise_request_exception=False)
    answer = client.post("/login/", {"username": "x" * (2621440 + 1), "password": "y"})
    assert answer.status_code == 400
    assert "请求有误" in answer.content.decode()
