"""Portal writes that are not items of the bundle: registering a password account, and the
drafts that carry an item's entries from its page to its confirmation."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.accounts.services import person_by_identity, person_find_or_create
from sscard.audit.services import audit_record
from sscard.cards.models import Card
from sscard.core.documents import DocumentFacts
from sscard.core.errors import DomainError
from sscard.portal.models import Draft

ALREADY_REGISTERED = "该身份证号码已注册账号，请使用原账号登录，或选择“人脸识别登录”"


@transaction.atomic
def account_register(
    *, facts: DocumentFacts, name: str, phone: str, username: str, password: str
) -> User:
    """A citizen's password account (trust L3). The name must be the one on record for the ID
    number; one person has one public account."""
    existing = person_by_identity(facts.doc_type, facts.number)
    if existing is not None:
        if existing.name != name:
            raise DomainError("姓名与身份证号码不一致，请核对", field="name", code="name_mismatch")
        if User.objects.filter(person=existing).exists():
            raise DomainError(ALREADY_REGISTERED, field="doc_number", code="registered")
    assert facts.birth_date is not None and facts.gender is not None  # noqa: S101 — resident ID
    person = existing or person_find_or_create(
        facts=facts,
        details={"name": name, "gender": facts.gender, "birth_date": facts.birth_date},
    )
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.phone:
        person.phone = phone
        person.save(update_fields=["phone", "updated_at"])
    user = User(username=username, role=User.Role.CITIZEN, person=person, first_name=name)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        if User.objects.filter(person=person).exists():
            raise DomainError(ALREADY_REGISTERED, field="doc_number", code="registered") from exc
        raise DomainError("该账号已被使用，请换一个", field="username", code="taken") from exc
    audit_record(actor=user, action="account.registered", target=user, detail={"trust": 3})
    return user


# ---------------------------------------------------------------------------------------------
# Drafts


def draft_for(user: User, draft_id: Any) -> Draft:
    """The user's own draft, or 未找到 (another account's draft id is not found either)."""
    draft = Draft.objects.filter(pk=draft_id, user=user).select_related("subject", "card").first()
    if draft is None:
        raise DomainError("未找到该草稿，可能已提交或已过期", code="not_found")
    return draft


@transaction.atomic
def draft_save(
    *,
    user: User,
    item: str,
    draft_id: Any,
    subject: Person | None,
    card: Card | None,
    data: dict[str, Any],
    uploads: Mapping[str, UploadedFile],
) -> Draft:
    """Create or update the draft named by the page's form token. Uploads replace the files
    of the same kind; files not uploaded again are kept."""
    draft, _created = Draft.objects.select_for_update().get_or_create(
        pk=draft_id, defaults={"user": user, "item": item, "subject": subject, "card": card}
    )
    if draft.user_id != user.pk or draft.item != item:
        raise DomainError("未找到该草稿，可能已提交或已过期", code="not_found")
    draft.subject, draft.card, draft.data = subject, card, data
    files = dict(draft.files)
    for kind, upload in uploads.items():
        if not upload:
            continue
        old = files.get(kind)
        name = default_storage.save(
            f"drafts/{draft.pk}/{kind}-{secrets.token_hex(8)}", ContentFile(upload.read())
        )
        files[kind] = {
            "name": name,
            "content_type": getattr(upload, "content_type", "") or "",
            "size": upload.size or 0,
        }
        if old:
            _delete_on_commit([old["name"]])
    draft.files = files
    draft.save()
    return draft


def draft_uploads(draft: Draft) -> dict[str, UploadedFile]:
    """The draft's files, ready to hand to the item's service as uploads."""
    out: dict[str, UploadedFile] = {}
    for kind, meta in draft.files.items():
        with default_storage.open(meta["name"], "rb") as handle:
            content = handle.read()
        out[kind] = SimpleUploadedFile(f"{kind}", content, content_type=meta["content_type"])
    return out


def draft_discard(draft: Draft) -> None:
    names = [meta["name"] for meta in draft.files.values()]
    draft.delete()
    _delete_on_commit(names)


DRAFT_KEEP_DAYS = 7


def drafts_purge_stale(*, now: datetime | None = None) -> int:
    """Drafts untouched for a week go, with their uploads: personal data is not kept for an
    application nobody finished. Running twice deletes nothing more."""
    cutoff = (now or timezone.now()) - timedelta(days=DRAFT_KEEP_DAYS)
    removed = 0
    for draft in Draft.objects.filter(updated_at__lt=cutoff).iterator():
        with transaction.atomic():
            draft_discard(draft)
        removed += 1
    return removed


def _delete_on_commit(names: list[str]) -> None:
    """Stored files go once the rows that named them are gone for good."""

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete)
