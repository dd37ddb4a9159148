"""The photo ZIP is opened defensively: every refusal has its reason."""

from __future__ import annotations

import io
import zipfile

import pytest

from sscard.core.errors import DomainError
from sscard.employers import archives
from sscard.employers.archives import build_photo_archive, open_photo_archive

PHOTO = b"\xff\xd8\xff\xe0" + b"x" * 2000


def opened(content: bytes):
    return open_photo_archive(io.BytesIO(content), size=len(content))


def zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as handle:
        for info, data in entries:
            handle.writestr(info, data)
    return out.getvalue()


def test_photos_are_found_by_id_number_in_any_folder_and_case():
    archive = opened(zip_with([("照片/44520219900101123x.JPG", PHOTO), ("readme.txt", b"hi")]))
    assert archive.photo("44520219900101123X") == PHOTO
    assert archive.photo("445202199001011234") is None
    assert archive.ignored == ["readme.txt"]


@pytest.mark.parametrize(
    "name",
    [
        "../445202199001011234.jpg",
        "/etc/445202199001011234.jpg",
        "a/../../445202199001011234.jpg",
        "C:/x/445202199001011234.jpg",
    ],
)
def test_path_traversal_is_refused(name):
    with pytest.raises(DomainError, match="路径不安全"):
        opened(zip_with([(name, PHOTO)]))


def test_a_nested_archive_is_refused_by_name_and_by_content():
    with pytest.raises(DomainError, match="不能再含压缩包"):
        opened(zip_with([("more.zip", build_photo_archive({"a.jpg": PHOTO}))]))
    disguised = opened(zip_with([("445202199001011234.jpg", build_photo_archive({"a": PHOTO}))]))
    with pytest.raises(DomainError, match="不能再含压缩包"):
        disguised.photo("445202199001011234")


def test_a_zip_bomb_is_refused():
    with pytest.raises(DomainError, match="压缩比过高"):
        opened(zip_with([("445202199001011234.jpg", b"\0" * (5 * 1024 * 1024))]))


def test_size_and_entry_caps(monkeypatch):
    content = zip_with([(f"{n:018d}.jpg", PHOTO) for n in range(5)])
    monkeypatch.setattr(archives, "MAX_ENTRIES", 4)
    with pytest.raises(DomainError, match="文件过多"):
        opened(content)
    monkeypatch.setattr(archives, "MAX_ZIP_BYTES", 100)
    with pytest.raises(DomainError, match="照片压缩包过大"):
        opened(content)


def test_links_and_encryption_and_garbage_are_refused():
    link = zipfile.ZipInfo("445202199001011234.jpg")
    link.external_attr = 0o120777 << 16
    with pytest.raises(DomainError, match="链接"):
        opened(zip_with([(link, b"/etc/passwd")]))
    with pytest.raises(DomainError, match="无法读取照片压缩包"):
        opened(b"not a zip at all")
    encrypted = bytearray(zip_with([("445202199001011234.jpg", PHOTO)]))
    # set the "encrypted" flag bit in the local and central headers
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = encrypted.find(signature)
        encrypted[at + offset] |= 0x1
    with pytest.raises(DomainError, match="不能加密"):
        opened(bytes(encrypted))


def test_two_photos_for_one_person_are_reported():
    archive = opened(
        zip_with([("a/445202199001011234.jpg", PHOTO), ("b/445202199001011234.png", PHOTO)])
    )
    assert "445202199001011234" in archive.duplicates
