"""Writes about people: finding or recording a person, guardianship, contact changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.models import (
    Employer,
    Employment,
    Guardianship,
    Person,
    User,
    identity_hash,
)
from sscard.accounts.trust import Action, Requester, ensure_trust
from sscard.audit.services import audit_record
from sscard.core.documents import DocumentError, DocumentFacts, validate_uscc
from sscard.core.errors import DomainError, NotFound
from sscard.core.masking import mask_address, mask_phone
from sscard.core.memo import per_request
from sscard.core.validators import validate_address, validate_phone, validate_postcode
from sscard.regions.models import RegionSettings

ONLINE_CONTACT_FIELDS = ("phone", "address", "postcode", "occupation")
CONTACT_FIELD_LABELS = {
    "phone": "手机号码",
    "address": "通讯地址",
    "postcode": "邮政编码",
    "occupation": "职业",
}
COUNTER_ONLY_FIELDS = {
    "name": "姓名",
    "doc_number": "证件号码",
    "gender": "性别",
    "birth_date": "出生日期",
    "nationality": "国籍",
}


class Relation:
    SELF = "self"
    GUARDIAN = "guardian"
    EMPLOYER = "employer"
    COUNTER = "counter"  # staff at a service counter, for the person in front of them


# Staff who serve people at a counter (窗口代办).
COUNTER_ROLES = (User.Role.REVIEWER, User.Role.CLERK)


@per_request
def guardianship_active(guardian_id: int, ward_id: int) -> bool:
    """The guardianship of ``ward_id`` by ``guardian_id`` is confirmed and in force. Asked once
    a request: the page that named the ward, having found the link, tells the memo so
    (``memo.remember``), and the rule below reads that answer. Saving a guardianship clears
    it."""
    return Guardianship.objects.filter(
        guardian_id=guardian_id, ward_id=ward_id, active=True
    ).exists()


def person_relation(*, user: User, person: Person, today: date, region: RegionSettings) -> str:
    """How ``user`` may act for ``person``: as themself, as guardian of a minor, or as the
    person's employer. Anything else is refused without saying whether the person exists."""
    if user.person_id == person.pk:
        return Relation.SELF
    if user.person_id is not None and person.age(today) < region.guardian_age:
        linked = guardianship_active(user.person_id, person.pk)
        if linked and person.is_chinese_citizen:
            return Relation.GUARDIAN
    if (
        user.employer_id is not None
        and Employment.objects.filter(
            employer_id=user.employer_id, person=person, active=True
        ).exists()
    ):
        return Relation.EMPLOYER
    raise NotFound("未找到可为您办理的人员信息")


def require_role(user: User | None, *roles: str) -> None:
    """Deny by default: a staff step needs one of ``roles``. Administrators run the system's
    settings, not the business: separation of duties keeps them out of decisions."""
    if user is None or not user.is_active or user.role not in roles:
        raise DomainError("您没有办理此业务的权限", code="forbidden")


def person_by_identity(doc_type: str, number: str) -> Person | None:
    return Person.objects.filter(identity_hash=identity_hash(doc_type, number)).first()


def person_find_or_create(
    *, facts: DocumentFacts, details: dict[str, Any], now: datetime | None = None
) -> Person:
    """The person with this identity document, recorded from ``details`` if new (at ``now``).
    Two requests racing to record the same person end with one row."""
    existing = person_by_identity(facts.doc_type, facts.number)
    if existing is not None:
        return existing
    now = now or timezone.now()
    person = Person(
        doc_type=facts.doc_type, doc_number=facts.number, created_at=now, updated_at=now, **details
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        winner = person_by_identity(facts.doc_type, facts.number)
        if winner is None:
            raise
        return winner
    return person


@transaction.atomic
def guardianship_claim(
    *,
    guardian: Person,
    ward: Person,
    relationship: str,
    requester: Requester,
    now: datetime | None = None,
) -> Guardianship:
    """Record a claimed guardianship. It gives no access until a reviewer has checked the
    居民户口簿 and 监护人证明 (:func:`guardianship_confirm`); a link already claimed or confirmed
    stays as it is. A new link is a new guardianship: the region's level for
    ``Action.GUARDIANSHIP`` (L3+ by default) is asked before it is made."""
    if guardian.pk == ward.pk:
        raise DomainError("监护人与被监护人不能为同一人", field="relationship")
    existing = Guardianship.objects.select_for_update().filter(guardian=guardian, ward=ward).first()
    if existing is not None:
        return existing
    ensure_trust(Action.GUARDIANSHIP, requester)
    now = now or timezone.now()
    link, created = Guardianship.objects.get_or_create(
        guardian=guardian,
        ward=ward,
        defaults={"relationship": relationship, "active": False, "created_at": now},
    )
    if created:
        audit_record(
            actor=requester.user,
            action="guardianship.claimed",
            target=link,
            detail={"relationship": relationship, "trust": requester.trust.label},
            at=now,
        )
    return link


@transaction.atomic
def guardianship_confirm(
    *, guardian: Person, ward: Person, actor: User | None, now: datetime | None = None
) -> Guardianship:
    """The proof was checked: the guardian may now act for the ward."""
    link = Guardianship.objects.select_for_update().get(guardian=guardian, ward=ward)
    if not link.active:
        link.active = True
        link.save(update_fields=["active"])
        audit_record(actor=actor, action="guardianship.confirmed", target=link, at=now)
    return link


@transaction.atomic
def person_change_contact(
    *, person: Person, changes: dict[str, str], actor: User | None, now: datetime | None = None
) -> Person:
    """信息变更: phone, address, postcode and occupation change online; identity details need
    the police records corrected and a counter visit, then a card replacement."""
    refused = [label for key, label in COUNTER_ONLY_FIELDS.items() if key in changes]
    if refused:
        raise DomainError(
            f"{'、'.join(refused)}不能在线变更：请先到公安机关更正户籍信息，"
            "再携带有效身份证件到社保卡服务网点办理信息变更，然后申请换卡。",
            code="counter_only",
            field=next(k for k in COUNTER_ONLY_FIELDS if k in changes),
        )
    unknown = set(changes) - set(ONLINE_CONTACT_FIELDS)
    if unknown:
        raise DomainError("包含不支持变更的信息项", code="invalid")
    changes = _validate_contact(changes)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person_record_contact(person=person, values=changes, actor=actor, now=now):
        raise DomainError("信息未发生变化，无需提交", code="unchanged")
    return person


def person_record_contact(
    *,
    person: Person,
    values: dict[str, str],
    actor: User | None,
    receipt: str = "",
    now: datetime | None = None,
) -> list[str]:
    """Write validated contact details on a locked person row; audit what changed (and the
    application it came from, by ``receipt``) and return the names of the changed fields."""
    changed = {
        k: v for k, v in values.items() if k in ONLINE_CONTACT_FIELDS and getattr(person, k) != v
    }
    if not changed:
        return []
    for key, value in changed.items():
        setattr(person, key, value)
    person.updated_at = now = now or timezone.now()
    person.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        action="person.contact_changed",
        target=person,
        detail={
            "fields": sorted(changed),
            **({"phone": mask_phone(changed["phone"])} if "phone" in changed else {}),
            **({"address": mask_address(changed["address"])} if "address" in changed else {}),
            **({"receipt": receipt} if receipt else {}),
        },
        at=now,
    )
    return sorted(changed)


def _validate_contact(changes: dict[str, str]) -> dict[str, str]:
    cleaned = {key: value.strip() for key, value in changes.items()}
    if "phone" in cleaned:
        validate_phone(cleaned["phone"])
    if "address" in cleaned:
        cleaned["address"] = validate_address(cleaned["address"])
    if cleaned.get("postcode"):
        validate_postcode(cleaned["postcode"])
    if len(cleaned.get("occupation", "")) > 40:
        raise DomainError("职业不能超过40个字", field="occupation")
    return cleaned


@transaction.atomic
def employer_register(
    *,
    name: str,
    uscc: str,
    contact_name: str = "",
    contact_phone: str = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> Employer:
    try:
        code = validate_uscc(uscc)
    except DocumentError as exc:
        raise DomainError(exc.message, field="uscc") from exc
    if Employer.objects.filter(uscc=code).exists():
        raise DomainError("该统一社会信用代码已注册", field="uscc", code="duplicate")
    now = now or timezone.now()
    employer = Employer.objects.create(
        name=name,
        uscc=code,
        contact_name=contact_name,
        contact_phone=contact_phone,
        created_at=now,
    )
    audit_record(actor=actor, action="employer.registered", target=employer, at=now)
    return employer


def employer_ensure_approved(employer: Employer | None) -> None:
    """An employer acts (批量申领, 为职工申领) only once a reviewer has approved its registration
    and 营业执照; until then it is told where it stands and what to do."""
    if employer is None:
        raise DomainError("单位账号未关联单位信息", code="no_employer")
    if employer.status == Employer.Status.APPROVED:
        return
    if employer.status == Employer.Status.REFUSED:
        raise DomainError(
            f"单位注册审核未通过（原因：{employer.refusal_reason}），暂不能办理批量申领或为职工申领。"
            "请在“单位服务 → 单位注册审核”重新上传营业执照，审核通过后即可办理",
            code="employer_refused",
        )
    raise DomainError(
        "单位注册正在审核中（待审核），审核通过后才能办理批量申领或为职工申领社保卡",
        code="employer_pending",
    )


def employment_ensure(
    *, employer: Employer, person: Person, actor: User | None, now: datetime | None = None
) -> Employment:
    """The employer's claim that the person works there: it lets the employer apply for the
    person's card and follow its progress, nothing else (the catalogue's audiences)."""
    now = now or timezone.now()
    employment, created = Employment.objects.get_or_create(
        employer=employer, person=person, defaults={"created_at": now}
    )
    if created or not employment.active:
        employment.active = True
        employment.save(update_fields=["active"])
        audit_record(actor=actor, action="employment.recorded", target=employment, at=now)
    return employment


def person_reveal_own(*, requester: Requester) -> Person:
    """查看完整信息: the signed-in citizen's own record in full, once the login is as sure of
    them as the region asks (``Action.REVEAL_OWN``, L3+ by default). Each reveal is audited."""
    person = requester.user.person
    if person is None:
        raise DomainError("该账号没有关联的个人信息", code="no_identity")
    ensure_trust(Action.REVEAL_OWN, requester)
    audit_record(
        actor=requester.user,
        action="person.reveal_own",
        target=person,
        detail={"trust": requester.trust.label},
    )
    return person
