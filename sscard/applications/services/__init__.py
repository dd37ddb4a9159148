"""The seven items and the staff steps on applications, along their seams:

- :mod:`.transitions` the one guarded transition, creation, receipt numbers, materials
- :mod:`.contact` an 申领's contact details reaching the person's record
- :mod:`.submissions` 申领, 补换卡, and the applicant's withdraw and 补正
- :mod:`.decisions` the reviewer's 受理, 退回补正, 不予通过, 审核通过, 终止办理; the
  system's, after payment, where the region sends paid applications to production
- :mod:`.collection` the card handed over or received, and 办结
- :mod:`.instant` 启用, 挂失与解挂, 信息变更 (即时办结)

Callers import from this package; each service takes effect whole or not at all."""

from sscard.applications.services.collection import (
    RECEIPT_CONFIRMED_BY_HOLDER,
    application_complete_on_collection,
    application_confirm_delivery,
    application_confirm_receipt,
    application_handover,
)
from sscard.applications.services.contact import CONTACT_REVISED, applicant_contact_for_record
from sscard.applications.services.decisions import (
    application_accept,
    application_approve,
    application_end_after_failure,
    application_reject,
    application_return,
    application_route_paid,
    needs_reviewer,
)
from sscard.applications.services.instant import (
    LOSS_EVENTS,
    LossAction,
    item_change_contact,
    item_enable,
    item_report_loss,
)
from sscard.applications.services.submissions import (
    application_resubmit,
    application_submit_apply,
    application_submit_reissue,
    application_withdraw,
)
from sscard.applications.services.transitions import (
    APPLY_MATERIALS,
    NOT_FOUND,
    action_label,
    application_transition,
)

__all__ = [
    "APPLY_MATERIALS",
    "CONTACT_REVISED",
    "LOSS_EVENTS",
    "NOT_FOUND",
    "RECEIPT_CONFIRMED_BY_HOLDER",
    "LossAction",
    "action_label",
    "applicant_contact_for_record",
    "application_accept",
    "application_approve",
    "application_complete_on_collection",
    "application_confirm_delivery",
    "application_confirm_receipt",
    "application_end_after_failure",
    "application_handover",
    "application_reject",
    "application_resubmit",
    "application_return",
    "application_route_paid",
    "application_submit_apply",
    "application_submit_reissue",
    "application_transition",
    "application_withdraw",
    "item_change_contact",
    "item_enable",
    "item_report_loss",
    "needs_reviewer",
]
