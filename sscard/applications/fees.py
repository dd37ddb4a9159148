"""What an application owes (its 工本费 and postage): the region's amounts per item and
delivery, in 分; 0 is free. Whether it is collected online before review is the deployment's
choice (``SSCARD_PAYMENTS``, :mod:`sscard.payments`): an application that owes a fee then
waits in 待缴费 until paid."""

from __future__ import annotations

from django.conf import settings

from sscard.accounts.models import User
from sscard.accounts.trust import Requester
from sscard.applications.constants import AppStatus, ItemCode
from sscard.production.constants import Delivery
from sscard.regions.models import RegionSettings


def fee_fen(*, item: str, region: RegionSettings, first_issue: bool, delivery: str = "") -> int:
    """The fee in 分 for ``item`` with ``delivery``: the item's (申领's waived on a first issue
    where the region says so) plus the region's fee for posting the card."""
    if item == ItemCode.REISSUE:
        amount = region.reissue_fee_fen
    elif item == ItemCode.APPLY:
        amount = 0 if first_issue and region.first_issue_free else region.apply_fee_fen
    else:
        return 0
    if delivery == Delivery.MAIL:
        amount += region.postage_fen
    return amount


def collected_online(requester: Requester) -> bool:
    """Whether this requester pays online before review: a citizen in the portal, when the
    deployment takes payments. At a counter (窗口代办) the fee is taken there; an employer's
    batch is settled with the employer, not card by card."""
    return (
        bool(settings.SSCARD_PAYMENTS)
        and not requester.counter
        and requester.user.role != User.Role.EMPLOYER
    )


def status_on_submission(requester: Requester, fee: int) -> str:
    """待缴费 for an application that owes a fee paid online; else 已提交 (the review queue)."""
    if fee and collected_online(requester):
        return AppStatus.AWAITING_PAYMENT
    return AppStatus.SUBMITTED
