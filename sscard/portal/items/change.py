"""5 信息变更's page (a new phone number is proved at the confirmation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sscard.accounts.services import COUNTER_ONLY_FIELDS, ONLINE_CONTACT_FIELDS
from sscard.accounts.trust import Requester
from sscard.applications import services as app_services
from sscard.applications.forms import FormErrors, clean_contact
from sscard.applications.materials import Upload
from sscard.applications.models import Application
from sscard.core.errors import DomainError
from sscard.portal.items.masking import keep_record_values, record_view
from sscard.portal.items.pages import ItemPage, Row
from sscard.portal.items.targets import Target

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
        return {key: getattr(target.the_person, key) for key in ONLINE_CONTACT_FIELDS}

    def values_of(self, requester: Requester, target: Target, data: dict[str, Any]) -> dict:
        # the draft keeps only what changes; the other fields show the record
        return {**self.initial(requester, target), **data.get("changes", {})}

    def context(self, requester: Requester, target: Target) -> dict[str, Any]:
        return {
            "counter_fields": "、".join(COUNTER_ONLY_FIELDS.values()),
            **record_view(requester, target.the_person, self.record_fields),
        }

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        errors = FormErrors()
        posted = keep_record_values(
            target.the_person,
            {key: post.get(key, "") for key in ONLINE_CONTACT_FIELDS},
            self.record_fields,
        )
        cleaned = clean_contact(posted, errors)
        errors.raise_if_any()
        changes = {
            key: value
            for key, value in cleaned.items()
            if value != (getattr(target.the_person, key) or "")
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
        return app_services.item_change_contact(
            requester=requester,
            person=target.the_person,
            changes=data["changes"],
            submission_key=key,
            phone_challenge=phone_challenge,
        )
