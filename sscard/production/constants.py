from __future__ import annotations

from django.db import models


class Stage(models.TextChoices):
    APPROVED = "approved", "审核通过"
    DATA_SENT = "data_sent", "数据录入"
    PRODUCING = "producing", "制卡中"
    CITY_BANK = "city_bank", "市银行签收"
    OUTLET = "outlet", "网点签收"
    MAILED = "mailed", "已寄出"
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
    Stage.MAILED: frozenset({Stage.COLLECTED}),
    # back to the production officer, who sends the data again
    Stage.FAILED: frozenset({Stage.DATA_SENT}),
    Stage.COLLECTED: frozenset(),
}
