"""Upload hardening: type by content, size cap, pixel limit, EXIF orientation applied and
every piece of metadata stripped, PDFs rewritten without scripts."""

from __future__ import annotations

import time
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, PngImagePlugin

from sscard.core.errors import DomainError
from sscard.photos.check import check_photo
from sscard.photos.imaging import MAX_IMAGE_PIXELS, ImageRefused, open_image
from sscard.photos.spec import SizeBounds
from sscard.photos.uploads import (
    harden_document,
    harden_image,
    validate_document_upload,
    validate_photo_upload,
)
from sscard.testing import photos
from sscard.testing.photos import upload


def opened(file) -> Image.Image:
    file.seek(0)
    return Image.open(BytesIO(file.read()))


def test_an_html_file_named_jpg_is_refused_by_its_content():
    with pytest.raises(DomainError) as refused:
        harden_image(upload(photos.HTML_AS_JPG, "photo.jpg", "image/jpeg"), max_bytes=10**6)

    assert refused.value.field == "photo"
    assert refused.value.message == "只能上传JPG或PNG格式的图片（文件内容不是图片）"


def test_a_20000_by_20000_png_is_refused_before_it_is_decoded():
    bomb = upload(photos.bomb_png(), "scan.png", "image/png")
    started = time.perf_counter()

    with pytest.raises(DomainError) as refused:
        harden_document(bomb, max_bytes=10**6, field="household")

    assert time.perf_counter() - started < 1.0
    assert refused.value.field == "household"
    assert refused.value.message.startswith("图片像素过大")


def test_pillows_pixel_limit_is_lowered_below_its_default():
    assert Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS < 89_478_485
    # 7,000 × 7,000 = 49 MP: under Pillow's own default limit, over ours
    with pytest.raises(ImageRefused) as refused:
        open_image(photos.bomb_png(side=7_000))

    assert refused.value.measured == "7000×7000像素"


def test_a_jpeg_with_gps_exif_is_stored_without_any_metadata():
    original = photos.jpeg_with_gps()
    assert Image.open(BytesIO(original)).getexif().get_ifd(photos.GPS_IFD)  # it had a position

    hardened = harden_image(upload(original), max_bytes=10**6)

    data = hardened.read()
    image = Image.open(BytesIO(data))
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert b"PhoneMaker" not in data and b"Exif" not in data
    assert hardened.content_type == "image/jpeg"
    # the picture itself is untouched: still a compliant card photo at 350 dpi
    assert check_photo(data, region=SizeBounds(9, 60)).ok


def test_the_exif_orientation_is_applied_before_the_metadata_goes():
    turned = photos.jpeg_with_gps(orientation=6)
    assert Image.open(BytesIO(turned)).size == (441, 358)  # stored sideways

    hardened = harden_image(upload(turned), max_bytes=10**6)

    data = hardened.read()
    assert Image.open(BytesIO(data)).size == (358, 441)
    assert check_photo(data, region=SizeBounds(9, 60)).ok


def test_a_phones_multi_picture_jpeg_is_stored_as_its_first_picture():
    mpo = photos.mpo_photo()
    assert Image.open(BytesIO(mpo)).format == "MPO"

    hardened = harden_image(upload(mpo), max_bytes=10**6)

    data = hardened.read()
    image = Image.open(BytesIO(data))
    assert (image.format, image.size) == ("JPEG", (358, 441))
    assert b"MPF" not in data and data.count(b"\xff\xd8") == 1
    assert check_photo(data, region=SizeBounds(9, 60)).ok


def test_png_text_chunks_are_dropped_too():
    image = photos.spec_crop()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 23.5N 116.3E")
    buffer = BytesIO()
    image.save(buffer, "PNG", pnginfo=info)

    hardened = harden_document(upload(buffer.getvalue(), "scan.png"), max_bytes=10**7, field="x")

    data = hardened.read()
    assert b"GPS" not in data
    assert hardened.content_type == "image/png"
    assert opened(hardened).size == image.size


def test_a_file_over_the_size_cap_is_refused():
    with pytest.raises(DomainError) as refused:
        harden_image(upload(photos.compliant_photo()), max_bytes=10_000)

    assert refused.value.code == "file_too_large"
    assert refused.value.message.startswith("文件过大，最大")
    assert refused.value.field == "photo"


def test_an_empty_file_is_refused():
    with pytest.raises(DomainError, match="文件是空的"):
        harden_image(upload(b""), max_bytes=10**6)


def test_a_truncated_jpeg_is_refused_as_broken():
    data = photos.compliant_photo()

    with pytest.raises(DomainError, match="已损坏"):
        harden_image(upload(data[: len(data) // 2]), max_bytes=10**6)


def test_a_pdf_is_rewritten_without_its_script_and_metadata():
    original = photos.pdf_document(javascript=True)
    assert b"/JavaScript" in original and b"/Author" in original

    hardened = harden_document(
        upload(original, "proof.pdf", "application/pdf"), max_bytes=10**6, field="guardian_proof"
    )

    data = hardened.read()
    assert data.startswith(b"%PDF-")
    assert b"/JavaScript" not in data and b"/JS" not in data and b"/OpenAction" not in data
    assert b"/Author" not in data
    assert hardened.content_type == "application/pdf"


def test_a_fake_pdf_is_refused():
    with pytest.raises(DomainError) as refused:
        harden_document(
            upload(b"%PDF-1.7\n<html><script>alert(1)</script></html>", "a.pdf"),
            max_bytes=10**6,
            field="household",
        )

    assert refused.value.field == "household"
    assert "PDF" in refused.value.message


def test_a_pdf_is_not_accepted_as_a_photo():
    with pytest.raises(DomainError, match="只能上传JPG或PNG"):
        harden_image(upload(photos.pdf_document(), "photo.jpg"), max_bytes=10**6)


def test_the_form_validators_check_size_and_type_by_content():
    validate_photo_upload(upload(photos.compliant_photo()))
    validate_document_upload(upload(photos.pdf_document(), "a.pdf"))

    with pytest.raises(ValidationError, match="只能上传JPG、PNG格式"):
        validate_photo_upload(upload(photos.HTML_AS_JPG))
    with pytest.raises(ValidationError, match="只能上传JPG、PNG、PDF格式"):
        validate_document_upload(upload(photos.HTML_AS_JPG, "a.pdf"))
    huge = upload(b"\xff\xd8\xff" + b"0" * 100)
    huge.size = 11 * 1024 * 1024
    with pytest.raises(ValidationError, match="文件过大，最大10MB"):
        validate_photo_upload(huge)
