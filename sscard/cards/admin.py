from django.contrib import admin

from sscard.cards.models import Card, CardHistory
from sscard.core.admin import HistoryInline, ServiceWrittenAdmin


class CardHistoryInline(HistoryInline):
    model = CardHistory
    fields = ("at", "from_status", "to_status", "actor_label", "reason")


@admin.register(Card)
class CardAdmin(ServiceWrittenAdmin):
    """Read-only: a card's state changes only through the services."""

    list_display = (
        "masked_number",
        "person",
        "status",
        "finance_status",
        "bank",
        "issued_on",
        "expires_on",
        "loss_expires_at",
    )
    list_filter = ("status", "finance_status", "bank", "issuing_area")
    fields = (
        "masked_number",
        "person",
        "issuing_area",
        "bank",
        "status",
        "status_before_loss",
        "loss_expires_at",
        "finance_status",
        "masked_bank_account",
        "issued_on",
        "expires_on",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [CardHistoryInline]
    list_select_related = ("person", "bank")

    @admin.display(description="社会保障卡卡号")
    def masked_number(self, obj: Card) -> str:
        return obj.masked_number

    @admin.display(description="银行账号")
    def masked_bank_account(self, obj: Card) -> str:
        return obj.masked_bank_account
