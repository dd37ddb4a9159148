"""photos/_report.html: the verdict and every finding with its measured value, in plain
semantic HTML with photo- class names and nothing inline."""

from __future__ import annotations

from django.template.loader import render_to_string

from sscard.photos.check import check_photo
from sscard.photos.fix import fix_photo
from sscard.photos.spec import SizeBounds
from sscard.testing import photos

BOUNDS = SizeBounds(min_kb=9, max_kb=60)


def test_a_failed_check_lists_each_rule_with_what_was_measured():
    report = check_photo(photos.coloured_background_photo(), region=BOUNDS)

    html = render_to_string("photos/_report.html", {"report": report})

    assert 'class="photo-verdict photo-verdict-failed" role="alert"' in html
    assert "照片不符合要求（1项）" in html
    assert '<li class="photo-finding photo-rule-background">' in html
    assert "背景需为白色（浅色、无边框）" in html
    assert "实测：浅色占0%" in html
    assert "<script" not in html and "style=" not in html


def test_a_fixed_photo_says_so_and_keeps_what_was_wrong_with_the_original():
    result = fix_photo(photos.light_portrait(), region=BOUNDS)

    html = render_to_string(
        "photos/_report.html",
        {"report": result.report, "fixed": True, "original": result.original},
    )

    assert "照片已自动裁剪、调整为合格的证件照" in html
    assert "原照片的问题（已自动修正）" in html
    assert "1280×1280像素" in html
    assert "<dt>人脸宽度</dt>" in html


def test_a_compliant_photo_gets_a_short_verdict():
    report = check_photo(photos.compliant_photo(), region=BOUNDS)

    html = render_to_string("photos/_report.html", {"report": report})

    assert "照片符合社会保障卡制证要求" in html
    assert "photo-finding" not in html
