"""Walking an application through its life by the services, for the tests."""

from __future__ import annotations

from typing import Any

from sscard.accounts.models import Person, User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.models import Application
from sscard.conftest import jpeg
from sscard.production import services as production
from sscard.production.constants import Stage
from sscard.production.models import ProductionOrder
from sscard.regions.models import Bank, Outlet


def apply_form(person: Person, bank: Bank, outlet: Outlet, **overrides: Any) -> dict[str, Any]:
    return {
        "doc_type": person.doc_type,
        "doc_number": person.doc_number,
        "name": person.name,
        "gender": person.gender,
        "ethnicity": "汉族",
        "birth_date": person.birth_date.isoformat(),
        "phone": "13912345678",
        "address": "广东省揭阳市榕城区新阳路18号",
        "occupation": "教师",
        "bank": bank.code,
        "delivery": "outlet",
        "outlet": outlet.code,
        **overrides,
    }


def submit_apply(user: User, bank: Bank, outlet: Outlet, **overrides: Any) -> Application:
    assert user.person is not None
    return services.application_submit_apply(
        requester=Requester(user=user, trust=TrustLevel.L4),
        data=apply_form(user.person, bank, outlet, **overrides),
        files={"photo": jpeg()},
    )


def approve(application: Application, reviewer: User) -> Application:
    application = services.application_accept(application=application, actor=reviewer)
    return services.application_approve(application=application, actor=reviewer)


def produce_to_outlet(application: Application, producer: User) -> Application:
    order = application.production_order
    assert order is not None
    production.order_send_data(order=order, actor=producer)
    for stage in (Stage.PRODUCING, Stage.CITY_BANK, Stage.OUTLET):
        production.order_advance(order=order, to=stage, actor=producer)
    order.refresh_from_db()
    application.refresh_from_db()
    return application


def holder_document(order: ProductionOrder) -> dict[str, str]:
    """What the clerk types at 发卡 when the holder shows their own document."""
    person = order.person
    return {"doc_type": person.doc_type, "doc_number": person.doc_number}
