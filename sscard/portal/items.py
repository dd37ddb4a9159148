"""The portal's side of the seven items: for each, who or which card it may be done for
(选择社保卡), what its page asks (prefilled, editable fields only), how the entries are
checked before the confirmation, what the confirmation shows, and which service does it.

The catalogue (:mod:`sscard.applications.catalogue`) says what an item is; this module says
how its page behaves. The services check everything again when the item is submitted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string

from sscard.accounts.models import Guardianship, Person, User
from sscard.accounts.services import COUNTER_ONLY_FIELDS, ONLINE_CONTACT_FIELDS
from sscard.accounts.trust import Action, Requester, trust_allows
from sscard.applications import services as app_services
from sscard.applications.catalogue import SSCARD, Item
from sscard.applications.constants import (
    CARD_ITEMS,
    ItemCode,
    MaterialKind,
    ReissueKind,
    ReplaceReason,
)
from sscard.applications.eligibility import StepUpRequired, check_reissue, ensure_trust
from sscard.applications.forms import (
    SCANNED_DOC_TYPES,
    FormErrors,
    clean_apply,
    clean_contact,
    clean_delivery,
)
from sscard.applications.materials import Upload
from sscard.applications.models import Application, Material
from sscard.applications.selectors import cards_for_requester
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.cards.selectors import card_effective_status
from sscard.cards.services import validate_service_password
from sscard.core.documents import DocType
from sscard.core.errors import DomainError
from sscard.core.ethnicities import ETHNICITIES
from sscard.core.masking import mask_address, mask_id_number, mask_name, mask_phone
from sscard.production.constants import Delivery
from sscard.regions.models import Bank, Outlet
from sscard.regions.selectors import region_settings

NEW = "new"  # the 申领 target "a child not yet on record"
# A person's record details an item page prefills: shown in full only when the login may see
# them (Action.REVEAL_OWN, L3+ by default); else the field is left empty with the masked
# value as its placeholder, and a field left empty (or sent back masked) keeps the record's
# value — a mask is never written over the record.
# the draft's note of the details an 申领 left as they were on record
FROM_RECORD = "_from_record"
RECORD_FIELDS: dict[str, Callable[[str], str]] = {
    "name": mask_name,
    "phone": mask_phone,
    "address": mask_address,
    "mail_address": mask_address,
}


@dataclass(frozen=True)
class Target:
    """A card or a person an item may be done for, as 选择社保卡 lists it."""

    key: str  # "card-<pk>", "person-<pk>" or "new": the URL segment
    title: str
    detail: str = ""
    card: Card | None = None
    person: Person | None = None

    @property
    def subject(self) -> Person | None:
        return self.card.person if self.card is not None else self.person


def _card_target(card: Card, own: Person | None) -> Target:
    status = card_effective_status(card)
    label = "已注销" if status == CardStatus.CANCELLED else CardStatus(status).label
    whose = "本人" if own is not None and card.person_id == own.pk else card.person.masked_name
    return Target(
        key=f"card-{card.pk}",
        title=f"{whose}的社会保障卡",
        detail=f"卡号 {card.masked_number} · {card.bank.name} · {label}",
        card=card,
    )


def _person_target(person: Person, own: Person | None) -> Target:
    if own is not None and person.pk == own.pk:
        return Target(
            key=f"person-{person.pk}", title="本人", detail=person.masked_name, person=person
        )
    return Target(
        key=f"person-{person.pk}",
        title=f"{person.masked_name}（被监护人）",
        detail=person.masked_doc_number,
        person=person,
    )


def _people_in_care(user: User) -> list[Person]:
    """The user and the minors whose guardianship has been confirmed."""
    if user.person is None:
        return []
    region = region_settings()
    today = timezone.localdate()
    people = [user.person]
    links = Guardianship.objects.filter(guardian=user.person, active=True).select_related("ward")
    people += [link.ward for link in links if link.ward.age(today) < region.guardian_age]
    return people


def targets(item: Item, requester: Requester) -> list[Target]:
    user = requester.user
    own = user.person
    if item.needs_card:
        cards = cards_for_requester(requester, include_cancelled=item.lists_cancelled_cards)
        return [_card_target(card, own) for card in cards]
    people = _people_in_care(user)
    if item.code == ItemCode.PROGRESS:
        # whoever the account applied for may be followed, a guardianship still under review
        # or an employee included
        applied = Person.objects.filter(
            applications__applicant=user, applications__item__in=CARD_ITEMS
        ).distinct()
        people += [person for person in applied if person not in people]
    found = [_person_target(person, own) for person in people]
    if item.code == ItemCode.APPLY:
        label = "为本单位职工申领" if user.role == User.Role.EMPLOYER else "为未满16周岁的子女申领"
        found.append(Target(key=NEW, title=label, detail="填写申领人的证件信息"))
    return found


def target_of(item: Item, requester: Requester, key: str) -> Target | None:
    """The target named in a URL, only if it is one of the requester's own (else None → 404).
    A card is looked up alone, by the same rule that lists the cards (one query, not all)."""
    if item.needs_card:
        prefix, _, raw_pk = key.partition("-")
        if prefix != "card" or not raw_pk.isdigit():
            return None
        found = cards_for_requester(
            requester, card_id=int(raw_pk), include_cancelled=item.lists_cancelled_cards
        )
        return _card_target(found[0], requester.user.person) if found else None
    return next((t for t in targets(item, requester) if t.key == key), None)


def check_eligibility(item: Item, requester: Requester, target: Target) -> None:
    """The catalogue's check for the item: raises DomainError explaining a block."""
    check: Callable[..., None] = import_string(item.eligibility)
    if item.needs_card:
        check(requester=requester, card=target.card)
    else:
        check(requester=requester, subject=target.person)


def may_reveal(requester: Requester) -> bool:
    """Whether the page may show the person's own details in full (Action.REVEAL_OWN)."""
    return trust_allows(Action.REVEAL_OWN, requester)


def masked_view(
    current: Mapping[str, str], fields: tuple[str, ...], *, reveal: bool
) -> dict[str, Any]:
    """For a page prefilled with ``current`` details: each value as it may be shown (in full
    or masked), the placeholders that say it, and whether the page is masked."""
    shown = {
        key: (current.get(key) or "") if reveal else RECORD_FIELDS[key](current.get(key) or "")
        for key in fields
    }
    return {
        "masked": not reveal and any(shown.values()),
        "current": shown,
        "placeholders": {
            key: f"当前：{value}，不修改请留空" for key, value in shown.items() if value
        },
    }


def _record_of(person: Person, fields: tuple[str, ...]) -> dict[str, str]:
    return {key: getattr(person, key) or "" for key in fields}


def record_view(
    requester: Requester, person: Person | None, fields: tuple[str, ...]
) -> dict[str, Any]:
    """:func:`masked_view` of the person's record (nothing to mask for a person not on
    record)."""
    if person is None:
        return {"masked": False, "current": {}, "placeholders": {}}
    return masked_view(_record_of(person, fields), fields, reveal=may_reveal(requester))


def hide_current_values(
    current: Mapping[str, str], values: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    """``values`` to prefill a page with, each of ``fields`` that still holds its current
    value left empty (the page shows that value masked, as the placeholder)."""
    hidden = dict(values)
    for key in fields:
        if key in hidden and current.get(key) and hidden[key] == current[key]:
            hidden[key] = ""
    return hidden


def hide_record_values(
    requester: Requester, person: Person | None, values: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    """``values`` to prefill a page with: a record value the login may not see is left out."""
    if person is None or may_reveal(requester):
        return values
    return hide_current_values(_record_of(person, fields), values, fields)


def keep_current_values(
    current: Mapping[str, str], posted: Mapping[str, Any], fields: tuple[str, ...]
) -> dict[str, str]:
    """The posted entries, with each of ``fields`` left empty — or sent back as the mask the
    page showed — replaced by its current value: a mask is never written over a record."""
    data = {key: str(value) for key, value in posted.items()}
    for key in fields:
        recorded = current.get(key) or ""
        given = data.get(key, "").strip()
        if recorded and (not given or given == RECORD_FIELDS[key](recorded)):
            data[key] = recorded
    return data


def keep_record_values(
    person: Person | None, posted: Mapping[str, Any], fields: tuple[str, ...]
) -> dict[str, str]:
    """:func:`keep_current_values` against the person's record."""
    current = _record_of(person, fields) if person is not None else {}
    return keep_current_values(current, posted, fields)


# ---------------------------------------------------------------------------------------------
# Pages


@dataclass
class PageForm:
    """What an item page renders: values to show (input kept after an error), errors by
    field and the choices of its selects."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    label: str
    value: str


class ItemPage:
    """One item's page. ``clean`` turns posted entries into draft data (raising DomainError
    with ``errors`` by field), ``summary`` lists the confirmation, ``submit`` runs the
    service."""

    template = ""
    writes = True
    # the person's record details the page prefills (see RECORD_FIELDS)
    record_fields: tuple[str, ...] = ()

    def initial(self, requester: Requester, target: Target) -> dict[str, Any]:
        return {}

    def shown(self, requester: Requester, target: Target, values: dict[str, Any]) -> dict:
        """``values`` as the page may show them to this login (record details masked)."""
        return hide_record_values(requester, target.person, values, self.record_fields)

    def values_of(self, requester: Requester, target: Target, data: dict[str, Any]) -> dict:
        """The page's fields filled in again from a draft (继续办理, 返回修改)."""
        return {**self.initial(requester, target), **data}

    def context(self, requester: Requester, target: Target) -> dict[str, Any]:
        return {}

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        raise NotImplementedError

    def summary(self, requester: Requester, target: Target, data: dict[str, Any]) -> list[Row]:
        raise NotImplementedError

    def phone_to_prove(self, target: Target, data: dict[str, Any]) -> str:
        """A new phone number the confirmation proves with a code texted to it ("" if none)."""
        return ""

    def submit(
        self,
        requester: Requester,
        target: Target,
        data: dict[str, Any],
        files: Mapping[str, Upload],
        key: Any,
        phone_challenge: Any = None,
    ) -> Application:
        raise NotImplementedError


def _choices_context() -> dict[str, Any]:
    return {
        "banks": list(Bank.objects.filter(active=True)),
        # grouped by the bank they belong to: an outlet hands over its own bank's cards only
        "outlets": list(
            Outlet.objects.filter(active=True, bank__active=True)
            .select_related("bank")
            .order_by("bank__code", "district", "code")
        ),
    }


def _delivery_rows(data: dict[str, Any]) -> list[Row]:
    bank = Bank.objects.filter(code=data.get("bank")).first()
    rows = [Row("合作银行", bank.name if bank else "")]
    if data.get("delivery") == Delivery.OUTLET:
        outlet = Outlet.objects.filter(code=data.get("outlet")).first()
        rows.append(Row("领卡方式", "网点领取"))
        rows.append(Row("领卡网点", f"{outlet.name}（{outlet.address}）" if outlet else ""))
    else:
        rows.append(Row("领卡方式", "邮寄"))
        rows.append(Row("邮寄地址", data.get("mail_address", "")))
    return rows


def _fee_label(fee: Decimal) -> str:
    return "免费" if not fee else f"¥{fee:.2f}"


class ApplyPage(ItemPage):
    template = "portal/items/apply.html"
    record_fields = ("name", "phone", "address")

    def initial(self, requester: Requester, target: Target) -> dict[str, Any]:
        person = target.person
        if person is None:
            return {"doc_type": DocType.HOUSEHOLD, "delivery": Delivery.OUTLET}
        return {
            "name": person.name,
            "gender": person.gender,
            "ethnicity": person.ethnicity,
            "nationality": person.nationality,
            "birth_date": person.birth_date.isoformat(),
            "phone": person.phone,
            "address": person.address,
            "postcode": person.postcode,
            "occupation": person.occupation,
            "delivery": Delivery.OUTLET,
        }

    def context(self, requester: Requester, target: Target) -> dict[str, Any]:
        region = region_settings()
        for_child = target.key == NEW and requester.user.role != User.Role.EMPLOYER
        ward = target.person is not None and target.person != requester.user.person
        return {
            **_choices_context(),
            "doc_types": DocType.choices,
            "ethnicities": ETHNICITIES,
            "relationships": Guardianship.Relationship.choices,
            "identity_fixed": target.person is not None,
            "fixed_doc": target.person.masked_doc_number if target.person else "",
            "fixed_doc_type": target.person.get_doc_type_display() if target.person else "",
            "for_child": for_child or ward,
            "photo_needed": region.photo_exempt_age == 0,
            "photo_exempt_age": region.photo_exempt_age,
            "guardian_age": region.guardian_age,
            "fee": self._fee(target),
            # the scan of a document other than the 居民身份证: known to be needed for a person
            # on record with no card yet, offered for anyone typed in
            "scan_needed": target.person is not None
            and target.person.doc_type in SCANNED_DOC_TYPES
            and not Card.objects.filter(person=target.person).exists(),
            "scan_offered": target.person is None,
            "scan_help": "持"
            + "、".join(str(DocType(t).label) for t in DocType if t in SCANNED_DOC_TYPES)
            + "首次申领时必须上传，供审核人员核对；持居民身份证、居民户口簿无需上传",
            **record_view(requester, target.person, self.record_fields),
        }

    def _fee(self, target: Target) -> str:
        region = region_settings()
        first = target.person is None or not Card.objects.filter(person=target.person).exists()
        return _fee_label(Decimal(0) if first and region.first_issue_free else region.reissue_fee)

    def _with_identity(self, target: Target, post: Mapping[str, Any]) -> dict[str, Any]:
        data = keep_record_values(target.person, post, self.record_fields)
        if target.person is not None:
            # the identity of a person on record is not edited here: it is theirs
            data["doc_type"] = target.person.doc_type
            data["doc_number"] = target.person.doc_number
        return data

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        region = region_settings()
        data = self._with_identity(target, post)
        provided = {kind for kind, upload in uploads.items() if upload} | kept
        someone_else = requester.user.role != User.Role.EMPLOYER and (
            target.person is None or target.person != requester.user.person
        )
        clean = clean_apply(
            data,
            provided,
            region=region,
            today=timezone.localdate(),
            for_someone_else=someone_else,
        )
        if target.person is not None:
            check_eligibility(SSCARD.item(ItemCode.APPLY), requester, target)
        # the details left as they were on record (kept in the draft, never submitted)
        record = _record_of(target.person, ("phone", "address")) if target.person else {}
        untouched = [
            key
            for key, recorded in record.items()
            if recorded and str(post.get(key, "")).strip() in ("", RECORD_FIELDS[key](recorded))
        ]
        return {**clean.data, **({FROM_RECORD: untouched} if untouched else {})}

    def summary(self, requester: Requester, target: Target, data: dict[str, Any]) -> list[Row]:
        # what the person typed is shown in full, so that a typo can be caught here (the page
        # is theirs and never cached); what comes from the record stays masked
        typed = target.person is None
        shown = dict(data)
        if target.person is not None and not may_reveal(requester):
            # a detail left as it was on record, at a login that may not see it in full
            for key, mask in (("phone", mask_phone), ("address", mask_address)):
                if key in data.get(FROM_RECORD, []):
                    shown[key] = mask(shown[key])
        rows = [
            Row("申领人", data["name"] if typed else mask_name(data["name"])),
            Row("证件类型", str(DocType(data["doc_type"]).label)),
            Row("证件号码", data["doc_number"] if typed else mask_id_number(data["doc_number"])),
            Row("手机号码", shown["phone"]),
            Row("通讯地址", shown["address"]),
        ]
        if data.get("relationship"):
            relationship = Guardianship.Relationship(data["relationship"]).label
            rows.append(Row("与申领人关系", str(relationship)))
        rows += _delivery_rows(data)
        rows.append(Row("工本费", self._fee(target)))
        return rows

    def submit(
        self,
        requester: Requester,
        target: Target,
        data: dict[str, Any],
        files: Mapping[str, Upload],
        key: Any,
        phone_challenge: Any = None,
    ) -> Application:
        return app_services.application_submit_apply(
            requester=requester, data=data, files=files, submission_key=key
        )


class EnablePage(ItemPage):
    template = "portal/items/enable.html"

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        errors = FormErrors()
        password = str(post.get("password", ""))
        errors.run("password", validate_service_password, password)
        if "password" not in errors and password != str(post.get("password2", "")):
            errors["password2"] = "两次输入的密码不一致"
        errors.raise_if_any()
        return {"password": password}

    def summary(self, requester: Requester, target: Target, data: dict[str, Any]) -> list[Row]:
        assert target.card is not None  # noqa: S101
        return [
            Row("社保卡", target.card.masked_number),
            Row("办理内容", "设置6位社保服务密码并启用社保应用"),
        ]

    def submit(
        self,
        requester: Requester,
        target: Target,
        data: dict[str, Any],
        files: Mapping[str, Upload],
        key: Any,
        phone_challenge: Any = None,
    ) -> Application:
        assert target.card is not None  # noqa: S101
        return app_services.item_enable(
            requester=requester, card=target.card, password=data["password"], submission_key=key
        )


LOSS_ACTIONS = {
    app_services.LossAction.TEMPORARY: "临时挂失",
    app_services.LossAction.FORMAL: "正式挂失",
    app_services.LossAction.CANCEL: "解挂",
}


class LossPage(ItemPage):
    template = "portal/items/loss.html"

    def actions(self, card: Card) -> list[tuple[str, str]]:
        status = card_effective_status(card)
        if status == CardStatus.TEMP_LOST:
            names = [app_services.LossAction.CANCEL, app_services.LossAction.FORMAL]
        else:
            names = [app_services.LossAction.TEMPORARY, app_services.LossAction.FORMAL]
        return [(name, LOSS_ACTIONS[name]) for name in names]

    def values_of(self, requester: Requester, target: Target, data: dict[str, Any]) -> dict:
        values = dict(data)
        if data.get("confirmed_irreversible"):
            values["confirm_irreversible"] = "on"
        return values

    def context(self, requester: Requester, target: Target) -> dict[str, Any]:
        assert target.card is not None  # noqa: S101
        region = region_settings()
        return {
            "actions": self.actions(target.card),
            "temp_days": region.temporary_loss_days,
            "bank": target.card.bank,
            "status": CardStatus(card_effective_status(target.card)).label,
            "loss_expires_at": target.card.loss_expires_at,
        }

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        assert target.card is not None  # noqa: S101
        action = str(post.get("action", ""))
        if action not in dict(self.actions(target.card)):
            raise DomainError(
                "请选择办理的业务", field="action", errors={"action": "请选择办理的业务"}
            )
        # each of the three asks its own trust level (临时挂失 protects the holder: L3)
        levels: dict[str, str] = {
            app_services.LossAction.CANCEL: Action.CANCEL_LOSS,
            app_services.LossAction.TEMPORARY: Action.TEMPORARY_LOSS,
            app_services.LossAction.FORMAL: Action.FORMAL_LOSS,
        }
        ensure_trust(levels[action], requester)
        confirmed = post.get("confirm_irreversible") == "on"
        if action == app_services.LossAction.FORMAL and not confirmed:
            message = "正式挂失后不能解挂，请确认已知晓"
            raise DomainError(message, errors={"confirm_irreversible": message})
        return {"action": action, "confirmed_irreversible": confirmed}

    def summary(self, requester: Requester, target: Target, data: dict[str, Any]) -> list[Row]:
        assert target.card is not None  # noqa: S101
        rows = [
            Row("社保卡", target.card.masked_number),
            Row("办理内容", LOSS_ACTIONS[data["action"]]),
        ]
        if data["action"] == app_services.LossAction.FORMAL:
            rows.append(Row("提示", "正式挂失后不能解挂，如需用卡请办理补卡"))
        return rows

    def submit(
        self,
        requester: Requester,
        target: Target,
        data: dict[str, Any],
        files: Mapping[str, Upload],
        key: Any,
        phone_challenge: Any = None,
    ) -> Application:
        assert target.card is not None  # noqa: S101
        return app_services.item_report_loss(
            requester=requester,
            card=target.card,
            action=data["action"],
            confirmed_irreversible=data["confirmed_irreversible"],
            submission_key=key,
        )


class ReissuePage(ItemPage):
    template = "portal/items/reissue.html"

    def initial(self, requester: Requester, target: Target) -> dict[str, Any]:
        assert target.card is not None  # noqa: S101
        status = card_effective_status(target.card)
        kind = ReissueKind.REISSUE if status == CardStatus.LOST else ReissueKind.REPLACE
        return {"kind": kind, "bank": target.card.bank.code, "delivery": Delivery.OUTLET}

    def context(self, requester: Requester, target: Target) -> dict[str, Any]:
        assert target.card is not None  # noqa: S101
        region = region_settings()
        has_photo = Material.objects.filter(
            person=target.card.person, kind=MaterialKind.PHOTO
        ).exists()
        return {
            **_choices_context(),
            "kinds": ReissueKind.choices,
            "reasons": ReplaceReason.choices,
            "fee": _fee_label(region.reissue_fee),
            "has_photo": has_photo,
        }

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        assert target.card is not None  # noqa: S101
        data = {key: str(post.get(key, "")) for key in ("kind", "reason", "note", "bank")}
        data |= {key: str(post.get(key, "")) for key in ("delivery", "outlet", "mail_address")}
        errors = FormErrors()
        if data["kind"] not in ReissueKind.values:
            errors["kind"] = "请选择补卡或换卡"
            errors.raise_if_any()
        # whether this card may be reissued comes first: no point fixing an outlet for a
        # request that cannot be made
        try:
            check_reissue(requester=requester, card=target.card, kind=data["kind"])
        except StepUpRequired:
            raise
        except DomainError as exc:
            field_name = "kind" if exc.code in ("not_formally_lost", "not_replaceable") else None
            raise DomainError(
                exc.message, code=exc.code, errors={field_name or "__all__": exc.message}
            ) from exc
        if data["kind"] == ReissueKind.REPLACE and data["reason"] not in ReplaceReason.values:
            errors["reason"] = "请选择换卡原因"
        if len(data["note"]) > 200:
            errors["note"] = "说明不能超过200个字"
        clean_delivery(data, errors)
        errors.raise_if_any()
        return data

    def summary(self, requester: Requester, target: Target, data: dict[str, Any]) -> list[Row]:
        assert target.card is not None  # noqa: S101
        rows = [
            Row("社保卡", target.card.masked_number),
            Row("办理类型", str(ReissueKind(data["kind"]).label)),
        ]
        if data["kind"] == ReissueKind.REPLACE:
            rows.append(Row("换卡原因", ReplaceReason(data["reason"]).label))
        rows += _delivery_rows(data)
        rows.append(Row("工本费", _fee_label(region_settings().reissue_fee)))
        return rows

    def submit(
        self,
        requester: Requester,
        target: Target,
        data: dict[str, Any],
        files: Mapping[str, Upload],
        key: Any,
        phone_challenge: Any = None,
    ) -> Application:
        assert target.card is not None  # noqa: S101
        return app_services.application_submit_reissue(
            requester=requester, card=target.card, data=data, files=files, submission_key=key
        )


CONTACT_LABELS = {
    "phone": "手机号码",
    "address": "通讯地址",
    "postcode": "邮政编码",
    "occupation": "职业",
}


class ChangePage(ItemPage):
    template = "portal/items/change.html"
    record_fields = ("phone", "address")

    def initial(self, requester: Requester, target: Target) -> dict[str, Any]:
        assert target.person is not None  # noqa: S101
        return {key: getattr(target.person, key) for key in ONLINE_CONTACT_FIELDS}

    def values_of(self, requester: Requester, target: Target, data: dict[str, Any]) -> dict:
        # the draft keeps only what changes; the other fields show the record
        return {**self.initial(requester, target), **data.get("changes", {})}

    def context(self, requester: Requester, target: Target) -> dict[str, Any]:
        return {
            "counter_fields": "、".join(COUNTER_ONLY_FIELDS.values()),
            **record_view(requester, target.person, self.record_fields),
        }

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        assert target.person is not None  # noqa: S101
        errors = FormErrors()
        posted = keep_record_values(
            target.person,
            {key: post.get(key, "") for key in ONLINE_CONTACT_FIELDS},
            self.record_fields,
        )
        cleaned = clean_contact(posted, errors)
        errors.raise_if_any()
        changes = {
            key: value
            for key, value in cleaned.items()
            if value != (getattr(target.person, key) or "")
        }
        if not changes:
            message = "您没有修改任何信息"
            raise DomainError(message, errors={"phone": message})
        return {"changes": changes}

    def summary(self, requester: Requester, target: Target, data: dict[str, Any]) -> list[Row]:
        # the new details in full, as typed: a typo is caught here, not on the next letter
        return [
            Row(f"新{CONTACT_LABELS[key]}", value or "（清空）")
            for key, value in data["changes"].items()
        ]

    def phone_to_prove(self, target: Target, data: dict[str, Any]) -> str:
        return str(data["changes"].get("phone") or "")

    def submit(
        self,
        requester: Requester,
        target: Target,
        data: dict[str, Any],
        files: Mapping[str, Upload],
        key: Any,
        phone_challenge: Any = None,
    ) -> Application:
        assert target.person is not None  # noqa: S101
        return app_services.item_change_contact(
            requester=requester,
            person=target.person,
            changes=data["changes"],
            submission_key=key,
            phone_challenge=phone_challenge,
        )


class QueryPage(ItemPage):
    writes = False


PAGES: dict[str, ItemPage] = {
    ItemCode.APPLY: ApplyPage(),
    ItemCode.ENABLE: EnablePage(),
    ItemCode.LOSS: LossPage(),
    ItemCode.REISSUE: ReissuePage(),
    ItemCode.CHANGE: ChangePage(),
    ItemCode.PROGRESS: QueryPage(),
    ItemCode.STATUS: QueryPage(),
}


def today() -> date:
    return timezone.localdate()
