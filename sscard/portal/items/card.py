"""The pages of the items done on a card: 2 启用, 3 挂失与解挂, 4 补换卡."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sscard.accounts.trust import Action, Requester
from sscard.applications import services as app_services
from sscard.applications.constants import ItemCode, MaterialKind, ReissueKind, ReplaceReason
from sscard.applications.eligibility import (
    FORMAL_LOSS_AT_COUNTER,
    NotFormallyLost,
    NotReplaceable,
    StepUpRequired,
    check_reissue,
    ensure_trust,
    formal_loss_online,
)
from sscard.applications.fees import fee_fen
from sscard.applications.forms import FormErrors, clean_delivery
from sscard.applications.materials import Upload
from sscard.applications.models import Application, Material
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.cards.selectors import card_effective_status
from sscard.cards.services import validate_service_password
from sscard.core.errors import DomainError
from sscard.portal.items.pages import ItemPage, Row, choices_context, delivery_rows, fee_label
from sscard.portal.items.targets import Target
from sscard.production.constants import Delivery
from sscard.regions.selectors import region_settings


class EnablePage(ItemPage):
    template = "portal/items/enable.html"

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        errors = FormErrors()
        password = str(post.get("password", ""))
        errors.run("password", validate_service_password, password)
        if "password" not in errors and password != str(post.get("password2", "")):
            errors["password2"] = "两次输入的密码不一致"
        errors.raise_if_any()
        return {"password": password}

    def summary(self, requester: Requester, target: Target, data: dict[str, Any]) -> list[Row]:
        return [
            Row("社保卡", target.the_card.masked_number),
            Row("办理内容", "设置6位社保服务密码并启用社保应用"),
        ]

    def submit(
        self,
        requester: Requester,
        target: Target,
        data: dict[str, Any],
        files: Mapping[str, Upload],
        key: Any,
        phone_challenge: Any = None,
    ) -> Application:
        return app_services.item_enable(
            requester=requester, card=target.the_card, password=data["password"], submission_key=key
        )


LOSS_ACTIONS = dict(app_services.LossAction.choices)


class LossPage(ItemPage):
    template = "portal/items/loss.html"

    def actions(self, requester: Requester, card: Card) -> list[tuple[str, str]]:
        """What the card's state allows; 正式挂失 only where it is done online (the region may
        have it done at the counter: the page then says so and links to booking it)."""
        status = card_effective_status(card)
        if status == CardStatus.TEMP_LOST:
            names = [app_services.LossAction.CANCEL, app_services.LossAction.FORMAL]
        else:
            names = [app_services.LossAction.TEMPORARY, app_services.LossAction.FORMAL]
        if not formal_loss_online(requester):
            names.remove(app_services.LossAction.FORMAL)
        return [(name, LOSS_ACTIONS[name]) for name in names]

    def values_of(self, requester: Requester, target: Target, data: dict[str, Any]) -> dict:
        values = dict(data)
        if data.get("confirmed_irreversible"):
            values["confirm_irreversible"] = "on"
        return values

    def context(self, requester: Requester, target: Target) -> dict[str, Any]:
        region = region_settings()
        return {
            "actions": self.actions(requester, target.the_card),
            "formal_online": formal_loss_online(requester, region),
            "temp_days": region.temporary_loss_days,
            "bank": target.the_card.bank,
            "status": CardStatus(card_effective_status(target.the_card)).label,
            "loss_expires_at": target.the_card.loss_expires_at,
        }

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        action = str(post.get("action", ""))
        if action == app_services.LossAction.FORMAL and not formal_loss_online(requester):
            message = FORMAL_LOSS_AT_COUNTER
            raise DomainError(message, field="action", errors={"action": message})
        if action not in dict(self.actions(requester, target.the_card)):
            raise DomainError(
                "请选择办理的业务", field="action", errors={"action": "请选择办理的业务"}
            )
        # each of the three asks its own trust level (临时挂失 protects the holder: L3)
        levels: dict[str, str] = {
            app_services.LossAction.CANCEL: Action.CANCEL_LOSS,
            app_services.LossAction.TEMPORARY: Action.TEMPORARY_LOSS,
            app_services.LossAction.FORMAL: Action.FORMAL_LOSS,
        }
        ensure_trust(levels[action], requester)
        confirmed = post.get("confirm_irreversible") == "on"
        if action == app_services.LossAction.FORMAL and not confirmed:
            message = "正式挂失后不能解挂，请确认已知晓"
            raise DomainError(message, errors={"confirm_irreversible": message})
        return {"action": action, "confirmed_irreversible": confirmed}

    def summary(self, requester: Requester, target: Target, data: dict[str, Any]) -> list[Row]:
        rows = [
            Row("社保卡", target.the_card.masked_number),
            Row("办理内容", LOSS_ACTIONS[data["action"]]),
        ]
        if data["action"] == app_services.LossAction.FORMAL:
            rows.append(Row("提示", "正式挂失后不能解挂，如需用卡请办理补卡"))
        return rows

    def submit(
        self,
        requester: Requester,
        target: Target,
        data: dict[str, Any],
        files: Mapping[str, Upload],
        key: Any,
        phone_challenge: Any = None,
    ) -> Application:
        return app_services.item_report_loss(
            requester=requester,
            card=target.the_card,
            action=data["action"],
            confirmed_irreversible=data["confirmed_irreversible"],
            submission_key=key,
        )


class ReissuePage(ItemPage):
    template = "portal/items/reissue.html"

    def initial(self, requester: Requester, target: Target) -> dict[str, Any]:
        status = card_effective_status(target.the_card)
        kind = ReissueKind.REISSUE if status == CardStatus.LOST else ReissueKind.REPLACE
        return {"kind": kind, "bank": target.the_card.bank.code, "delivery": Delivery.OUTLET}

    def context(self, requester: Requester, target: Target) -> dict[str, Any]:
        region = region_settings()
        has_photo = Material.objects.filter(
            person=target.the_card.person, kind=MaterialKind.PHOTO
        ).exists()
        return {
            **choices_context(),
            "kinds": ReissueKind.choices,
            "reasons": ReplaceReason.choices,
            "fee": fee_label(region.reissue_fee_fen),
            "has_photo": has_photo,
        }

    def clean(
        self,
        requester: Requester,
        target: Target,
        post: Mapping[str, Any],
        uploads: Mapping[str, Upload],
        kept: set[str],
    ) -> dict[str, Any]:
        data = {key: str(post.get(key, "")) for key in ("kind", "reason", "note", "bank")}
        data |= {key: str(post.get(key, "")) for key in ("delivery", "outlet", "mail_address")}
        errors = FormErrors()
        if data["kind"] not in ReissueKind.values:
            errors["kind"] = "请选择补卡或换卡"
            errors.raise_if_any()
        # whether this card may be reissued comes first: no point fixing an outlet for a
        # request that cannot be made
        try:
            check_reissue(requester=requester, card=target.the_card, kind=data["kind"])
        except StepUpRequired:
            raise
        except (NotFormallyLost, NotReplaceable) as exc:
            raise DomainError(exc.message, code=exc.code, errors={"kind": exc.message}) from exc
        except DomainError as exc:
            raise DomainError(exc.message, code=exc.code, errors={"__all__": exc.message}) from exc
        if data["kind"] == ReissueKind.REPLACE and data["reason"] not in ReplaceReason.values:
            errors["reason"] = "请选择换卡原因"
        if len(data["note"]) > 200:
            errors["note"] = "说明不能超过200个字"
        clean_delivery(data, errors)
        errors.raise_if_any()
        return data

    def summary(self, requester: Requester, target: Target, data: dict[str, Any]) -> list[Row]:
        rows = [
            Row("社保卡", target.the_card.masked_number),
            Row("办理类型", str(ReissueKind(data["kind"]).label)),
        ]
        if data["kind"] == ReissueKind.REPLACE:
            rows.append(Row("换卡原因", ReplaceReason(data["reason"]).label))
        rows += delivery_rows(data)
        fee = fee_fen(
            item=ItemCode.REISSUE,
            region=region_settings(),
            first_issue=False,
            delivery=data.get("delivery", ""),
        )
        rows.append(Row("工本费", fee_label(fee)))
        return rows

    def submit(
        self,
        requester: Requester,
        target: Target,
        data: dict[str, Any],
        files: Mapping[str, Upload],
        key: Any,
        phone_challenge: Any = None,
    ) -> Application:
        return app_services.application_submit_reissue(
            requester=requester, card=target.the_card, data=data, files=files, submission_key=key
        )
