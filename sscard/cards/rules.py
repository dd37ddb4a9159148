"""Why a card cannot take a step, in the words the holder reads (None: it can). The services
check these under the row lock; the portal shows them before the form."""

from __future__ import annotations

from django.utils import timezone

from sscard.cards.constants import CardStatus
from sscard.cards.models import Card

_PRODUCING = "该社保卡尚在制作中，领卡后方可办理"
_CANCELLED = "该社保卡已注销，不能办理此业务；如需用卡请申领或补换卡"


def _not_live(card: Card) -> str | None:
    if card.status == CardStatus.PRODUCING:
        return _PRODUCING
    if card.status == CardStatus.CANCELLED:
        return _CANCELLED
    return None


def enable_refusal(card: Card) -> str | None:
    refusals: dict[str, str] = {
        CardStatus.ACTIVE: "该社保卡已启用，无需重复办理",
        CardStatus.TEMP_LOST: "该社保卡处于临时挂失状态，请先办理解挂，再启用",
        CardStatus.LOST: "该社保卡已正式挂失，不能启用；请办理补卡",
    }
    return _not_live(card) or refusals.get(card.status)


def loss_refusal(card: Card) -> str | None:
    """Whether the loss item can be used at all (report, make formal, or lift). A formal
    report is final: nothing is left to do here but 补卡."""
    if card.status == CardStatus.LOST:
        return "该社保卡已正式挂失，正式挂失后不能解挂；如需继续用卡，请办理“社会保障卡补换卡”补卡"
    return _not_live(card)


def temporary_loss_refusal(card: Card) -> str | None:
    if card.status == CardStatus.TEMP_LOST:
        until = timezone.localtime(card.loss_expires_at) if card.loss_expires_at else None
        until_text = f"，有效期至{until:%Y-%m-%d %H:%M}" if until else ""
        return f"该社保卡已临时挂失{until_text}；如需长期挂失请办理正式挂失"
    if card.status == CardStatus.LOST:
        return "该社保卡已正式挂失，无需再临时挂失"
    return _not_live(card)


def formal_loss_refusal(card: Card) -> str | None:
    if card.status == CardStatus.LOST:
        return "该社保卡已正式挂失，无需重复办理"
    return _not_live(card)


def cancel_loss_refusal(card: Card) -> str | None:
    if not_live := _not_live(card):
        return not_live
    if card.status == CardStatus.LOST:
        return "该社保卡已正式挂失，正式挂失不能解挂；如需继续用卡，请办理补卡"
    if card.status != CardStatus.TEMP_LOST:
        return "该社保卡未挂失，无需解挂"
    return None


def reissue_refusal(card: Card) -> str | None:
    """补卡 (lost card): only after the formal loss report."""
    if card.status == CardStatus.TEMP_LOST:
        return (
            "补卡前需先办理正式挂失：该社保卡目前为临时挂失，"
            "请先在“社会保障卡挂失与解挂”中办理正式挂失"
        )
    if card.status in (CardStatus.ACTIVE, CardStatus.SEALED):
        return "补卡前需先办理正式挂失；卡片仍在手中但损坏或需更换的，请选择换卡"
    return _not_live(card)


def replace_refusal(card: Card) -> str | None:
    """换卡: from 正常 or 正式挂失."""
    if card.status == CardStatus.SEALED:
        return "该社保卡尚未启用，请先办理“社会保障卡启用”后再换卡"
    if card.status == CardStatus.TEMP_LOST:
        return "该社保卡处于临时挂失状态，请先解挂或办理正式挂失后再换卡"
    return _not_live(card)
