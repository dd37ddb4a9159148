"""Done when (issue “Hardening”, finding 5): after a citizen's 申领 with a photo and a
户口簿 scan and an employer's batch upload, no file under the media folder opens as an
image, a spreadsheet, an archive or a PDF without the key; through the storage they do."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from PIL import Image

from sscard.accounts.trust import TrustLevel
from sscard.applications.models import Application
from sscard.conftest import jpeg
from sscard.employers.models import Batch
from sscard.employers.samples import sample_files
from sscard.portal.tests.helpers import apply_post, draft_id_of, item_url
from sscard.testing.factories import EmployerAgentFactory, PersonFactory, UserFactory
from sscard.testing.ids import resident_id
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db


def _is_image(raw: bytes) -> bool:
    try:
        Image.open(io.BytesIO(raw)).load()
    except (OSError, SyntaxError, ValueError):  # Pillow's refusals
        return False
    return True


def _is_spreadsheet(raw: bytes) -> bool:
    try:
        load_workbook(io.BytesIO(raw), read_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        return False
    return True


def _opens_without_the_key(raw: bytes) -> list[str]:
    """What a person with the disk but not the key could open the file as."""
    checks = {
        "image": _is_image(raw),
        "spreadsheet": _is_spreadsheet(raw),
        "zip": zipfile.is_zipfile(io.BytesIO(raw)),
        "pdf": raw.startswith(b"%PDF"),
    }
    return [kind for kind, opened in checks.items() if opened]


def _guardian_applies_for_a_child(client, bank, outlet) -> Application:
    mother = UserFactory()
    sign_in(client, mother, TrustLevel.L4)
    birth = timezone.localdate() - timedelta(days=365 * 6)
    child = PersonFactory.build(birth_date=birth, gender="F", name="张小红")
    post = {
        **apply_post(child, bank, outlet),
        "doc_type": "household",
        "doc_number": resident_id(birth, male=False),
        "relationship": "mother",
        "token": str(uuid.uuid4()),
        "photo": jpeg(),
        "household": jpeg("户口簿.jpg"),
        "guardian_proof": jpeg("监护人证明.jpg"),
    }
    draft = draft_id_of(client.post(item_url("apply", "new"), post))
    done = client.post(f"/drafts/{draft}/")
    assert done.status_code == 302, done.content.decode()[:400]
    client.logout()
    return Application.objects.get(applicant=mother)


def _employer_uploads_a_batch(client, django_capture_on_commit_callbacks) -> Batch:
    agent = EmployerAgentFactory()
    sign_in(client, agent)
    files = sample_files(3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/employer/batches/",
            {
                "workbook": SimpleUploadedFile("rows.xlsx", files.workbook),
                "photos": SimpleUploadedFile("photos.zip", files.photos),
            },
        )
    assert response.status_code == 302, response.content.decode()[:400]
    return Batch.objects.get(employer=agent.employer)


def test_no_stored_file_opens_without_the_key(
    client, settings, tmp_path, partners, bank, outlet, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    application = _guardian_applies_for_a_child(client, bank, outlet)
    batch = _employer_uploads_a_batch(client, django_capture_on_commit_callbacks)
    assert batch.status == Batch.Status.READY

    stored = sorted(p for p in Path(tmp_path).rglob("*") if p.is_file())
    names = {p.relative_to(tmp_path).as_posix() for p in stored}
    kinds = {m.kind: m.file.name for m in application.materials.all()}
    assert {"photo", "household", "guardian_proof"} <= set(kinds)
    assert set(kinds.values()) | {batch.workbook_file, batch.photos_file} <= names
    assert any("/photo-" in name for name in names)  # the batch's checked photos
    for path in stored:
        raw = path.read_bytes()
        assert raw.startswith(b"SSCF\x01\x02t2"), path
        assert _opens_without_the_key(raw) == [], path

    # through the storage, with the key, they are what was uploaded
    with default_storage.open(kinds["household"]) as scan:
        assert Image.open(scan).format == "JPEG"
    with default_storage.open(batch.workbook_file) as book:
        assert load_workbook(book, read_only=True).sheetnames[0] == "批量申领"
    with default_storage.open(batch.photos_file) as archive:
        assert zipfile.is_zipfile(archive)
