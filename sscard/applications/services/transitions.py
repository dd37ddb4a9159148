"""The one guarded transition of an application and its creation: every status change goes
through :func:`application_transition`, which locks the row, checks ``APPLICATION_TRANSITIONS``,
writes the timeline event and the audit record. Receipt numbers, the chosen outlet, stored
materials and the legal time limit are shared by the items' services."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.accounts.trust import Requester
from sscard.applications import eligibility
from sscard.applications.catalogue import SSCARD
from sscard.applications.constants import (
    APPLICATION_TRANSITIONS,
    ApplicationAction,
    AppStatus,
    MaterialKind,
)
from sscard.applications.materials import PreparedUpload, note_written, prepare_upload
from sscard.applications.models import Application, ApplicationEvent, Material
from sscard.audit.services import actor_label, audit_record
from sscard.cards.models import Card
from sscard.core.errors import DomainError, InvalidTransition
from sscard.production.constants import Delivery
from sscard.regions.models import Outlet, RegionSettings
from sscard.regions.selectors import region_settings, work_calendar

NOT_FOUND = "未找到该办件"

# Sent by every transition, inside its transaction (``application``, ``previous``, ``now``):
# how an app above this one acts on a status change without this one calling up to it — the
# payments app refunds a paid fee when the application is refused or withdrawn.
application_changed = Signal()


# what a 申领 (and its 补正) stores of the uploads
APPLY_MATERIALS = (
    MaterialKind.PHOTO,
    MaterialKind.ID_SCAN,
    MaterialKind.HOUSEHOLD,
    MaterialKind.GUARDIAN_PROOF,
)


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to: str,
    actor: User | None,
    action: ApplicationAction,
    note: str = "",
    now: datetime | None = None,
    **changes: Any,
) -> Application:
    now = now or timezone.now()
    application = Application.objects.select_for_update().get(pk=application.pk)
    if to not in APPLICATION_TRANSITIONS[application.status]:
        raise InvalidTransition(
            f"办件当前为“{application.get_status_display()}”，不能{action_label(action)}"
        )
    previous = application.status
    application.status = to
    for name, value in changes.items():
        setattr(application, name, value)
    application.updated_at = now
    application.save(update_fields=["status", *changes, "updated_at"])
    ApplicationEvent.objects.create(
        at=now,
        application=application,
        action=action,
        from_status=previous,
        to_status=to,
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label(actor),
        note=note[:300],
    )
    audit_record(
        actor=actor,
        action=f"application.{action}",
        target=application,
        detail={
            "receipt": application.receipt_number,
            "item": application.item,
            "from": previous,
            "to": to,
        },
        at=now,
    )
    application_changed.send(
        sender=Application, application=application, previous=previous, now=now
    )
    return application


def action_label(action: str) -> str:
    """The step in words (“受理”); a value no step has (old rows) as it is."""
    return ApplicationAction(action).label if action in ApplicationAction.values else action


def _receipt_number(region: RegionSettings, now: datetime) -> str:
    stamp = timezone.localdate(now).strftime("%Y%m%d")
    return f"{region.region_code}{stamp}{secrets.randbelow(10**10):010d}"


def _already_submitted(user: User, submission_key: Any) -> Application | None:
    if submission_key is None:
        return None
    return Application.objects.filter(applicant=user, submission_key=submission_key).first()


def _create_application(
    *,
    item: str,
    requester: Requester,
    subject: Person,
    relation: str,
    card: Card | None,
    form_data: dict[str, Any],
    status: str,
    fee_fen: int = 0,
    submission_key: Any = None,
    region: RegionSettings,
    now: datetime | None = None,
) -> Application:
    """Insert the application with a fresh receipt number. A clash of receipt numbers is
    retried; the same submission twice returns the first; a second open card request for one
    person is refused even when two arrive at the same instant."""
    now = now or timezone.now()
    extra: dict[str, Any] = {"submission_key": submission_key} if submission_key else {}
    extra["outlet"] = _chosen_outlet(form_data)
    if status == AppStatus.COMPLETED:
        extra["completed_at"] = now
    for _attempt in range(10):
        receipt = _receipt_number(region, now)
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    receipt_number=receipt,
                    item=item,
                    applicant=requester.user,
                    subject=subject,
                    relation=relation,
                    card=card,
                    form_data=form_data,
                    status=status,
                    fee_fen=fee_fen,
                    submitted_at=now,
                    updated_at=now,
                    **extra,
                )
        except IntegrityError:
            if Application.objects.filter(receipt_number=receipt).exists():
                continue
            first = _already_submitted(requester.user, submission_key)
            if first is not None:
                return first
            eligibility.ensure_no_open_card_application(subject)
            raise
        ApplicationEvent.objects.create(
            at=now,
            application=application,
            action=ApplicationAction.SUBMIT,
            to_status=status,
            actor_id=requester.user.pk,
            actor_label=actor_label(requester.user),
        )
        audit_record(
            actor=requester.user,
            action=f"application.{item}",
            target=application,
            detail={
                "receipt": receipt,
                "item": item,
                "status": status,
                "relation": relation,
                "trust": int(requester.trust),
            },
            at=now,
        )
        return application
    raise DomainError("受理编号生成失败，请稍后重试", code="receipt_exhausted")  # pragma: no cover


def _chosen_outlet(form_data: dict[str, Any]) -> Outlet | None:
    """The collection outlet the applicant chose: its district is the application's district
    in the staff queue and the dashboard (the form itself is encrypted)."""
    if form_data.get("delivery") != Delivery.OUTLET or not form_data.get("outlet"):
        return None
    return Outlet.objects.filter(code=form_data["outlet"]).first()


def _attach(
    application: Application,
    person: Person,
    kind: str,
    upload: UploadedFile | PreparedUpload,
    *,
    now: datetime | None = None,
) -> Material:
    """Store one material under a generated name. ``upload`` is normally prepared (hardened,
    and for a photo checked and fixed) before the caller's transaction; a raw upload is
    prepared here."""
    prepared = (
        upload
        if isinstance(upload, PreparedUpload)
        else prepare_upload(kind, upload, region=region_settings())
    )
    material = Material.objects.create(
        application=application,
        person=person,
        kind=kind,
        file=prepared.file,
        content_type=prepared.content_type,
        size=prepared.size,
        photo_check=prepared.photo_check,
        created_at=now or timezone.now(),
    )
    note_written(material.file.storage, material.file.name)
    return material


def _due_on(accepted_on: date, item: str, paused_days: int) -> date:
    limit = SSCARD.item(item).time_limit_days
    calendar = work_calendar(start=accepted_on)
    return calendar.add_working_days(accepted_on, limit + paused_days)
