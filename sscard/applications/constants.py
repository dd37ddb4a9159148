from __future__ import annotations

from django.db import models

from sscard.cards.constants import LossKind


class ItemCode(models.TextChoices):
    APPLY = "apply", "社会保障卡申领"
    ENABLE = "enable", "社会保障卡启用"
    LOSS = "loss", "社会保障卡挂失与解挂"
    REISSUE = "reissue", "社会保障卡补换卡"
    CHANGE = "change", "社保卡信息变更"
    PROGRESS = "progress", "社保卡制卡进度查询"
    STATUS = "status", "社保卡应用状态查询"


class LossAction(models.TextChoices):
    """What a 挂失与解挂 application does: the card's two kinds of loss, or lifting one."""

    TEMPORARY = LossKind.TEMPORARY.value, LossKind.TEMPORARY.label
    FORMAL = LossKind.FORMAL.value, LossKind.FORMAL.label
    CANCEL = "cancel", "解挂"


class ApplicationAction(models.TextChoices):
    """What an event on a 办件's timeline did (``ApplicationEvent.action``): the steps of
    :func:`application_transition`, the submission that starts the timeline and the periodic
    逾期封存 of a card never collected. The label names the step in a sentence (“不能受理”)."""

    SUBMIT = "submit", "提交"
    PAY = "pay", "缴费"
    PAYMENT_LAPSE = "payment_lapse", "逾期未缴费关闭"
    ACCEPT = "accept", "受理"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回补正"
    REJECT = "reject", "不予通过"
    WITHDRAW = "withdraw", "撤回"
    END = "end", "终止办理"
    RESUBMIT = "resubmit", "补正后重新提交"
    COMPLETE = "complete", "办结"
    UNCOLLECTED_SEALED = "uncollected_sealed", "逾期封存"


class AppStatus(models.TextChoices):
    # owes the region's fee (sscard.payments): enters review only once paid
    AWAITING_PAYMENT = "to_pay", "待缴费"
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    RETURNED = "returned", "退回补正"
    APPROVED = "approved", "审核通过"
    REJECTED = "rejected", "不予通过"
    WITHDRAWN = "withdrawn", "已撤回"
    COMPLETED = "completed", "办结"
    # closed unpaid after the region's payment days
    UNPAID = "unpaid", "未缴费"


class ReissueKind(models.TextChoices):
    REISSUE = "reissue", "补卡"
    REPLACE = "replace", "换卡"


class ReplaceReason(models.TextChoices):
    DAMAGED = "damaged", "卡面损坏"
    CHIP = "chip", "芯片无法读取"
    EXPIRING = "expiring", "有效期即将届满"
    DETAILS_CHANGED = "details_changed", "卡面信息变更"
    UPGRADE = "upgrade", "升级第三代社保卡"
    OTHER = "other", "其他"


class MaterialKind(models.TextChoices):
    PHOTO = "photo", "证件照"
    ID_SCAN = "id_scan", "证件扫描件"
    HOUSEHOLD = "household", "居民户口簿"
    GUARDIAN_PROOF = "guardian_proof", "监护人证明"


class ReturnReason(models.TextChoices):
    """退回补正: what the applicant must correct (with the reviewer's free text)."""

    PHOTO = "photo", "照片不符合制卡要求"
    MATERIAL_MISSING = "material_missing", "材料不齐全"
    MATERIAL_UNCLEAR = "material_unclear", "材料不清晰或无法辨认"
    INFO_MISMATCH = "info_mismatch", "填报信息与证件不一致"
    GUARDIAN_PROOF = "guardian_proof", "监护关系证明不足"
    DELIVERY = "delivery", "需重新选择合作银行或领卡网点"
    OTHER = "other", "其他"


def refusal_word(status_before: str) -> str:
    """What a refusal is called: 不予受理 when the application had not been accepted yet,
    不予通过 after acceptance."""
    return "不予受理" if status_before == AppStatus.SUBMITTED else "不予通过"


class RejectReason(models.TextChoices):
    """不予受理 / 不予通过: why the application cannot be granted."""

    HAS_CARD = "has_card", "已持有有效社会保障卡"
    DUPLICATE = "duplicate", "重复申请"
    IDENTITY = "identity", "身份信息核验不通过"
    NOT_ELIGIBLE = "not_eligible", "不符合申领条件"
    FALSE_MATERIAL = "false_material", "提供虚假材料"
    OTHER = "other", "其他"


class SlaState(models.TextChoices):
    """Where an open application stands against its legal time limit, as last marked by the
    periodic sweep (the queue computes the live figures itself)."""

    ON_TIME = "", "正常"
    AT_RISK = "at_risk", "临近时限"
    OVERDUE = "overdue", "已超期"


# Applications that still hold the person's one open card request.
OPEN_STATUSES = (
    AppStatus.AWAITING_PAYMENT,
    AppStatus.SUBMITTED,
    AppStatus.ACCEPTED,
    AppStatus.RETURNED,
    AppStatus.APPROVED,
)
CARD_ITEMS = (ItemCode.APPLY, ItemCode.REISSUE)
# Card requests waiting for staff: the review queue (sscard.applications.review).
QUEUE_STATUSES = (AppStatus.SUBMITTED, AppStatus.ACCEPTED, AppStatus.RETURNED)
# Before a decision the applicant may still withdraw.
WITHDRAWABLE = (
    AppStatus.AWAITING_PAYMENT,
    AppStatus.SUBMITTED,
    AppStatus.ACCEPTED,
    AppStatus.RETURNED,
)

APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    # paid → 已提交 (the review queue); closed unpaid after the region's days; withdrawn.
    # No legal time limit runs here: the clock starts at 受理, which comes after payment.
    AppStatus.AWAITING_PAYMENT: frozenset(
        {AppStatus.SUBMITTED, AppStatus.UNPAID, AppStatus.WITHDRAWN}
    ),
    AppStatus.SUBMITTED: frozenset({AppStatus.ACCEPTED, AppStatus.REJECTED, AppStatus.WITHDRAWN}),
    AppStatus.ACCEPTED: frozenset(
        {AppStatus.APPROVED, AppStatus.RETURNED, AppStatus.REJECTED, AppStatus.WITHDRAWN}
    ),
    AppStatus.RETURNED: frozenset({AppStatus.ACCEPTED, AppStatus.WITHDRAWN}),
    # 办结 when the card is handed over; 不予通过 only when production failed for good
    AppStatus.APPROVED: frozenset({AppStatus.COMPLETED, AppStatus.REJECTED}),
    AppStatus.REJECTED: frozenset(),
    AppStatus.WITHDRAWN: frozenset(),
    AppStatus.COMPLETED: frozenset(),
    AppStatus.UNPAID: frozenset(),
}
