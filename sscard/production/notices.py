"""What production tells the holder: the stages they hear of (``STAGE_EVENTS``) and what an
order puts in those notices, its card, the outlet that holds it (name, address, opening hours,
phone) and the courier's tracking number. The order's reminder is in
:mod:`sscard.production.reminders`."""

from __future__ import annotations

from sscard.cards.notices import card_placeholders
from sscard.notifications.constants import Event
from sscard.production.constants import Stage
from sscard.production.models import ProductionOrder

# The production stages the holder is told about.
STAGE_EVENTS: dict[str, str] = {
    Stage.PRODUCING: Event.PRODUCTION_PRODUCING,
    Stage.OUTLET: Event.PRODUCTION_AT_OUTLET,
    Stage.MAILED: Event.PRODUCTION_MAILED,
    Stage.COLLECTED: Event.CARD_RECEIVED,
}


def order_placeholders(order: ProductionOrder) -> dict[str, str]:
    values = card_placeholders(order.card) | {"tracking_number": order.tracking_number}
    if order.outlet is not None:
        values |= {
            "outlet_name": order.outlet.name,
            "outlet_address": order.outlet.address,
            "opening_hours": order.outlet.opening_hours or "请咨询网点",
            "outlet_phone": order.outlet.phone,
        }
    return values
