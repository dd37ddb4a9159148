"""Materials kept no longer than needed: the photos and scans of an application refused (不予
通过) or withdrawn (已撤回) are deleted once the region's keeping period after that decision has
passed (``closed_materials_keep_months``). The rows stay, marked, so the application's page
says which material there was and that it was removed; each application's removal is one
audit record. Safe to run twice or concurrently."""

from __future__ import annotations

from datetime import datetime, time

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from sscard.applications.constants import AppStatus
from sscard.applications.models import Application, ApplicationEvent, Material
from sscard.audit.services import audit_record
from sscard.core.workdays import months_before
from sscard.regions.selectors import region_settings

CLOSED = (AppStatus.REJECTED, AppStatus.WITHDRAWN)


def closed_before(cutoff: datetime) -> list[int]:
    """Refused or withdrawn applications, decided before ``cutoff``, that still have files."""
    decided = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-at")
        .values("at")[:1]
    )
    kept = Material.objects.filter(application=OuterRef("pk"), removed_at__isnull=True)
    return list(
        Application.objects.filter(status__in=CLOSED)
        .filter(Exists(kept))
        .annotate(closed_at=Coalesce(Subquery(decided), "updated_at"))
        .filter(closed_at__lt=cutoff)
        .values_list("pk", flat=True)
    )


def materials_remove_expired(*, now: datetime | None = None) -> int:
    """Delete the files of refused and withdrawn applications past the keeping period.
    Returns how many materials were removed."""
    now = now or timezone.now()
    months = region_settings().closed_materials_keep_months
    day = months_before(timezone.localdate(now), months)
    cutoff = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return sum(_remove(pk, now=now, months=months) for pk in closed_before(cutoff))


@transaction.atomic
def _remove(pk: int, *, now: datetime, months: int) -> int:
    application = Application.objects.select_for_update().get(pk=pk)
    if application.status not in CLOSED:
        return 0
    materials = list(application.materials.filter(removed_at__isnull=True))
    if not materials:
        return 0
    names = {m.file.name for m in materials if m.file}
    Material.objects.filter(pk__in=[m.pk for m in materials]).update(file="", removed_at=now)
    # a 换卡 reuses the photo of the card's 申领: a file another live material names stays
    shared = set(
        Material.objects.filter(file__in=names, removed_at__isnull=True).values_list(
            "file", flat=True
        )
    )
    audit_record(
        actor=None,
        action="retention.materials_removed",
        target=application,
        detail={
            "status": application.status,
            "kinds": sorted({m.kind for m in materials}),
            "materials": len(materials),
            "keep_months": months,
        },
    )

    def delete() -> None:
        for name in sorted(names - shared):
            default_storage.delete(name)

    transaction.on_commit(delete)
    return len(materials)
