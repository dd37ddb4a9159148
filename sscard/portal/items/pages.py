"""An item page in general: what it prefills, checks, summarises and submits; the choices
of bank and outlet and the delivery rows the pages share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sscard.accounts.trust import Requester
from sscard.applications.materials import Upload
from sscard.applications.models import Application
from sscard.core.money import fen_label
from sscard.portal.items.masking import hide_record_values
from sscard.portal.items.targets import Target
from sscard.production.constants import Delivery
from sscard.regions.models import Bank, Outlet
from sscard.regions.selectors import active_banks, active_outlets


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


def choices_context() -> dict[str, Any]:
    return {
        "banks": active_banks(),
        # grouped by the bank they belong to: an outlet hands over its own bank's cards only
        "outlets": active_outlets(),
    }


def delivery_rows(data: dict[str, Any]) -> list[Row]:
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


def fee_label(fee_fen: int) -> str:
    return fen_label(fee_fen)


class QueryPage(ItemPage):
    writes = False
