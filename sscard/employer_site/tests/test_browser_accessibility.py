"""The employers' screens — 单位服务's welcome, 单位注册, the signed-in home, 批量申领 and a
batch's check results — in every way an HR clerk may meet them (``sscard.testing.every_way``):
标准 and 长辈模式, at 390 and 320 px and with the text at 200 %; no sideways scroll, no control
cut off, axe-core clean, texts and controls measured by the mode's rules. Photographed as
``var/screenshots/a11y-employer-*.png``."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.employers import services
from sscard.employers.samples import sample_files
from sscard.testing.every_way import visit_every_way
from sscard.testing.sessions import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checked_batch(agent, django_capture_on_commit_callbacks):
    """A 批量申领 upload checked: four rows good, two refused with their reasons."""
    files = sample_files(6, bad=2)
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = services.batch_upload(
            user=agent,
            workbook=SimpleUploadedFile("rows.xlsx", files.workbook),
            photos=SimpleUploadedFile("photos.zip", files.photos),
        )
    batch.refresh_from_db()
    assert batch.status == "ready" and batch.good_count == 4
    return batch


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_the_employers_screens_are_usable_in_every_mode_and_size(
    phone, live_server, agent, checked_batch, elder
):
    if elder:
        phone.context.add_cookies([{"name": "elder", "value": "1", "url": live_server.url}])
    for path in ("/employer/", "/employer/register/"):
        visit_every_way(phone, path, elder=elder, prefix="a11y-employer")

    sign_in_page(phone, agent, live_server)
    for path in ("/employer/", "/employer/batches/", f"/employer/batches/{checked_batch.pk}/"):
        visit_every_way(phone, path, elder=elder, prefix="a11y-employer-signed-in")
