"""Checking what an applicant filled in. Every field's problem is reported at once, next to
its field, and nothing is written until the whole form is right."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sscard.accounts.models import CITIZEN_ID_TYPES, Guardianship, identity_hash
from sscard.cards.models import Card
from sscard.core.documents import DocType, DocumentError, DocumentFacts, age_on, validate_document
from sscard.core.errors import DomainError
from sscard.core.ethnicities import ETHNICITIES
from sscard.core.validators import (
    validate_address,
    validate_name,
    validate_phone,
    validate_postcode,
)
from sscard.production.constants import Delivery
from sscard.regions.models import Bank, Outlet, RegionSettings

# A first 申领 on these documents carries a scan of the document for the reviewer (the
# 居民身份证 is checked against the population register; the 居民户口簿 is uploaded itself, as
# the household material of a guardian's application).
SCANNED_DOC_TYPES = frozenset(DocType) - {DocType.RESIDENT_ID, DocType.HOUSEHOLD}


def needs_document_scan(facts: DocumentFacts) -> bool:
    """Whether a 申领 for the holder of this document must carry its scan: a document other
    than the 居民身份证, and no card ever issued to the person (a first 申领)."""
    if facts.doc_type not in SCANNED_DOC_TYPES:
        return False
    ident = identity_hash(facts.doc_type, facts.number)
    return not Card.objects.filter(person__identity_hash=ident).exists()


@dataclass(frozen=True)
class CleanApply:
    facts: DocumentFacts
    data: dict[str, Any]  # JSON-ready, as stored on the application
    age: int


class FormErrors(dict[str, str]):
    def run(self, name: str, check: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return check(*args, **kwargs)
        except DomainError as exc:
            self[exc.field or name] = exc.message
        except DocumentError as exc:
            self[name] = exc.message
        return None

    def raise_if_any(self) -> None:
        if self:
            raise DomainError("填写的信息有误，请按提示修改", code="invalid", errors=dict(self))


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def clean_delivery(data: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    """合作银行 and 领卡方式 (an outlet, or a mailing address)."""
    out: dict[str, Any] = {}
    bank_code = _text(data, "bank")
    if not Bank.objects.filter(code=bank_code, active=True).exists():
        errors["bank"] = "请选择合作银行"
    out["bank"] = bank_code
    delivery = _text(data, "delivery")
    out["delivery"] = delivery
    if delivery == Delivery.OUTLET:
        outlet_code = _text(data, "outlet")
        outlet = Outlet.objects.filter(code=outlet_code, active=True).select_related("bank").first()
        if outlet is None:
            errors["outlet"] = "请选择领卡网点"
        elif "bank" not in errors and (outlet.bank is None or outlet.bank.code != bank_code):
            # the card is handed over where its bank is: the collecting outlet is the bank's
            owner = f"属于{outlet.bank.name}" if outlet.bank else "不属于任何合作银行"
            errors["outlet"] = f"领卡网点“{outlet.name}”{owner}，请选择所选合作银行的网点"
        out["outlet"] = outlet_code
    elif delivery == Delivery.MAIL:
        out["mail_address"] = (
            errors.run(
                "mail_address", validate_address, _text(data, "mail_address"), field="mail_address"
            )
            or ""
        )
    else:
        errors["delivery"] = "请选择领卡方式：网点领取或邮寄"
    return out


def clean_contact(data: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    out = {
        "phone": errors.run("phone", validate_phone, _text(data, "phone")) or "",
        "address": errors.run("address", validate_address, _text(data, "address")) or "",
        "postcode": _text(data, "postcode"),
        "occupation": _text(data, "occupation"),
    }
    if out["postcode"]:
        errors.run("postcode", validate_postcode, out["postcode"])
    if len(out["occupation"]) > 40:
        errors["occupation"] = "职业不能超过40个字"
    return out


def not_in_care_message(region: RegionSettings) -> str:
    return f"只能为本人或本人监护的未满{region.guardian_age}周岁的中国公民申领社会保障卡"


def ward_document_error(doc_type: str, number: str, *, region: RegionSettings, today: date) -> str:
    """Why a guardian cannot apply for the person this document names ('' when they can): a
    number that fails its document's rules, or someone of full age or not a Chinese citizen.
    Asked as soon as the number is typed, before anything is uploaded."""
    try:
        facts = validate_document(doc_type, number, today=today)
    except DocumentError as exc:
        return exc.message
    if facts.birth_date is None:
        return ""  # the age comes from the birth date entered with the rest of the form
    if not facts.chinese_citizen or age_on(facts.birth_date, today) >= region.guardian_age:
        return not_in_care_message(region)
    return ""


def clean_apply(
    data: dict[str, Any],
    provided: set[str],
    *,
    region: RegionSettings,
    today: date,
    for_someone_else: bool,
    document_seen: bool = False,
) -> CleanApply:
    """申领 form: identity, personal and contact details, bank, delivery, photo, the scan of a
    document other than the 居民身份证 on a first 申领 (unless staff at the counter saw the
    document itself: ``document_seen``) and — for a minor applied for by a guardian — the
    relationship and the two proofs. ``provided`` names the materials (photo, id_scan,
    household, guardian_proof) the applicant has uploaded."""
    errors = FormErrors()
    doc_type = _text(data, "doc_type")
    facts: DocumentFacts | None = None
    if doc_type not in DocType.values:
        errors["doc_type"] = "请选择证件类型"
    else:
        facts = errors.run(
            "doc_number", validate_document, doc_type, _text(data, "doc_number"), today=today
        )
    name = errors.run("name", validate_name, _text(data, "name")) or ""

    birth: date | None = facts.birth_date if facts else None
    given_birth = _text(data, "birth_date")
    if given_birth:
        try:
            parsed = date.fromisoformat(given_birth)
        except ValueError:
            errors["birth_date"] = "出生日期格式不正确"
        else:
            if birth is not None and parsed != birth:
                errors["birth_date"] = "出生日期与证件号码不一致"
            elif parsed > today:
                errors["birth_date"] = "出生日期不能晚于今天"
            birth = birth or parsed
    if birth is None and "birth_date" not in errors and facts is not None:
        errors["birth_date"] = "请填写出生日期"

    gender = _text(data, "gender")
    if facts is not None and facts.gender is not None:
        if gender and gender != facts.gender:
            errors["gender"] = "性别与证件号码不一致"
        gender = facts.gender
    elif gender not in ("M", "F"):
        errors["gender"] = "请选择性别"

    chinese = facts.chinese_citizen if facts else doc_type in CITIZEN_ID_TYPES
    if doc_type == DocType.PASSPORT:
        # a passport number does not say whose passport it is: the applicant does
        chinese = _text(data, "nationality") in ("", "中国") and bool(
            facts and facts.chinese_citizen
        )
    ethnicity = _text(data, "ethnicity")
    nationality = "中国" if chinese else _text(data, "nationality")
    if chinese and ethnicity not in ETHNICITIES:
        errors["ethnicity"] = "请选择民族"
    if not chinese and not nationality:
        errors["nationality"] = "请填写国籍"

    contact = clean_contact(data, errors)
    delivery = clean_delivery(data, errors)

    age = age_on(birth, today) if birth and birth <= today else 0
    if facts is not None and doc_type == DocType.HOUSEHOLD and age >= region.guardian_age:
        errors["doc_type"] = f"年满{region.guardian_age}周岁请使用居民身份证申领"
    if age >= region.photo_exempt_age and "photo" not in provided:
        errors["photo"] = "请上传1寸白底免冠彩色电子证件照"
    if (
        facts is not None
        and not document_seen
        and "id_scan" not in provided
        and needs_document_scan(facts)
    ):
        errors["id_scan"] = f"持{facts.doc_type.label}首次申领社会保障卡，请上传证件扫描件"

    relationship = _text(data, "relationship")
    if for_someone_else:
        if facts is not None and (not chinese or age >= region.guardian_age):
            # said beside the number, in the same round as every other error (the one place
            # this rule is checked: the service cleans every 申领 through here)
            errors["doc_number"] = not_in_care_message(region)
        if relationship not in Guardianship.Relationship.values:
            errors["relationship"] = "请选择与申领人的关系"
        if "household" not in provided:
            errors["household"] = "请上传申领人的居民户口簿"
        if "guardian_proof" not in provided:
            errors["guardian_proof"] = "请上传监护人证明文件"
    errors.raise_if_any()
    assert facts is not None and birth is not None  # noqa: S101 — guaranteed by the errors above

    return CleanApply(
        facts=facts,
        age=age,
        data={
            "doc_type": str(facts.doc_type),
            "doc_number": facts.number,
            "name": name,
            "gender": gender,
            "ethnicity": ethnicity if chinese else "",
            "nationality": nationality,
            "birth_date": birth.isoformat(),
            **contact,
            **delivery,
            **({"relationship": relationship} if for_someone_else else {}),
        },
    )
