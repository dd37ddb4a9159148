"""How an application's form reads on a staff screen: labelled, masked unless revealed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from sscard.accounts.models import Guardianship
from sscard.accounts.services import Relation
from sscard.applications.constants import (
    AppStatus,
    ItemCode,
    MaterialKind,
    ReissueKind,
    ReplaceReason,
)
from sscard.applications.models import Application, Material
from sscard.applications.services import CONTACT_REVISED, applicant_contact_for_record
from sscard.core.documents import DocType, Gender
from sscard.core.masking import mask_address, mask_id_number, mask_name, mask_phone
from sscard.production.constants import Delivery
from sscard.regions.selectors import bank_names, outlet_names


def _mask_birth(value: str) -> str:
    return value[:4] + "-**-**" if value else ""


FIELDS: tuple[tuple[str, str, Callable[[str], str] | None], ...] = (
    # key, label, mask (None: not personal)
    ("doc_type", "证件类型", None),
    ("doc_number", "证件号码", mask_id_number),
    ("name", "姓名", mask_name),
    ("gender", "性别", None),
    ("ethnicity", "民族", None),
    ("nationality", "国籍", None),
    ("birth_date", "出生日期", _mask_birth),
    ("phone", "手机号码", mask_phone),
    ("address", "通讯地址", mask_address),
    ("postcode", "邮政编码", None),
    ("occupation", "职业", None),
    ("relationship", "与申领人关系", None),
    ("kind", "补换类型", None),
    ("reason", "换卡原因", None),
    ("note", "补充说明", None),
    ("bank", "合作银行", None),
    ("delivery", "领卡方式", None),
    ("outlet", "领卡网点", None),
    ("mail_address", "邮寄地址", mask_address),
)

CHOICES: dict[str, dict[str, str]] = {
    "doc_type": {code: str(label) for code, label in DocType.choices},
    "gender": {code: str(label) for code, label in Gender.choices},
    "relationship": dict(Guardianship.Relationship.choices),
    "kind": dict(ReissueKind.choices),
    "reason": dict(ReplaceReason.choices),
    "delivery": dict(Delivery.choices),
}


def form_rows(application: Application, *, revealed: bool) -> list[tuple[str, str]]:
    form = application.form_data or {}
    names: dict[str, dict[str, str]] = {
        **CHOICES,
        "bank": bank_names() if form.get("bank") else {},
        "outlet": outlet_names() if form.get("outlet") else {},
    }
    rows: list[tuple[str, str]] = []
    for key, label, mask in FIELDS:
        value = form.get(key)
        if value in (None, ""):
            continue
        text = str(value)
        if key in names:
            text = names[key].get(text, text)
        elif mask is not None and not revealed:
            text = mask(text)
        rows.append((label, text))
    return rows


@dataclass(frozen=True)
class ContactRow:
    """A contact detail where the application and the person's record differ."""

    label: str
    applied: str  # 申请填写
    on_record: str  # 档案
    outcome: str  # what the decision does to the record


CONTACT_FIELDS = ("phone", "address", "postcode", "occupation")


def contact_rows(application: Application, *, revealed: bool) -> list[ContactRow]:
    """For an 申领: each contact detail the applicant filled in that differs from the record,
    masked as the form is, and what 受理 (or, after 补正, 审核通过) does with it."""
    if application.item != ItemCode.APPLY:
        return []
    form = application.form_data or {}
    person = application.subject
    open_now = application.status == AppStatus.SUBMITTED or (
        application.status == AppStatus.ACCEPTED and form.get(CONTACT_REVISED)
    )
    will_write = applicant_contact_for_record(application, person) if open_now else {}
    step = "受理" if application.status == AppStatus.SUBMITTED else "审核通过"
    masks = {key: mask for key, _label, mask in FIELDS}
    labels = {key: label for key, label, _mask in FIELDS}
    rows: list[ContactRow] = []
    for key in CONTACT_FIELDS:
        applied, recorded = str(form.get(key) or ""), str(getattr(person, key) or "")
        if applied == recorded:
            continue
        mask = masks[key]
        if key in will_write:
            outcome = f"{step}后以申请填写的为准更新档案"
        elif application.relation == Relation.EMPLOYER:
            outcome = "单位代办不覆盖个人档案（仅补充空白项）"
        else:
            outcome = "档案未变更"
        rows.append(
            ContactRow(
                label=labels[key],
                applied=(applied if revealed or mask is None else mask(applied)) or "（未填写）",
                on_record=(recorded if revealed or mask is None else mask(recorded)) or "（空白）",
                outcome=outcome,
            )
        )
    return rows


def guardian_rows(application: Application, *, revealed: bool) -> list[tuple[str, str]]:
    """For an application a guardian made for a ward: who the guardian is (to hold against
    the 监护人证明 and the 居民户口簿), masked unless revealed, and how they are related."""
    guardian = application.applicant.person if application.relation == Relation.GUARDIAN else None
    if guardian is None:
        return []
    link = Guardianship.objects.filter(guardian=guardian, ward=application.subject_id).first()
    relationship = link.relationship if link else str(application.form_data.get("relationship", ""))
    label = CHOICES["relationship"].get(relationship, "未填写")
    if link is not None and not link.active:
        label += "（监护关系待核验）"
    return [
        ("监护人姓名", guardian.name if revealed else guardian.masked_name),
        (
            "监护人证件",
            f"{guardian.get_doc_type_display()} "
            + (guardian.doc_number if revealed else guardian.masked_doc_number),
        ),
        ("与被监护人关系", label),
    ]


@dataclass(frozen=True)
class MaterialRow:
    """One uploaded file on the reviewer's page. After 补正 an application holds every version
    of a material; the newest of each kind is the current one (for the photo: the one that
    goes on the card, 制卡使用), the earlier ones were replaced (已替换)."""

    material: Material
    url: str  # /files/<id>/: the same rules and audit for every role
    current: bool

    @property
    def is_photo(self) -> bool:
        return self.material.kind == MaterialKind.PHOTO

    @property
    def status(self) -> str:
        if not self.current:
            return "已替换"
        return "制卡使用" if self.is_photo else "当前材料"


def material_rows(application: Application) -> list[MaterialRow]:
    rows: list[MaterialRow] = []
    seen: set[str] = set()
    for material in application.materials.order_by("kind", "-created_at", "-pk"):
        rows.append(
            MaterialRow(
                material=material,
                url=reverse("files:material", args=[material.pk]),
                current=material.kind not in seen,
            )
        )
        seen.add(material.kind)
    return rows
