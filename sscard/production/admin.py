from django.contrib import admin, messages
from django.db.models import QuerySet

from sscard.accounts.requests import AuthedHttpRequest
from sscard.core.admin import HistoryInline, ServiceWrittenAdmin
from sscard.core.errors import DomainError
from sscard.production.models import ProductionEvent, ProductionOrder
from sscard.production.services import order_send_data


class ProductionEventInline(HistoryInline):
    model = ProductionEvent
    fields = ("at", "stage", "place", "note", "actor_label")


@admin.register(ProductionOrder)
class ProductionOrderAdmin(ServiceWrittenAdmin):
    list_display = ("id", "card", "person", "bank", "stage", "delivery", "outlet", "updated_at")
    list_filter = ("stage", "delivery", "bank", "outlet")
    fields = (
        "card",
        "person",
        "bank",
        "stage",
        "delivery",
        "outlet",
        "tracking_number",
        "failure_reason",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [ProductionEventInline]
    list_select_related = ("card", "person", "bank", "outlet")
    actions = ["send_data"]

    @admin.action(description="数据录入：发送所选订单到合作银行", permissions=["change"])
    def send_data(self, request: AuthedHttpRequest, queryset: QuerySet[ProductionOrder]) -> None:
        done = 0
        for order in queryset:
            try:
                order_send_data(order=order, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"订单#{order.pk}：{exc.message}", messages.WARNING)
        self.message_user(request, f"已发送 {done} 个订单")
