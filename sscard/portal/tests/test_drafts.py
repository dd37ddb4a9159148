"""草稿: an item's entries are kept between its page and its confirmation, in 我的办件 with
继续办理 and 删除; uploads are not lost to an error in another field; stored files go with
the draft."""

from __future__ import annotations

import shutil
import uuid

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from sscard.accounts.trust import TrustLevel
from sscard.applications.models import Application
from sscard.conftest import jpeg
from sscard.portal.models import Draft
from sscard.portal.tests.helpers import Page, apply_post, draft_id_of, item_url
from sscard.testing.factories import (
    CardFactory,
    GuardianshipFactory,
    PersonFactory,
    UserFactory,
)
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db


def _values(html: str) -> dict[str, str]:
    """What the page's fields hold: inputs' values, checked radios and boxes, selections."""
    page = Page(html)
    out: dict[str, str] = {}
    for element in page.elements:
        if element.tag == "option" and "selected" in element.attrs:
            select = next(p for p in reversed(element.parents) if p.tag == "select")
            out[select.attrs["name"]] = element.attrs.get("value", "")
        name = element.attrs.get("name")
        if element.tag != "input" or not name or name == "csrfmiddlewaretoken":
            continue
        kind = element.attrs.get("type", "text")
        if kind in ("radio", "checkbox"):
            if "checked" in element.attrs:
                out[name] = element.attrs.get("value", "on")
        elif kind != "file":
            out[name] = element.attrs.get("value", "")
    return out


def _continue_link(html: str) -> str:
    links = [a for a in Page(html).find("a") if a.text.strip() == "继续办理"]
    assert len(links) == 1
    return links[0].attrs["href"]


@pytest.fixture
def applicant(client, region):
    user = UserFactory()
    sign_in(client, user, TrustLevel.L4)
    return user


def test_my_applications_lists_a_draft_that_reopens_with_its_entries(
    client, applicant, bank, outlet
):
    entries = apply_post(applicant.person, bank, outlet, occupation="园艺师", phone="13600002222")
    draft = draft_id_of(
        client.post(
            item_url("apply", f"person-{applicant.person.pk}"),
            {**entries, "token": str(uuid.uuid4()), "photo": jpeg()},
        )
    )
    my = client.get("/my/").content.decode()
    assert "社会保障卡申领" in my and "草稿" in my
    link = _continue_link(my)
    assert link == f"{item_url('apply', f'person-{applicant.person.pk}')}?draft={draft}"
    page = client.get(link)
    assert page.status_code == 200
    values = _values(page.content.decode())
    assert values["occupation"] == "园艺师"
    assert values["phone"] == "13600002222"
    assert values["outlet"] == outlet.code
    assert values["token"] == draft  # posting again updates this draft
    assert "已上传，可重新选择替换" in page.content.decode()


def test_continuing_a_draft_and_confirming_it_submits_once(client, applicant, bank, outlet):
    entries = apply_post(applicant.person, bank, outlet)
    url = item_url("apply", f"person-{applicant.person.pk}")
    draft = draft_id_of(client.post(url, {**entries, "token": str(uuid.uuid4()), "photo": jpeg()}))
    again = draft_id_of(client.post(url, {**entries, "occupation": "厨师", "token": draft}))
    assert again == draft
    assert Draft.objects.count() == 1
    assert client.post(f"/drafts/{draft}/").status_code == 302
    application = Application.objects.get(applicant=applicant)
    assert application.form_data["occupation"] == "厨师"
    assert application.materials.filter(kind="photo").exists()
    assert not Draft.objects.exists()
    assert "继续办理" not in client.get("/my/").content.decode()


def test_a_change_draft_reopens_with_the_new_phone(client, applicant):
    """信息变更 keeps only the changes in its draft: 返回修改 shows them over the record."""
    url = item_url("change", f"person-{applicant.person.pk}")
    posted = {"phone": "13700001111", "address": applicant.person.address, "postcode": "522000"}
    draft = draft_id_of(client.post(url, {**posted, "token": str(uuid.uuid4())}))
    values = _values(client.get(f"{url}?draft={draft}").content.decode())
    assert values["phone"] == "13700001111"
    assert values["postcode"] == "522000"
    assert values["address"] == applicant.person.address  # unchanged: from the record


@pytest.mark.parametrize("action", ["temporary", "formal"])
def test_a_loss_draft_reopens_with_the_choice(client, applicant, action):
    card = CardFactory(person=applicant.person)
    url = item_url("loss", f"card-{card.pk}")
    posted = {"action": action, "token": str(uuid.uuid4())}
    if action == "formal":
        posted["confirm_irreversible"] = "on"
    draft = draft_id_of(client.post(url, posted))
    values = _values(client.get(f"{url}?draft={draft}").content.decode())
    assert values["action"] == action
    assert values.get("confirm_irreversible") == ("on" if action == "formal" else None)


def test_deleting_a_draft_removes_its_stored_files(
    client, applicant, bank, outlet, django_capture_on_commit_callbacks
):
    url = item_url("apply", f"person-{applicant.person.pk}")
    entries = {**apply_post(applicant.person, bank, outlet), "token": str(uuid.uuid4())}
    with django_capture_on_commit_callbacks(execute=True):
        draft_id = draft_id_of(client.post(url, {**entries, "photo": jpeg()}))
    stored = Draft.objects.get(pk=draft_id).files["photo"]["name"]
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/drafts/{draft_id}/discard/")
    assert answer.status_code == 302 and answer["Location"] == "/my/"
    assert not Draft.objects.filter(pk=draft_id).exists()
    assert not default_storage.exists(stored)
    assert "草稿已删除" in client.get("/my/").content.decode()
    assert client.get(f"/drafts/{draft_id}/").status_code == 404


def test_replacing_an_upload_removes_the_old_file(
    client, applicant, bank, outlet, django_capture_on_commit_callbacks
):
    url = item_url("apply", f"person-{applicant.person.pk}")
    entries = {**apply_post(applicant.person, bank, outlet), "token": str(uuid.uuid4())}
    with django_capture_on_commit_callbacks(execute=True):
        draft_id = draft_id_of(client.post(url, {**entries, "photo": jpeg()}))
    first = Draft.objects.get(pk=draft_id).files["photo"]["name"]
    with django_capture_on_commit_callbacks(execute=True):
        draft_id_of(client.post(url, {**entries, "token": draft_id, "photo": jpeg("new.jpg")}))
    second = Draft.objects.get(pk=draft_id).files["photo"]["name"]
    assert second != first
    assert default_storage.exists(second) and not default_storage.exists(first)


def test_submitting_a_draft_removes_its_stored_files(
    client, applicant, bank, outlet, django_capture_on_commit_callbacks
):
    url = item_url("apply", f"person-{applicant.person.pk}")
    entries = {**apply_post(applicant.person, bank, outlet), "token": str(uuid.uuid4())}
    with django_capture_on_commit_callbacks(execute=True):
        draft_id = draft_id_of(client.post(url, {**entries, "photo": jpeg()}))
    stored = Draft.objects.get(pk=draft_id).files["photo"]["name"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/drafts/{draft_id}/").status_code == 302
    assert not default_storage.exists(stored)
    material = Application.objects.get(applicant=applicant).materials.get(kind="photo")
    assert default_storage.exists(material.file.name)


def test_uploads_survive_an_error_in_another_field(client, applicant, bank, outlet):
    url = item_url("apply", f"person-{applicant.person.pk}")
    token = str(uuid.uuid4())
    entries = apply_post(applicant.person, bank, outlet, phone="1391234")
    refused = client.post(url, {**entries, "token": token, "photo": jpeg()})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "请输入11位手机号码" in html
    assert "已上传，可重新选择替换" in html
    values = _values(html)
    assert values["phone"] == "1391234"  # the wrong entry is kept to be corrected
    assert values["outlet"] == outlet.code
    assert values["token"] == token

    # the photo is not chosen again: the corrected form goes through with it
    fixed = client.post(url, {**entries, "phone": "13912345678", "token": token})
    draft = draft_id_of(fixed)
    assert draft == token
    confirm = client.get(f"/drafts/{draft}/").content.decode()
    assert "已上传材料" in confirm
    assert client.post(f"/drafts/{draft}/").status_code == 302
    application = Application.objects.get(applicant=applicant)
    assert application.materials.filter(kind="photo").exists()


def test_without_the_upload_the_photo_is_asked_for(client, applicant, bank, outlet):
    url = item_url("apply", f"person-{applicant.person.pk}")
    refused = client.post(
        url, {**apply_post(applicant.person, bank, outlet), "token": str(uuid.uuid4())}
    )
    assert refused.status_code == 400
    errors = {
        p.attrs["id"]: p.text for p in Page(refused.content.decode()).find("p") if p.attrs.get("id")
    }
    assert "e-photo" in errors, errors
    assert not Draft.objects.exists()


def test_back_to_the_confirmation_after_a_failed_edit(client, applicant, bank, outlet):
    """确认 → 返回修改 → a wrong phone and a new photo → the back button to the confirmation:
    it shows the entries checked before, and submits those with the new photo."""
    url = item_url("apply", f"person-{applicant.person.pk}")
    entries = apply_post(applicant.person, bank, outlet)
    draft = draft_id_of(client.post(url, {**entries, "token": str(uuid.uuid4()), "photo": jpeg()}))
    first_photo = Draft.objects.get(pk=draft).files["photo"]["name"]
    refused = client.post(url, {**entries, "phone": "139", "token": draft, "photo": jpeg("b.jpg")})
    assert refused.status_code == 400
    back = client.get(f"/drafts/{draft}/")
    assert back.status_code == 200
    assert "13912345678" in back.content.decode()  # as typed, in full
    assert Draft.objects.get(pk=draft).files["photo"]["name"] != first_photo
    assert client.post(f"/drafts/{draft}/").status_code == 302
    assert Application.objects.get(applicant=applicant).form_data["phone"] == "13912345678"


def test_a_draft_with_only_uploads_is_not_confirmed(client, applicant, bank, outlet):
    """The first try had an error beside its upload: its confirmation sends back to the
    page (nothing has been checked yet), the upload kept."""
    url = item_url("apply", f"person-{applicant.person.pk}")
    token = str(uuid.uuid4())
    entries = apply_post(applicant.person, bank, outlet, phone="139")
    assert client.post(url, {**entries, "token": token, "photo": jpeg()}).status_code == 400
    answer = client.get(f"/drafts/{token}/")
    assert answer.status_code == 302
    assert answer["Location"] == f"{url}?draft={token}"
    assert client.post(f"/drafts/{token}/").status_code == 302
    assert not Application.objects.exists()
    page = client.get(answer["Location"]).content.decode()
    assert "已上传，可重新选择替换" in page
    assert _values(page)["name"] == applicant.person.name  # the record, not empty fields


def test_the_service_password_is_never_written_back_into_the_page(client, applicant):
    """Entries are kept after an error and on 返回修改 — except passwords."""
    card = CardFactory(person=applicant.person, sealed=True)
    url = item_url("enable", f"card-{card.pk}")
    refused = client.post(url, {"password": "135790", "password2": "135791", "token": uuid.uuid4()})
    assert refused.status_code == 400
    assert "两次输入的密码不一致" in refused.content.decode()
    assert "135790" not in refused.content.decode()
    draft = draft_id_of(
        client.post(url, {"password": "135790", "password2": "135790", "token": uuid.uuid4()})
    )
    again = client.get(f"{url}?draft={draft}").content.decode()
    assert "135790" not in again
    assert "135790" not in client.get(f"/drafts/{draft}/").content.decode()


# --- the draft's photo: checked once on the item page, trusted only as it was kept ------------


def _apply_with_photo(client, user, bank, outlet, photo: bytes | None = None) -> str:
    from sscard.testing.photos import compliant_photo, upload

    entries = apply_post(user.person, bank, outlet)
    photo_file = upload(photo or compliant_photo())
    return draft_id_of(
        client.post(
            item_url("apply", f"person-{user.person.pk}"),
            {**entries, "token": str(uuid.uuid4()), "photo": photo_file},
        )
    )


def _kept_photo(draft: str) -> tuple[str, bytes]:
    name = Draft.objects.get(pk=draft).files["photo"]["name"]
    with default_storage.open(name, "rb") as handle:
        return name, handle.read()


@pytest.fixture
def photo_checks(monkeypatch) -> list[bytes]:
    """Every photo the card-photo check is run on (wherever it is called from)."""
    from sscard.photos import check, fix, verdict

    checked: list[bytes] = []

    def counting(data: bytes, **options):
        checked.append(data)
        return check.check_photo(data, **options)

    monkeypatch.setattr(verdict, "check_photo", counting)
    monkeypatch.setattr(fix, "check_photo", counting)
    return checked


def test_the_confirmed_photo_is_the_one_checked_on_the_item_page_and_is_not_checked_again(
    client, applicant, bank, outlet, photo_checks
):
    """A large, light portrait is fixed on the item page; the draft keeps the fixed photo with
    its report, and the confirmation hands both on to the reviewer as they are."""
    from sscard.testing.photos import light_portrait

    draft = _apply_with_photo(client, applicant, bank, outlet, light_portrait())
    assert photo_checks  # checked (and fixed) on the item page
    _, checked = _kept_photo(draft)
    photo_checks.clear()

    assert client.post(f"/drafts/{draft}/").status_code == 302

    assert photo_checks == []  # no image work inside the confirmation's transaction
    material = Application.objects.get(applicant=applicant).materials.get(kind="photo")
    with material.file.open("rb") as handle:
        assert handle.read() == checked
    assert material.photo_fixed  # the reviewer is told it was fixed automatically
    original = material.photo_original_report
    assert original is not None and {"size", "dpi"} <= original.rules


def test_a_photo_checked_under_other_rules_is_checked_again_at_the_confirmation(
    client, applicant, bank, outlet, region, photo_checks
):
    """The region's file-size bounds changed between the item page and the confirmation: the
    photo kept is checked again, and refused beside its field when it no longer passes."""
    draft = _apply_with_photo(client, applicant, bank, outlet)
    region.photo_min_kb, region.photo_max_kb = 50, 60
    region.save()
    photo_checks.clear()

    page = client.post(f"/drafts/{draft}/")

    assert page.status_code == 400
    assert photo_checks  # checked again, not trusted
    assert "证件照不符合要求" in page.content.decode()
    assert "照片文件大小需在50–60KB之间" in page.content.decode()
    assert not Application.objects.exists()


def test_a_photo_still_passing_under_changed_rules_is_submitted_after_one_more_check(
    client, applicant, bank, outlet, region, photo_checks
):
    draft = _apply_with_photo(client, applicant, bank, outlet)
    region.photo_max_kb = 59
    region.save()
    photo_checks.clear()

    assert client.post(f"/drafts/{draft}/").status_code == 302

    assert len(photo_checks) == 1
    assert Application.objects.get(applicant=applicant).materials.filter(kind="photo").exists()


def test_a_kept_photo_gone_from_storage_is_asked_for_again(client, applicant, bank, outlet):
    draft = _apply_with_photo(client, applicant, bank, outlet)
    name, _ = _kept_photo(draft)
    default_storage.delete(name)

    page = client.post(f"/drafts/{draft}/")

    assert page.status_code == 400
    assert "请上传1寸白底免冠彩色电子证件照" in page.content.decode()
    assert not Application.objects.exists()


def test_another_persons_photo_put_in_place_of_the_kept_one_is_not_used(
    client, applicant, bank, outlet
):
    """A stored file replaced on disk by another draft's photo (it decrypts just as well) is
    not the photo that was checked for this draft: it is left out and asked for again."""
    from sscard.testing.photos import light_portrait

    draft = _apply_with_photo(client, applicant, bank, outlet)
    other = Client()
    someone = UserFactory()
    sign_in(other, someone, TrustLevel.L4)
    theirs = _apply_with_photo(other, someone, bank, outlet, light_portrait())
    mine, _ = _kept_photo(draft)
    their_file, _ = _kept_photo(theirs)
    shutil.copyfile(default_storage.path(their_file), default_storage.path(mine))

    page = client.post(f"/drafts/{draft}/")

    assert page.status_code == 400
    assert "请上传1寸白底免冠彩色电子证件照" in page.content.decode()
    assert not Application.objects.filter(applicant=applicant).exists()


def test_a_photo_kept_for_oneself_does_not_go_with_an_application_for_a_ward(
    client, region, bank, outlet
):
    """The form token of one's own 申领 (its photo kept) posted on a ward's page: the photo
    was not the ward's, and is asked for."""
    mother = UserFactory()
    ward = PersonFactory(minor=True)
    GuardianshipFactory(guardian=mother.person, ward=ward, active=True)
    sign_in(client, mother, TrustLevel.L3)
    draft = _apply_with_photo(client, mother, bank, outlet)

    page = client.post(
        item_url("apply", f"person-{ward.pk}"),
        {
            **apply_post(ward, bank, outlet),
            "relationship": "mother",
            "token": draft,
            "household": jpeg("household.jpg"),
            "guardian_proof": jpeg("proof.jpg"),
        },
    )

    assert page.status_code == 400
    assert "请上传1寸白底免冠彩色电子证件照" in page.content.decode()
    assert "photo" not in Draft.objects.get(pk=draft).files
