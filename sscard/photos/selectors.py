"""Who may see an uploaded material (object-level, deny by default), and how sure of a citizen
the login must be before a file opens (``Action.OPEN_MATERIALS``: L3+ by default)."""

from __future__ import annotations

from typing import Any

from sscard.accounts.models import User
from sscard.accounts.trust import Action, Requester, TrustLevel, ensure_trust
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


def material_for_viewer(user: Any, pk: int, *, trust: TrustLevel) -> Material | None:
    """The material, if ``user`` may see it; ``None`` alike when it does not exist or may
    not be seen (the two are never told apart). A citizen who may see it must also be signed
    in surely enough (``trust``, the session's level): else ``StepUpRequired`` — raised only
    for a file they may see, so it tells nobody else that the file exists. Staff are served by
    their role and second factor; an employer's account has no phone on file to step up with
    and sees the files it uploaded as before."""
    material = (
        Material.objects.select_related("application__production_order").filter(pk=pk).first()
    )
    if material is None or not material_visible_to(user, material):
        return None
    if user.role == User.Role.CITIZEN:
        ensure_trust(Action.OPEN_MATERIALS, Requester(user=user, trust=trust))
    return material
