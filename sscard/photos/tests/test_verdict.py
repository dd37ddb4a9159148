"""examine_photo: the one call behind the upload preview and the stored material."""

from __future__ import annotations

from io import BytesIO

from django.template.loader import render_to_string
from PIL import Image

from sscard.photos.spec import SizeBounds
from sscard.photos.verdict import examine_photo
from sscard.testing import photos

BOUNDS = SizeBounds(min_kb=9, max_kb=60)


def test_a_compliant_photo_is_kept_and_not_marked_fixed():
    verdict = examine_photo(photos.upload(photos.compliant_photo()), region=BOUNDS)

    assert verdict.ok and not verdict.fixed
    assert verdict.message == ""
    assert verdict.as_check()["fixed"] is False and "original" not in verdict.as_check()


def test_a_fixable_photo_comes_back_fixed_with_a_preview_and_both_checks():
    verdict = examine_photo(photos.upload(photos.light_portrait()), region=BOUNDS)

    assert verdict.ok and verdict.fixed
    assert verdict.data is not None
    assert Image.open(BytesIO(verdict.data)).size == (358, 441)
    assert verdict.data_url().startswith("data:image/jpeg;base64,/9j/")
    stored = verdict.as_check()
    assert stored["ok"] and stored["fixed"] and not stored["original"]["ok"]
    html = render_to_string("photos/_report.html", verdict.context())
    assert "照片已自动裁剪" in html


def test_a_refused_photo_says_why_without_raising():
    verdict = examine_photo(photos.upload(photos.two_faces_portrait()), region=BOUNDS)

    assert not verdict.ok and verdict.data is None and verdict.data_url() == ""
    assert verdict.message.startswith("证件照不符合要求，无法自动修正：检测到2张人脸")
    assert "照片中只能有本人一人，检测到多张人脸（实测：2张）" in verdict.message
    html = render_to_string("photos/_report.html", verdict.context())
    assert '<p class="photo-reason">无法自动修正：检测到2张人脸，照片中只能有本人一人</p>' in html


def test_a_file_that_is_no_picture_gets_one_plain_sentence():
    verdict = examine_photo(photos.upload(photos.HTML_AS_JPG), region=BOUNDS)

    assert not verdict.ok
    assert verdict.message == "证件照不符合要求：只能上传JPG或PNG格式的图片（文件内容不是图片）"
    assert [f.rule for f in verdict.report.findings] == ["format"]


def test_a_fixable_photo_is_checked_as_uploaded_and_as_fixed_not_once_more(monkeypatch):
    from sscard.photos import check, fix, verdict

    checked: list[bytes] = []

    def counting(data: bytes, **options):
        checked.append(data)
        return check.check_photo(data, **options)

    monkeypatch.setattr(verdict, "check_photo", counting)
    monkeypatch.setattr(fix, "check_photo", counting)
    upload = photos.upload(photos.light_portrait())

    result = examine_photo(upload, region=BOUNDS)

    assert result.ok and result.fixed
    assert len(checked) == 2 and checked[1] == result.data
