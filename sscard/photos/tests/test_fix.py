"""The automatic fix: a larger photo of one person on a light background becomes a compliant
card photo; everything else is refused with the reason."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from sscard.photos.check import check_photo
from sscard.photos.fix import fix_photo
from sscard.photos.spec import SizeBounds
from sscard.testing import photos

BOUNDS = SizeBounds(min_kb=9, max_kb=60)


def test_a_compliant_photo_passes_unchanged():
    data = photos.compliant_photo()

    result = fix_photo(data, region=BOUNDS)

    assert result.ok and not result.changed
    assert result.data == data


def test_a_large_light_background_portrait_is_fixed_into_a_compliant_photo():
    result = fix_photo(photos.light_portrait(), region=BOUNDS)

    assert result.ok, result.reason
    assert result.changed
    assert result.original is not None and "size" in result.original.rules
    assert result.data is not None
    image = Image.open(BytesIO(result.data))
    assert (image.format, image.size, image.mode) == ("JPEG", (358, 441), "RGB")
    assert tuple(round(v) for v in image.info["dpi"]) == (350, 350)
    assert 9 * 1024 <= len(result.data) <= 60 * 1024
    # checked again, independently
    again = check_photo(result.data, region=BOUNDS)
    assert again.ok, again.messages
    assert again.measurements["faces"] == 1


def test_the_fixed_photo_fits_a_tighter_size_ceiling():
    result = fix_photo(photos.light_portrait(), region=SizeBounds(min_kb=9, max_kb=20))

    assert result.ok, result.reason
    assert result.data is not None and len(result.data) <= 20 * 1024


def test_a_person_off_to_one_side_of_a_large_photo_is_centred():
    image = photos.portrait(photos.LIGHT, scale=2.0)
    wide = Image.new("RGB", (image.width + 400, image.height), photos.LIGHT)
    wide.paste(image, (400, 0))

    result = fix_photo(photos.encode_jpeg(wide, dpi=72), region=BOUNDS)

    assert result.ok, result.reason
    assert 162 <= result.report.measurements["eye_mid_x"] <= 196


def test_a_right_picture_in_the_wrong_file_is_only_encoded_again():
    result = fix_photo(photos.png_photo(), region=BOUNDS)

    assert result.ok and result.changed
    assert result.data is not None and result.data.startswith(b"\xff\xd8\xff")
    assert (
        result.report.measurements["face_width"]
        == check_photo(photos.compliant_photo(), region=BOUNDS).measurements["face_width"]
    )


def test_no_face_cannot_be_fixed():
    result = fix_photo(photos.no_face_photo(), region=BOUNDS)

    assert not result.ok and result.data is None
    assert result.reason == "未检测到人脸，无法自动裁剪"


def test_two_faces_cannot_be_fixed():
    result = fix_photo(photos.two_faces_portrait(), region=BOUNDS)

    assert not result.ok
    assert result.reason == "检测到2张人脸，照片中只能有本人一人"


def test_a_coloured_background_cannot_be_fixed():
    for data in (photos.coloured_background_portrait(), photos.coloured_background_photo()):
        result = fix_photo(data, region=BOUNDS)

        assert not result.ok
        assert result.reason.startswith("背景不是白色或浅色")


def test_a_dark_background_cannot_be_fixed():
    result = fix_photo(photos.dark_background_portrait(), region=BOUNDS)

    assert not result.ok
    assert result.reason.startswith("背景不是白色或浅色")


def test_a_face_too_small_to_enlarge_is_refused_with_its_width():
    for data in (photos.small_face_portrait(), photos.tiny_photo()):
        result = fix_photo(data, region=BOUNDS)

        assert not result.ok
        assert result.reason.startswith("人像太小（人脸宽度仅")


def test_what_cropping_cannot_mend_is_named_after_the_second_check():
    result = fix_photo(photos.blurred_photo(), region=BOUNDS)

    assert not result.ok
    assert result.reason.startswith("自动修正后仍不符合要求：照片模糊")


def test_a_black_and_white_photo_cannot_be_coloured_in():
    result = fix_photo(photos.grey_photo(), region=BOUNDS)

    assert not result.ok
    assert result.reason == "黑白照片无法自动修正，请上传彩色照片"


def test_files_that_are_not_images_are_refused():
    for data in (photos.HTML_AS_JPG, photos.bomb_png()):
        result = fix_photo(data, region=BOUNDS)

        assert not result.ok and result.data is None
        assert result.reason


def test_a_right_picture_saved_too_large_is_encoded_within_the_bounds():
    heavy = photos.encode_jpeg(photos.spec_crop(), quality=100, subsampling=0)
    assert len(heavy) > 60 * 1024

    result = fix_photo(heavy, region=BOUNDS)

    assert result.ok and result.changed
    assert result.original is not None and result.original.rules == {"file_size"}
    assert result.data is not None and len(result.data) <= 60 * 1024


def cropped_portrait(top: int, bottom: int) -> bytes:
    image = photos.portrait(photos.LIGHT, scale=2.5)
    return photos.encode_jpeg(image.crop((0, top, image.width, bottom)), dpi=72)


def test_a_portrait_cut_off_below_the_chin_cannot_be_fixed():
    result = fix_photo(cropped_portrait(0, 450), region=BOUNDS)

    assert not result.ok
    assert result.reason == "照片下方不完整，需拍到肩部"


def test_a_portrait_with_the_top_of_the_head_cut_off_cannot_be_fixed():
    result = fix_photo(cropped_portrait(60, 1280), region=BOUNDS)

    assert not result.ok
    assert result.reason == "头顶超出照片上边缘，请拍摄完整的头部"
