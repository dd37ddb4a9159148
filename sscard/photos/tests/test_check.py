"""The card-photo check on real photographs: each rule, with its Chinese
explanation and the measured value."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from sscard.photos import check
from sscard.photos.check import check_photo
from sscard.photos.spec import SizeBounds
from sscard.regions.models import RegionSettings
from sscard.testing import photos

BOUNDS = SizeBounds(min_kb=9, max_kb=60)


def findings(data: bytes, **kwargs) -> dict[str, tuple[str, str]]:
    report = check_photo(data, region=kwargs.pop("region", BOUNDS))
    return {f.rule: (f.message, f.measured) for f in report.findings}


def cut(**geometry) -> bytes:
    """The portrait cut to the card size with the given geometry (see ``spec_crop``)."""
    return photos.encode_jpeg(photos.spec_crop(**geometry))


def test_a_compliant_photo_passes_every_rule_and_reports_what_was_measured():
    report = check_photo(photos.compliant_photo(), region=BOUNDS)

    assert report.ok, report.messages
    assert report.findings == ()
    m = report.measurements
    assert (m["format"], m["width"], m["height"], m["dpi"]) == ("JPEG", 358, 441, [350, 350])
    assert m["faces"] == 1
    assert 179 <= m["face_width"] <= 255
    assert 7 <= m["head_top"] <= 21
    assert 162 <= m["eye_mid_x"] <= 196
    assert m["eye_line_from_bottom"] >= 207
    assert m["eyes_estimated"] is False
    assert m["background_light_share"] >= 0.9


def test_a_photo_without_a_face_is_refused_for_that():
    found = findings(photos.no_face_photo())

    assert found["face"] == ("未检测到正面人脸，请上传本人正面、免冠、露出五官的照片", "0张")


def test_two_faces_are_refused():
    found = findings(photos.two_faces_portrait())

    assert found["face"][1] == "2张"
    assert "只能有本人一人" in found["face"][0]


def test_a_coloured_background_is_the_only_fault_of_an_otherwise_good_photo():
    found = findings(photos.coloured_background_photo())

    assert set(found) == {"background"}
    message, measured = found["background"]
    assert message == "背景需为白色（浅色、无边框）"
    assert measured.startswith("浅色占0%")


def test_a_frame_around_the_photo_is_not_a_white_background():
    image = photos.spec_crop()
    framed = Image.new("RGB", image.size, (90, 90, 90))
    framed.paste(image.crop((8, 8, 350, 433)), (8, 8))

    assert "background" in findings(photos.encode_jpeg(framed))


def test_a_tiny_image_fails_on_its_size_and_face():
    found = findings(photos.tiny_photo())

    assert found["size"] == ("照片尺寸需为358×441像素（宽×高）", "90×111像素")
    assert found["face_width"][1] == "57像素"
    assert found["file_size"][1].endswith("KB")


def test_a_large_photo_reports_its_size_resolution_and_file_size():
    found = findings(photos.light_portrait())

    assert found["size"][1] == "1280×1280像素"
    assert found["dpi"] == ("照片分辨率需为350dpi", "72dpi")
    assert found["file_size"][0] == "照片文件大小需在9–60KB之间"


def test_the_resolution_must_be_stated_as_350_dpi():
    found = findings(photos.encode_jpeg(photos.spec_crop(), dpi=None))

    assert found == {"dpi": ("照片分辨率需为350dpi", "未标注分辨率")}


def test_the_file_size_bounds_come_from_the_region_settings():
    data = photos.compliant_photo()
    strict = RegionSettings(photo_min_kb=40, photo_max_kb=80)  # not saved: no database

    found = findings(data, region=strict)

    assert found == {
        "file_size": ("照片文件大小需在40–80KB之间", f"{round(len(data) / 1024, 1)}KB")
    }


@pytest.mark.django_db
def test_without_a_region_the_deployments_settings_are_read(region):
    region.photo_min_kb = 50
    region.save()

    report = check_photo(photos.compliant_photo())

    assert report.rules == {"file_size"}


def test_a_png_is_not_the_jpeg_the_spec_asks_for():
    found = findings(photos.png_photo())

    assert found["format"] == ("照片需为JPG（JPEG）格式", "PNG")


def test_a_black_and_white_photo_is_refused_by_colour_depth():
    assert findings(photos.grey_photo()) == {"colour": ("照片需为24位真彩色（RGB）", "8位灰度")}


def test_a_black_and_white_picture_saved_as_rgb_is_still_not_a_colour_photo():
    grey_rgb = photos.spec_crop().convert("L").convert("RGB")

    found = findings(photos.encode_jpeg(grey_rgb))

    assert found["colour"] == ("照片需为彩色照片，不能是黑白照片", "黑白")


def test_a_photo_taken_in_a_dim_room_is_too_dark():
    found = findings(photos.dark_photo())

    assert found["exposure"][0].startswith("照片过暗")
    assert found["exposure"][1].startswith("亮度")


def test_a_blurred_photo_is_refused():
    assert set(findings(photos.blurred_photo())) == {"sharpness"}


def test_a_person_off_centre_fails_the_eye_midpoint():
    found = findings(cut(centre_x=230))

    assert "eye_x" in found
    measured = int(found["eye_x"][1].removesuffix("像素"))
    assert measured > 196


def test_a_person_too_low_fails_the_head_top_and_the_eye_line():
    found = findings(cut(head_top=70))

    assert int(found["head_top"][1].removesuffix("像素")) > 21
    assert int(found["eye_line"][1].removesuffix("像素")) < 207
    assert found["eye_line"][0] == "眼睛所在水平线距照片下边缘需不少于207像素"


def test_a_face_too_close_to_the_camera_is_too_wide():
    found = findings(cut(face_width=270))

    assert int(found["face_width"][1].removesuffix("像素")) > 255


def test_an_html_file_named_jpg_is_not_a_photo():
    report = check_photo(photos.HTML_AS_JPG, region=BOUNDS)

    assert not report.ok
    assert [f.rule for f in report.findings] == ["format"]


def test_a_decompression_bomb_is_refused_without_being_decoded():
    report = check_photo(photos.bomb_png(), region=BOUNDS)

    assert [(f.rule, f.measured) for f in report.findings] == [("format", "20000×20000像素")]


def test_a_report_survives_the_round_trip_through_json():
    report = check_photo(photos.tiny_photo(), region=BOUNDS)

    assert check.PhotoReport.from_dict(report.as_dict()) == report


def test_the_cascades_are_loaded_once():
    assert check.cascade(check.FACE_CASCADE) is check.cascade(check.FACE_CASCADE)


def test_a_transparent_png_cut_out_counts_as_on_white():
    rgba = photos.spec_crop().convert("RGBA")
    rgba.putalpha(Image.new("L", rgba.size, 255))
    for x in range(20):  # a transparent strip along the left edge
        for y in range(rgba.height):
            rgba.putpixel((x, y), (0, 0, 0, 0))
    buffer = BytesIO()
    rgba.save(buffer, "PNG", dpi=(350, 350))

    found = findings(buffer.getvalue())

    assert "background" not in found
    assert found["colour"][1] == "32位（带透明通道）"


def test_a_phones_multi_picture_jpeg_counts_as_a_jpeg():
    report = check_photo(photos.mpo_photo(), region=BOUNDS)

    assert report.ok, report.messages
    assert report.measurements["format"] == "JPEG"


def test_checks_running_in_parallel_threads_agree():
    from concurrent.futures import ThreadPoolExecutor

    inputs = [photos.compliant_photo(), photos.coloured_background_photo()] * 4
    expected = [check_photo(data, region=BOUNDS) for data in inputs]

    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = list(pool.map(lambda data: check_photo(data, region=BOUNDS), inputs))

    assert reports == expected


# --- the face search starts near a card face's size, and still finds what counts --------------


def test_a_face_narrower_than_a_card_photos_is_still_found_and_refused_for_its_width():
    too_small = findings(cut(face_width=170))

    assert set(too_small) == {"face_width"}  # found: not refused as "no face"
    assert too_small["face_width"][0] == "人脸宽度需为179–255像素"
    assert int(too_small["face_width"][1].removesuffix("像素")) < 179
    assert findings(cut(face_width=200)) == {}


def test_a_second_person_half_the_applicants_size_is_still_seen():
    found = findings(photos.second_person_photo())

    assert found["face"] == ("照片中只能有本人一人，检测到多张人脸", "2张")


def test_faces_are_looked_for_from_half_a_card_face_not_from_a_fifth_of_the_photo(monkeypatch):
    """The cascade's cost lies in its smallest windows: a card photo is searched once, from
    half the narrowest face the spec accepts (a smaller face beside it would not count)."""
    searched: list[int] = []
    real = check.cascade

    class Recording:
        def __init__(self, classifier):
            self.classifier = classifier

        def detectMultiScale(self, image, **options):
            searched.append(options["minSize"][0])
            return self.classifier.detectMultiScale(image, **options)

    monkeypatch.setattr(
        check,
        "cascade",
        lambda name: Recording(real(name)) if name == check.FACE_CASCADE else real(name),
    )

    assert check_photo(photos.compliant_photo(), region=BOUNDS).ok
    assert searched == [90]  # 179 / 2; it was 358 / 5 = 71
