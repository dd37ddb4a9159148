"""The portal's side of the seven items: for each, who or which card it may be done for
(选择社保卡, :mod:`.targets`), what its page asks (prefilled, editable fields only, record
details masked as :mod:`.masking` says), how the entries are checked before the confirmation,
what the confirmation shows, and which service does it (:mod:`.pages` and one module per
item's page).

The catalogue (:mod:`sscard.applications.catalogue`) says what an item is; this package says
how its page behaves. The services check everything again when the item is submitted."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from sscard.applications.constants import ItemCode
from sscard.portal.items.apply import FROM_RECORD, ApplyPage
from sscard.portal.items.card import LOSS_ACTIONS, EnablePage, LossPage, ReissuePage
from sscard.portal.items.change import CONTACT_LABELS, ChangePage
from sscard.portal.items.masking import (
    RECORD_FIELDS,
    hide_current_values,
    hide_record_values,
    keep_current_values,
    keep_record_values,
    masked_view,
    may_reveal,
    record_view,
)
from sscard.portal.items.pages import ItemPage, PageForm, QueryPage, Row, choices_context
from sscard.portal.items.targets import NEW, Target, check_eligibility, target_of, targets

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


__all__ = [
    "CONTACT_LABELS",
    "FROM_RECORD",
    "LOSS_ACTIONS",
    "NEW",
    "PAGES",
    "RECORD_FIELDS",
    "ItemPage",
    "PageForm",
    "Row",
    "Target",
    "check_eligibility",
    "choices_context",
    "hide_current_values",
    "hide_record_values",
    "keep_current_values",
    "keep_record_values",
    "masked_view",
    "may_reveal",
    "record_view",
    "target_of",
    "targets",
    "today",
]
