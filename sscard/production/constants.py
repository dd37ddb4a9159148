from __future__ import annotations

from django.db import models


class Stage(models.TextChoices):
    APPROVED = "approved", "审核通过"
    DATA_SENT = "data_sent", "数据录入"
    PRODUCING = "producing", "制卡中"
    CITY_BANK = "city_bank", "市银行签收"
    OUTLET = "outlet", "网点签收"
    MAILED = "mailed", "已寄出"
    # the courier's tracking says delivered (a parcel locker, a collection point, a doorman)
    # without the holder's signature: 已领卡 after the region's days unless they say otherwise
    DELIVERED = "delivered", "已投递"
    COLLECTED = "collected", "已领卡"
    FAILED = "failed", "制卡失败"


class Delivery(models.TextChoices):
    OUTLET = "outlet", "网点领取"
    MAIL = "mail", "邮寄"


STAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.APPROVED: frozenset({Stage.DATA_SENT}),
    Stage.DATA_SENT: frozenset({Stage.PRODUCING, Stage.FAILED}),
    Stage.PRODUCING: frozenset({Stage.CITY_BANK, Stage.FAILED}),
    Stage.CITY_BANK: frozenset({Stage.OUTLET, Stage.MAILED, Stage.FAILED}),
    Stage.OUTLET: frozenset({Stage.COLLECTED}),
    Stage.MAILED: frozenset({Stage.DELIVERED, Stage.COLLECTED}),
    Stage.DELIVERED: frozenset({Stage.COLLECTED}),
    # back to the production officer, who sends the data again
    Stage.FAILED: frozenset({Stage.DATA_SENT}),
    Stage.COLLECTED: frozenset(),
}


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "待发送"
    SENT = "sent", "已发送"
    ACKNOWLEDGED = "acknowledged", "已接收"
    DONE = "done", "已完成"


# A batch's lifecycle: sent once, taken over by the partner, done when no order of it is still
# with the bank or the factory (a draft is taken apart, not moved).
BATCH_TRANSITIONS: dict[str, frozenset[str]] = {
    BatchStatus.DRAFT: frozenset({BatchStatus.SENT}),
    BatchStatus.SENT: frozenset({BatchStatus.ACKNOWLEDGED, BatchStatus.DONE}),
    BatchStatus.ACKNOWLEDGED: frozenset({BatchStatus.DONE}),
    BatchStatus.DONE: frozenset(),
}

# Batches a partner still works on.
OPEN_BATCH_STATUSES = (BatchStatus.SENT, BatchStatus.ACKNOWLEDGED)

# Orders waiting for a batch: approved, or failed and back with the production officer.
AWAITING_BATCH_STAGES = (Stage.APPROVED, Stage.FAILED)
# Stages the bank and the card factory are working on (an order may stick in one of them).
IN_PRODUCTION_STAGES = (Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK)

# The forward order of the stages a partner reports; a report of a stage already passed is
# a late or repeated report and never moves an order back.
STAGE_RANK: dict[str, int] = {
    Stage.APPROVED: 0,
    Stage.DATA_SENT: 1,
    Stage.PRODUCING: 2,
    Stage.CITY_BANK: 3,
    Stage.OUTLET: 4,
    Stage.MAILED: 4,
    Stage.DELIVERED: 5,
    Stage.COLLECTED: 6,
}
# What partners report over the API or in a result file: 已签收 (the courier's signed-for
# event) is reported as 已领卡 of a mailed card.
REPORTABLE_STAGES = (
    Stage.PRODUCING,
    Stage.CITY_BANK,
    Stage.OUTLET,
    Stage.MAILED,
    Stage.DELIVERED,
    Stage.COLLECTED,
)


class Reporter(models.TextChoices):
    """Whose system reports on a batch over the partner API (a partner's kind)."""

    BANK = "bank", "合作银行"
    FACTORY = "factory", "制卡厂"


# What each reporter may report: the card factory only that it is making the card; the bank
# every stage from there to the holder. Only the bank reports the account it opened.
REPORTER_STAGES: dict[str, frozenset[str]] = {
    Reporter.FACTORY: frozenset({Stage.PRODUCING}),
    Reporter.BANK: frozenset(REPORTABLE_STAGES),
}
# The courier's reports on a mailed card: they name the order's tracking number.
COURIER_STAGES = (Stage.DELIVERED, Stage.COLLECTED)
# A mailed card on its way to its holder: they may confirm they have it (确认收到).
RECEIVABLE_STAGES = (Stage.MAILED, Stage.DELIVERED)
