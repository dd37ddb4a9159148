"""The card's two applications and the one transition table of its 社保应用 state."""

from __future__ import annotations

from django.db import models


class CardStatus(models.TextChoices):
    PRODUCING = "producing", "制卡中"
    SEALED = "sealed", "封存"
    ACTIVE = "active", "正常"
    TEMP_LOST = "temp_lost", "临时挂失"
    LOST = "lost", "正式挂失"
    CANCELLED = "cancelled", "注销"


class FinanceStatus(models.TextChoices):
    INACTIVE = "inactive", "未激活"
    ACTIVE = "active", "已激活"
    LOST = "lost", "挂失"


class LossKind(models.TextChoices):
    TEMPORARY = "temporary", "临时挂失"
    FORMAL = "formal", "正式挂失"


# A person holds at most one card in these states (一人一卡).
LIVE_STATUSES = (CardStatus.SEALED, CardStatus.ACTIVE, CardStatus.TEMP_LOST, CardStatus.LOST)
# Cards that can be used at a counter or a machine.
USABLE_STATUSES = (CardStatus.SEALED, CardStatus.ACTIVE)

CARD_TRANSITIONS: dict[str, frozenset[str]] = {
    CardStatus.PRODUCING: frozenset({CardStatus.SEALED, CardStatus.CANCELLED}),
    CardStatus.SEALED: frozenset({CardStatus.ACTIVE, CardStatus.TEMP_LOST, CardStatus.LOST}),
    CardStatus.ACTIVE: frozenset({CardStatus.TEMP_LOST, CardStatus.LOST, CardStatus.CANCELLED}),
    # back to the state before the report (解挂 or expiry), or made formal
    CardStatus.TEMP_LOST: frozenset({CardStatus.SEALED, CardStatus.ACTIVE, CardStatus.LOST}),
    CardStatus.LOST: frozenset({CardStatus.CANCELLED}),
    CardStatus.CANCELLED: frozenset(),
}
