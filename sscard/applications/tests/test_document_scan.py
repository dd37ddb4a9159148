"""A first 申领 on a document other than the 居民身份证 (护照, 通行证, 居住证, 外国人永久居留身份证)
carries a scan of the document for the reviewer (MaterialKind.ID_SCAN, 证件扫描件)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.models import Application
from sscard.applications.tests.helpers import apply_form
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.core.errors import DomainError
from sscard.portal.tests.helpers import apply_post, draft_id_of, item_url
from sscard.testing import photos
from sscard.testing.factories import CardFactory, EmployerAgentFactory, UserFactory
from sscard.testing.sessions import sign_in, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    """Registered with a Hong Kong and Macao permit; no card yet."""
    return UserFactory(
        person__doc_type="hkmo_permit",
        person__doc_number="H12345678",
        person__nationality="中国",
    )


def _apply(user, bank, outlet, files, **extra):
    return services.application_submit_apply(
        requester=Requester(user=user, trust=TrustLevel.L3, **extra),
        data=apply_form(user.person, bank, outlet, nationality="中国"),
        files=files,
    )


def test_a_first_apply_on_a_permit_without_its_scan_is_refused_beside_the_field(
    holder, bank, outlet
):
    with pytest.raises(DomainError) as refused:
        _apply(holder, bank, outlet, {"photo": jpeg()})

    assert refused.value.errors == {
        "id_scan": "持港澳居民来往内地通行证首次申领社会保障卡，请上传证件扫描件"
    }
    assert not Application.objects.exists()


def test_with_the_scan_it_is_accepted_and_the_scan_kept_for_the_reviewer(holder, bank, outlet):
    application = _apply(
        holder, bank, outlet, {"photo": jpeg(), "id_scan": photos.upload(photos.pdf_document())}
    )

    scan = application.materials.get(kind="id_scan")
    assert scan.content_type == "application/pdf" and scan.person == holder.person


def test_a_resident_id_needs_no_scan(bank, outlet):
    application = _apply(UserFactory(), bank, outlet, {"photo": jpeg()})

    assert not application.materials.filter(kind="id_scan").exists()


def test_a_person_who_had_a_card_before_needs_no_scan(holder, bank, outlet):
    CardFactory(person=holder.person, status=CardStatus.CANCELLED)

    application = _apply(holder, bank, outlet, {"photo": jpeg()})

    assert not application.materials.filter(kind="id_scan").exists()


def test_an_employer_applying_for_a_passport_holder_uploads_the_scan_too(bank, outlet):
    form = {
        "doc_type": "passport",
        "doc_number": "P7654321",
        "name": "Anna Lee",
        "gender": "F",
        "nationality": "新加坡",
        "birth_date": "1990-02-03",
        "phone": "13912345670",
        "address": "广东省揭阳市榕城区新阳路18号",
        "bank": bank.code,
        "delivery": "outlet",
        "outlet": outlet.code,
    }
    employer = Requester(user=EmployerAgentFactory(), trust=TrustLevel.L3)

    with pytest.raises(DomainError) as refused:
        services.application_submit_apply(requester=employer, data=form, files={"photo": jpeg()})
    assert set(refused.value.errors) == {"id_scan"}


def test_at_the_counter_the_clerk_sees_the_document_itself(holder, bank, outlet, clerk):
    counter = Requester(user=clerk, trust=TrustLevel.L3, counter=True)
    application = services.application_submit_apply(
        requester=counter,
        data=apply_form(holder.person, bank, outlet, nationality="中国"),
        files={"photo": jpeg()},
    )

    assert application.subject == holder.person
    assert not application.materials.filter(kind="id_scan").exists()


# ---------------------------------------------------------------------------------------------
# Through the portal, and on the reviewer's page


def test_the_portal_asks_for_the_scan_and_the_reviewer_sees_it(
    client, holder, region, bank, outlet, reviewer
):
    sign_in(client, holder, TrustLevel.L3)
    url = item_url("apply", f"person-{holder.person.pk}")
    page = client.get(url).content.decode()
    assert "证件扫描件" in page and 'name="id_scan"' in page
    post = {**apply_post(holder.person, bank, outlet), "token": str(uuid.uuid4()), "photo": jpeg()}

    refused = client.post(url, post)

    assert refused.status_code == 400
    assert "请上传证件扫描件" in refused.content.decode()
    assert not Application.objects.exists()

    post["token"] = str(uuid.uuid4())
    second = client.post(url, {**post, "photo": jpeg(), "id_scan": jpeg("permit.jpg")})
    assert second.status_code == 302, re.findall(
        r"field-error[^>]*>([^<]*)", second.content.decode()
    )
    draft = draft_id_of(second)
    assert client.post(f"/drafts/{draft}/").status_code == 302
    application = Application.objects.get(applicant=holder)
    scan = application.materials.get(kind="id_scan")

    staff_page = staff_client(reviewer).get(
        reverse("backoffice:application", args=[application.pk])
    )
    html = staff_page.content.decode()
    assert "证件扫描件" in html
    assert reverse("files:material", args=[scan.pk]) in html


def test_an_employers_bulk_row_on_a_passport_is_refused_with_the_reason(region, bank, outlet):
    """A bulk sheet carries photos, not document scans: the row says why it is refused."""
    from django.utils import timezone

    from sscard.applications.forms import clean_apply
    from sscard.employers.checking import row_reasons

    row = {
        "doc_type": "passport",
        "doc_number": "P7654321",
        "name": "Anna Lee",
        "gender": "F",
        "nationality": "新加坡",
        "birth_date": "1990-02-03",
        "phone": "13912345670",
        "address": "广东省揭阳市榕城区新阳路18号",
        "bank": bank.code,
        "delivery": "outlet",
        "outlet": outlet.code,
    }
    with pytest.raises(DomainError) as refused:
        clean_apply(
            row, {"photo"}, region=region, today=timezone.localdate(), for_someone_else=False
        )

    assert row_reasons(refused.value) == ["证件扫描件：持护照首次申领社会保障卡，请上传证件扫描件"]
