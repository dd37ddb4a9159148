"""factory_boy factories with named states, e.g. ``CardFactory(lost_formally=True)``.

Every factory is importable from here; they live by what they make: ``people`` (persons,
accounts, staff, employers, guardianships), ``cards`` (banks, outlets, cards), ``production``
(制卡批次 and 制卡订单), ``applications`` (办件, materials, drafts, employers' batches)."""

from sscard.testing.factories.applications import (
    ApplicationFactory,
    DraftFactory,
    EmployerBatchFactory,
    MaterialFactory,
    apply_form_data,
)
from sscard.testing.factories.cards import BankFactory, CardFactory, OutletFactory
from sscard.testing.factories.people import (
    PASSWORD,
    EmployerAgentFactory,
    EmployerFactory,
    GuardianshipFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
    requester_for,
)
from sscard.testing.factories.production import ProductionBatchFactory, ProductionOrderFactory

__all__ = [
    "PASSWORD",
    "ApplicationFactory",
    "BankFactory",
    "CardFactory",
    "DraftFactory",
    "EmployerAgentFactory",
    "EmployerBatchFactory",
    "EmployerFactory",
    "GuardianshipFactory",
    "MaterialFactory",
    "OutletFactory",
    "PersonFactory",
    "ProductionBatchFactory",
    "ProductionOrderFactory",
    "StaffFactory",
    "UserFactory",
    "apply_form_data",
    "requester_for",
]
