"""1 社会保障卡申领's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from sscard.accounts.models import Guardianship, User
from sscard.accounts.trust import Requester
from sscard.applications import services as app_services
from sscard.applications.constants import ItemCode
from sscard.applications.fees import fee_fen
from sscard.applications.forms import SCANNED_DOC_TYPES, clean_apply
from sscard.applications.materials import Upload
from sscard.applications.models import Application
from sscard.cards.models import Card
from sscard.core.documents import DocType
from sscard.core.ethnicities import ETHNICITIES
from sscard.core.masking import mask_address, mask_id_number, mask_name, mask_phone
from sscard.portal.items.masking import (
    RECORD_FIELDS,
    keep_record_values,
    may_reveal,
    record_of,
    record_view,
)
from sscard.portal.items.pages import ItemPage, Row, choices_context, delivery_rows, fee_label
from sscard.portal.items.targets import NEW, Target
from sscard.production.constants import Delivery
from sscard.regions.selectors import region_settings

# the draft's note of the details an 申领 left as they were on record
FROM_RECORD = "_from_record"


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
            **choices_context(),
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
        return fee_label(fee_fen(item=ItemCode.APPLY, region=region, first_issue=first))

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
        # the details left as they were on record (kept in the draft, never submitted)
        record = record_of(target.person, ("phone", "address")) if target.person else {}
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
        rows += delivery_rows(data)
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
