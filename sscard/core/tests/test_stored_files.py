"""Uploaded files are encrypted on disk with the personal-data keys and read back through the
storage only."""

import base64
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from sscard.core import filecrypt
from sscard.testing.photos import compliant_photo


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _on_disk(name: str) -> bytes:
    with open(default_storage.path(name), "rb") as handle:
        return handle.read()


def test_a_stored_photo_is_encrypted_on_disk_with_the_key_id_and_read_back_whole():
    photo = compliant_photo()
    name = default_storage.save("materials/photo/a.jpg", ContentFile(photo))

    raw = _on_disk(name)
    assert raw.startswith(b"SSCF\x01\x02t2")
    assert photo[:64] not in raw
    with pytest.raises(Image.UnidentifiedImageError):
        Image.open(io.BytesIO(raw))
    assert default_storage.key_id(name) == "t2"
    assert default_storage.size(name) == len(photo)
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == photo
        assert handle.size == len(photo)


@pytest.mark.parametrize("size", [0, 1, filecrypt.SEGMENT - 1, filecrypt.SEGMENT, 200_000])
def test_every_size_round_trips_and_reports_the_contents_size(size):
    content = bytes(i % 251 for i in range(size))
    name = default_storage.save("x/blob", ContentFile(content))

    assert default_storage.size(name) == size
    with default_storage.open(name) as handle:
        assert handle.read() == content


def test_a_large_archive_is_read_by_seeking_not_whole():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(40):
            archive.writestr(f"{n:03d}.jpg", bytes([n]) * 20_000)
    name = default_storage.save("employer-batches/x/photos.zip", ContentFile(buffer.getvalue()))

    assert not zipfile.is_zipfile(io.BytesIO(_on_disk(name)))
    with default_storage.open(name) as handle, zipfile.ZipFile(handle) as archive:
        assert archive.read("037.jpg") == bytes([37]) * 20_000
        handle.seek(100_000)
        assert handle.read(5) == buffer.getvalue()[100_000:100_005]


@pytest.mark.parametrize("where", ["header", "first segment", "last tag"])
def test_a_changed_byte_is_refused_not_misread(where):
    name = default_storage.save("x/blob", ContentFile(b"a" * 100_000))
    raw = bytearray(_on_disk(name))
    raw[{"header": 10, "first segment": 40, "last tag": -1}[where]] ^= 1
    with open(default_storage.path(name), "wb") as handle:
        handle.write(raw)

    with pytest.raises(filecrypt.FileDecryptionError), default_storage.open(name) as handle:
        handle.read()


def test_a_file_cut_at_a_segment_boundary_is_refused():
    name = default_storage.save("x/blob", ContentFile(b"a" * (3 * filecrypt.SEGMENT)))
    raw = _on_disk(name)
    header = len(raw) - 3 * (filecrypt.SEGMENT + filecrypt.TAG)
    with open(default_storage.path(name), "wb") as handle:
        handle.write(raw[: header + 2 * (filecrypt.SEGMENT + filecrypt.TAG)])

    with pytest.raises(filecrypt.FileDecryptionError), default_storage.open(name) as handle:
        handle.read()


def test_a_file_under_a_key_no_longer_listed_does_not_open(settings):
    name = default_storage.save("x/blob", ContentFile(b"secret scan"))
    settings.SSCARD_DATA_KEYS = ["t9:" + base64.b64encode(b"n" * 32).decode()]

    with pytest.raises(filecrypt.FileDecryptionError):
        default_storage.open(name)


def test_an_older_key_still_listed_reads_its_files_and_new_files_take_the_first_key(settings):
    old = default_storage.save("x/old", ContentFile(b"old scan"))
    settings.SSCARD_DATA_KEYS = [
        "t3:" + base64.b64encode(b"k" * 32).decode(),
        *settings.SSCARD_DATA_KEYS,
    ]
    new = default_storage.save("x/new", ContentFile(b"new scan"))

    assert default_storage.open(old).read() == b"old scan"
    assert (default_storage.key_id(old), default_storage.key_id(new)) == ("t2", "t3")


def test_a_plain_file_stored_before_encryption_is_still_read(media):
    (media / "legacy").mkdir()
    (media / "legacy" / "photo.jpg").write_bytes(b"\xff\xd8plain")

    assert default_storage.key_id("legacy/photo.jpg") is None
    assert default_storage.open("legacy/photo.jpg").read() == b"\xff\xd8plain"
