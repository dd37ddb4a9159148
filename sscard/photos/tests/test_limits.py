"""A photo costs a bounded time and memory to check, whatever its file claims: a picture
larger than a phone camera's is refused by its header before it is decoded, a large allowed
one is analysed on a reduced copy, and uploads are limited per account and per address."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from django.apps import apps
from django.test import Client

from sscard.photos import check, fix
from sscard.photos.imaging import MAX_IMAGE_PIXELS, WORK_MAX_SIDE
from sscard.photos.spec import SizeBounds
from sscard.photos.verdict import examine_photo
from sscard.testing.factories import UserFactory
from sscard.testing.photos import LIGHT, bomb_png, compliant_photo, encode_jpeg, portrait, upload
from sscard.testing.sessions import sign_in

BOUNDS = SizeBounds(min_kb=9, max_kb=60)


def test_a_40_megapixel_png_of_a_few_kilobytes_is_refused_by_its_header_at_once():
    data = bomb_png(6300)  # 6300 × 6300 = 39.7 MP, flat: a few kilobytes
    assert len(data) < 40_000 and MAX_IMAGE_PIXELS < 6300 * 6300
    started = time.monotonic()
    verdict = examine_photo(upload(data, "big.png", "image/png"), region=BOUNDS)
    assert time.monotonic() - started < 1.0
    assert not verdict.ok
    assert "图片像素过大，最多2500万像素" in verdict.message


def test_a_large_allowed_photo_is_reduced_before_faces_are_looked_for(monkeypatch):
    data = encode_jpeg(portrait(LIGHT, scale=9.375), quality=85, dpi=72)  # 4800 × 4800, 23 MP
    seen: list[tuple[int, ...]] = []
    real_detect = check.detect_faces

    def detect_faces(gray: np.ndarray, **kwargs):
        seen.append(gray.shape)
        return real_detect(gray, **kwargs)

    monkeypatch.setattr(check, "detect_faces", detect_faces)
    monkeypatch.setattr(fix, "detect_faces", detect_faces)
    verdict = examine_photo(upload(data), region=BOUNDS)
    assert verdict.ok and verdict.fixed  # cut to the spec from the full picture
    assert seen and all(max(shape) <= WORK_MAX_SIDE for shape in seen), seen
    assert verdict.report.measurements["width"] == 358


def test_opencv_uses_the_threads_a_worker_serves_with_not_one_a_core(settings):
    """OpenCV starts a thread a core by default: in a worker that serves with one thread, a
    photo check would take another worker's core. SSCARD_OPENCV_THREADS sets it at startup."""
    assert settings.SSCARD_OPENCV_THREADS == 1
    assert cv2.getNumThreads() == 1
    settings.SSCARD_OPENCV_THREADS = 2
    try:
        apps.get_app_config("photos").ready()
        assert cv2.getNumThreads() == 2
    finally:
        cv2.setNumThreads(1)


def photo_check(client: Client, **extra):
    return client.post(
        "/photo-check/", {"photo": upload(compliant_photo())}, HTTP_HX_REQUEST="true", **extra
    )


@pytest.mark.django_db
def test_the_photo_check_past_the_accounts_limit_answers_429_in_chinese(client, settings):
    settings.SSCARD_UPLOAD_LIMIT_ACCOUNT = 3
    sign_in(client, UserFactory())
    for _ in range(3):
        assert photo_check(client).status_code == 200
    refused = photo_check(client)
    assert refused.status_code == 429
    assert "上传过于频繁，请" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    # the limit is the account's: another account from the same address goes on
    other = Client()
    sign_in(other, UserFactory())
    assert photo_check(other).status_code == 200


@pytest.mark.django_db
def test_uploads_past_the_addresss_limit_answer_429_whoever_signs_in(client, settings):
    settings.SSCARD_UPLOAD_LIMIT_ADDRESS = 4
    for n in range(4):
        person = Client(REMOTE_ADDR="203.0.113.9")
        sign_in(person, UserFactory())
        assert photo_check(person).status_code == 200, n
    fifth = Client(REMOTE_ADDR="203.0.113.9")
    sign_in(fifth, UserFactory())
    refused = fifth.post("/photo-check/", {"photo": upload(compliant_photo())})
    assert refused.status_code == 429
    assert "上传过于频繁" in refused.content.decode()
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    sign_in(elsewhere, UserFactory())
    assert photo_check(elsewhere).status_code == 200
