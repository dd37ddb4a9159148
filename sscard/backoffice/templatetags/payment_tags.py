"""An application's payments and refunds on its back-office page: ``{% application_payments
application %}``."""

from __future__ import annotations

from typing import Any

from django import template

from sscard.applications.models import Application
from sscard.payments.selectors import payment_summary

register = template.Library()


@register.inclusion_tag("backoffice/_payments.html")
def application_payments(application: Application) -> dict[str, Any]:
    return {"payment": payment_summary(application)}
