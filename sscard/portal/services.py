"""Portal writes that are not items of the bundle: registering a password account, and the
drafts that carry an item's entries from its page to its confirmation."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.accounts.services import person_by_identity, person_find_or_create
from sscard.accounts.trust import TrustLevel
from sscard.applications.constants import MaterialKind
from sscard.applications.materials import (
    PreparedUpload,
    files_removed_unless_committed,
    note_written,
    prepare_upload,
)
from sscard.audit.services import audit_record
from sscard.cards.models import Card
from sscard.core.documents import DocumentFacts, validate_document
from sscard.core.errors import DomainError, NotFound
from sscard.notifications.constants import Event
from sscard.notifications.services import notify_account_event
from sscard.photos.spec import checked_under
from sscard.portal.models import Draft
from sscard.regions.selectors import region_settings
from sscard.verification.models import Challenge, Purpose
from sscard.verification.services import challenge_spend, challenge_start
from sscard.verification.tasks import send_challenge_task

logger = logging.getLogger("sscard.portal")

ALREADY_REGISTERED = "该证件号码已注册账号，请使用原账号登录，或选择“人脸识别登录”"
# One answer whoever the number names: the page never tells.
CODE_SENT = (
    "如信息匹配，验证码已发送至您在社保卡档案中预留的手机；"
    "尚无社保卡档案的，验证码已发送至您填写的手机{phone}。"
)


def registration_start(
    *,
    facts: DocumentFacts,
    name: str,
    phone: str,
    username: str,
    password: str,
    gender: str,
    birth_date: date,
    nationality: str,
    client_ip: str | None,
) -> Challenge:
    """Step one of registering: record what was typed (encrypted, the password hashed) with a
    code that is texted in the background — to the phone on file when the number names a
    person on record with that name, no account and a phone; to the typed phone when the
    number names nobody yet; to nobody otherwise (a decoy no code opens). The caller answers
    :data:`CODE_SENT` in every case, and the work done does not depend on which."""
    person = person_by_identity(facts.doc_type, facts.number)
    if person is None:
        recipient = phone
    elif person.name == name and person.phone and not User.objects.filter(person=person).exists():
        recipient = person.phone
    else:
        recipient = ""
    challenge = challenge_start(
        purpose=Purpose.REGISTER,
        phone=recipient,
        person=person,
        client_ip=client_ip,
        limit_phone=phone,
        payload={
            "name": name,
            "doc_type": facts.doc_type,
            "doc_number": facts.number,
            "phone": phone,
            "username": username,
            "password": make_password(password),
            "gender": gender,
            "birth_date": birth_date.isoformat(),
            "nationality": nationality,
        },
    )
    send_challenge_task.enqueue(str(challenge.pk))
    return challenge


def registration_resend(*, challenge: Challenge, client_ip: str | None) -> Challenge:
    """重新获取验证码: a new code for the same entries (the sending limits apply)."""
    data = dict(challenge.payload)
    again = challenge_start(
        purpose=Purpose.REGISTER,
        phone=challenge.phone,
        person=challenge.person,
        client_ip=client_ip,
        limit_phone=data["phone"],
        payload=data,
    )
    Challenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now())
    send_challenge_task.enqueue(str(again.pk))
    return again


@transaction.atomic
def registration_complete(*, challenge_id: Any) -> User:
    """Step two, after the code opened the challenge (``challenge_verify``): the account,
    linked to the person whose phone got the code, or to a person recorded now. Possession is
    proved by that code (``User.possession`` = sms)."""
    challenge = challenge_spend(challenge_id=challenge_id, purpose=Purpose.REGISTER)
    data = dict(challenge.payload)
    facts = validate_document(data["doc_type"], data["doc_number"], today=timezone.localdate())
    person = person_by_identity(facts.doc_type, facts.number)
    if person is None:
        person = person_find_or_create(
            facts=facts,
            details={
                "name": data["name"],
                "gender": data["gender"],
                "birth_date": date.fromisoformat(data["birth_date"]),
                "nationality": data["nationality"],
                "phone": data["phone"],
            },
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.name != data["name"] or person.phone != challenge.phone:
        # the record changed since the code was sent: the code proves nothing about it now
        raise DomainError("验证码已失效，请重新注册", code="expired", field="code")
    user = User(
        username=data["username"],
        role=User.Role.CITIZEN,
        person=person,
        first_name=data["name"],
        password=data["password"],
        possession=User.Possession.SMS,
        possession_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        if User.objects.filter(person=person).exists():
            raise DomainError(ALREADY_REGISTERED, field="code", code="registered") from exc
        raise DomainError(
            "该账号已被使用，请重新注册并换一个账号", field="code", code="taken"
        ) from exc
    audit_record(
        actor=user,
        action="account.registered",
        target=user,
        detail={"trust": TrustLevel.L3.label, "possession": "sms"},
    )
    notify_account_event(Event.ACCOUNT_LINKED, user=user, person=person)
    return user


# ---------------------------------------------------------------------------------------------
# Drafts


def draft_for(user: User, draft_id: Any) -> Draft:
    """The user's own draft, or 未找到 (another account's draft id is not found either). Its
    row alone: the pages resolve the card or person it is for from its target, by the rules
    that list them (its own ``subject`` and ``card`` are not shown)."""
    draft = Draft.objects.filter(pk=draft_id, user=user).first()
    if draft is None:
        raise NotFound("未找到该草稿，可能已提交或已过期")
    return draft


def draft_save(
    *,
    user: User,
    item: str,
    draft_id: Any,
    subject: Person | None,
    card: Card | None,
    data: dict[str, Any],
    uploads: Mapping[str, PreparedUpload],
) -> Draft:
    """Create or update the draft named by the page's form token, in one write: one INSERT or
    one UPDATE, the entries encrypted once. Uploads (already hardened, a photo checked and
    fixed) replace the files of the same kind, each kept with its photo report, the digest of
    its content and the rules it was checked under (see :func:`draft_uploads`). Files not
    uploaded again are kept, unless the draft is now for another card or person (``_target``
    in ``data``): they were not that one's. Files are stored before the draft is locked, and
    removed again when the draft is not written."""
    with files_removed_unless_committed(), transaction.atomic():
        stored = {kind: _store(draft_id, upload) for kind, upload in uploads.items()}
        draft, created = Draft.objects.select_for_update().get_or_create(
            pk=draft_id,
            defaults={
                "user": user,
                "item": item,
                "subject": subject,
                "card": card,
                "data": data,
                "files": stored,
            },
        )
        if draft.user_id != user.pk or draft.item != item:
            raise NotFound("未找到该草稿，可能已提交或已过期")
        if created:
            return draft
        same_target = draft.data.get("_target") == data.get("_target")
        kept = {k: m for k, m in draft.files.items() if same_target and k not in stored}
        gone = [m["name"] for k, m in draft.files.items() if k not in kept]
        if gone:
            _delete_on_commit(gone)
        draft.subject, draft.card, draft.data = subject, card, data
        draft.files = {**kept, **stored}
        draft.save()
    return draft


def _store(draft_id: Any, upload: PreparedUpload) -> dict[str, Any]:
    upload.file.seek(0)
    content = upload.file.read()
    name = default_storage.save(
        f"drafts/{draft_id}/{upload.kind}-{secrets.token_hex(8)}", ContentFile(content)
    )
    note_written(default_storage, name)
    return {
        "name": name,
        "content_type": upload.content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "photo_check": upload.photo_check,
        "checked_under": upload.checked_under,
    }


def draft_uploads(draft: Draft) -> dict[str, PreparedUpload]:
    """The draft's files as they were prepared when uploaded, a photo with its report: ready
    for the item's service, which checks nothing again. Call it before the service's
    transaction: a file is read here, and a photo may be checked again.

    A file is handed on only as it was stored for this draft — under the draft's own folder,
    with the content whose digest was recorded; one missing or changed is left out (the
    service then asks for it again). A photo checked under other rules than today's (the
    spec's figures, the check or the region's file-size bounds changed since) is checked
    again, and refused with a ``DomainError`` on ``photo`` when it no longer passes."""
    out: dict[str, PreparedUpload] = {}
    for kind, meta in draft.files.items():
        content = _stored_content(draft, meta)
        if content is None:
            continue
        prepared = PreparedUpload(
            kind=kind,
            file=ContentFile(content, name=kind),
            content_type=meta["content_type"],
            photo_check=meta.get("photo_check") or {},
            checked_under=meta.get("checked_under", ""),
        )
        if kind == MaterialKind.PHOTO:
            region = region_settings()
            if prepared.checked_under != checked_under(region):
                prepared = prepare_upload(kind, ContentFile(content, name=kind), region=region)
        out[kind] = prepared
    return out


def _stored_content(draft: Draft, meta: Mapping[str, Any]) -> bytes | None:
    """A draft file's content, if it is the one stored for this draft and still as stored."""
    name = str(meta.get("name", ""))
    if not name.startswith(f"drafts/{draft.pk}/"):
        logger.warning("drafts.file_refused reason=elsewhere draft=%s", draft.pk)
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            content = bytes(handle.read())
    except OSError as exc:  # gone, or no longer decrypts
        logger.warning("drafts.file_refused reason=%s draft=%s", type(exc).__name__, draft.pk)
        return None
    recorded = meta.get("sha256")  # (none for a draft saved before digests were kept)
    if recorded is not None and hashlib.sha256(content).hexdigest() != recorded:
        logger.warning("drafts.file_refused reason=changed draft=%s", draft.pk)
        return None
    return content


def draft_discard(draft: Draft) -> None:
    names = [meta["name"] for meta in draft.files.values()]
    draft.delete()
    _delete_on_commit(names)


def drafts_purge_stale(*, now: datetime | None = None) -> int:
    """Drafts untouched for the region's ``draft_keep_days`` go, with their uploads:
    personal data is not kept for an application nobody finished. Each removal is audited
    (the draft's item and how many files went, nothing personal). Running twice deletes
    nothing more."""
    keep_days = region_settings().draft_keep_days
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)
    removed = 0
    for draft in Draft.objects.filter(updated_at__lt=cutoff).iterator():
        with transaction.atomic():
            audit_record(
                actor=None,
                action="retention.draft_removed",
                target=draft,
                detail={"item": draft.item, "files": len(draft.files), "keep_days": keep_days},
            )
            draft_discard(draft)
        removed += 1
    return removed


def _delete_on_commit(names: list[str]) -> None:
    """Stored files go once the rows that named them are gone for good."""

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete)
