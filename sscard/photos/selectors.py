"""Who may see an uploaded material (object-level, deny by default)."""

from __future__ import annotations

from typing import Any

from sscard.accounts.models import User
from sscard.applications.constants import MaterialKind
from sscard.applications.models import Material
from sscard.backoffice.access import is_staff_member, is_verified

# Staff who decide on applications see every material; once the card is ordered, production
# and the collecting outlet see its photo, which goes on the card and is compared with the
# holder at handover.
SEE_ALL_MATERIALS = frozenset({User.Role.REVIEWER, User.Role.ADMIN})


def material_visible_to(user: Any, material: Material) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    application = material.application
    if application is not None and application.applicant_id == user.pk:
        return True
    if getattr(user, "person_id", None) and user.person_id == material.person_id:
        return True
    # staff see files only with the second factor, as every back-office page asks: a staff
    # password alone (at the portal's login, say) opens nothing
    if not (is_staff_member(user) and is_verified(user)):
        return False
    if user.role in SEE_ALL_MATERIALS:
        return True
    # production and the outlet: the photo of a card that has been ordered
    order = application.production_order if application is not None else None
    if material.kind != MaterialKind.PHOTO or order is None:
        return False
    if user.role == User.Role.PRODUCER:
        return True
    if user.role == User.Role.CLERK:
        return bool(user.outlet_id and order.outlet_id == user.outlet_id)
    return False


def material_for_viewer(user: Any, pk: int) -> Material | None:
    """The material, if ``user`` may see it; ``None`` alike when it does not exist or may
    not be seen (the two are never told apart)."""
    material = (
        Material.objects.select_related("application__production_order").filter(pk=pk).first()
    )
    if material is None or not material_visible_to(user, material):
        return None
    return material
