"""The Django admin writes the audit trail: every addition, change (before and after), deletion
and list action, for every model the admin site lists — ours and the third-party ones (groups,
TOTP devices, django-axes' records, tasks) alike, because :class:`StaffAdminSite` gives each
registered admin :class:`AuditedAdmin` as it registers it.

What a record says of the object: its non-secret fields, personal data masked as everywhere
else (:mod:`sscard.core.masking`). Secrets — password hashes, TOTP and partner keys, keyed
hashes, tokens — are never written: only that they changed."""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from sscard.audit.services import audit_record
from sscard.core.fields import EncryptedJSONField, EncryptedTextField
from sscard.core.masking import (
    mask_account,
    mask_address,
    mask_bank_account,
    mask_card_number,
    mask_id_number,
    mask_name,
    mask_phone,
)

SECRET_CHANGED = "已修改（不记录内容）"  # noqa: S105 — the words a record shows, no password
ENCRYPTED = "（已加密，不记录内容）"

# a field with one of these words in its name holds a secret: never written, even masked
_SECRET = re.compile(r"(^|_)(password|secret|key|token|hash|salt)(_|$)|^(get|post)_data$")
# encrypted fields are personal data (or secrets): masked by what they hold
_ENCRYPTED_MASKS: dict[str, Callable[[str], str]] = {
    "doc_number": mask_id_number,
    "phone": mask_phone,
    "contact_phone": mask_phone,
    "address": mask_address,
    "mail_address": mask_address,
    "bank_account": mask_bank_account,
}
# plain fields that hold personal data, model by model (an outlet's address is not personal)
_LOGIN_NAME: dict[str, Callable[[str], str]] = {"username": mask_account}
_PERSONAL: dict[str, dict[str, Callable[[str], str]]] = {
    "accounts.person": {"name": mask_name},
    "accounts.user": {
        **_LOGIN_NAME,
        "first_name": mask_name,
        "last_name": mask_name,
        "email": mask_account,
    },
    "accounts.employer": {"contact_name": mask_name},
    "cards.card": {"number": mask_card_number},
    "wechat.wechatbinding": {"nickname": mask_name, "avatar_url": mask_account},
    "identity.externalidentity": {"subject": mask_account},
    "axes.accessattempt": _LOGIN_NAME,
    "axes.accesslog": _LOGIN_NAME,
    "axes.accessfailurelog": _LOGIN_NAME,
}

# field name → (the value as stored, to compare; the value as the record shows it, or
# None for a secret)
Snapshot = dict[str, tuple[Any, Any]]
_BEFORE = "_sscard_admin_before"


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _shown(obj: models.Model, field: models.Field[Any, Any], value: Any) -> Any:
    if _SECRET.search(field.name):
        return None
    if value in (None, ""):
        return _json(value)
    if isinstance(field, EncryptedTextField | EncryptedJSONField):
        mask = _ENCRYPTED_MASKS.get(field.name)
        return mask(str(value)) if mask else ENCRYPTED
    mask = _PERSONAL.get(obj._meta.label_lower, {}).get(field.name)
    return mask(str(value)) if mask else _json(value)


def snapshot(obj: models.Model) -> Snapshot:
    """The object's fields as stored, with what an audit record may show of each."""
    fields: Snapshot = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        fields[field.name] = (value, _shown(obj, field, value))
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            related = sorted(str(o) for o in getattr(obj, m2m.name).all())
            fields[m2m.name] = (related, related)
    return fields


def shown(fields: Snapshot) -> dict[str, Any]:
    """What a record shows of a whole object: secrets left out."""
    return {
        name: value
        for name, (_raw, value) in fields.items()
        if value is not None or not _SECRET.search(name)
    }


def changes(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    """The fields that changed, each before and after; a secret only as changed."""
    changed: dict[str, Any] = {}
    for name, (raw, value) in after.items():
        old_raw, old_value = before.get(name, (None, None))
        if raw == old_raw:
            continue
        changed[name] = (
            SECRET_CHANGED if _SECRET.search(name) else {"before": old_value, "after": value}
        )
    return changed


def _record(request: HttpRequest, action: str, obj: models.Model, detail: dict[str, Any]) -> None:
    audit_record(
        actor=request.user,
        action=action,
        target=obj,
        detail={"model": obj._meta.label_lower, **detail},
    )


class AuditedAdmin(admin.ModelAdmin):
    """Put in front of every ModelAdmin the site registers: its additions, changes, deletions
    and list actions each write an audit record (in the admin's own transaction)."""

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:  # as stored, before a form changes it in place
            obj.__dict__[_BEFORE] = snapshot(obj)
        return obj

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        if change and _BEFORE not in obj.__dict__:  # edited in the list (list_editable)
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                obj.__dict__[_BEFORE] = snapshot(stored)
        super().save_model(request, obj, form, change)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _record(request, "admin.added", obj, {"after": shown(snapshot(obj))})
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        before = obj.__dict__.pop(_BEFORE, None)
        after = snapshot(obj)
        if before is None:  # pragma: no cover — every change path fetches the object first
            _record(request, "admin.changed", obj, {"after": shown(after)})
        else:
            _record(request, "admin.changed", obj, {"changes": changes(before, after)})
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            _record(request, "admin.deleted", obj, {"before": shown(snapshot(obj))})
        return super().log_deletions(request, queryset)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """List actions other than deleting (whose deletions are recorded one by one): the
        action and the rows it was run on."""
        actions: dict[str, Any] = {}
        for name, action in super().get_actions(request).items():
            if action is None or name == "delete_selected":
                actions[name] = action
            else:
                func, _name, text = action
                actions[name] = (_audited_action(func, name), name, text)
        return actions


def _audited_action(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    @wraps(func)
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)[:100]]
        response = func(modeladmin, request, queryset)
        audit_record(
            actor=request.user,
            action="admin.action",
            detail={"model": queryset.model._meta.label_lower, "action": name, "ids": ids},
        )
        return response

    return run


def audited(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """``admin_class`` with :class:`AuditedAdmin` in front of it."""
    if issubclass(admin_class, AuditedAdmin):
        return admin_class
    names = {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__}
    return types.new_class(
        admin_class.__name__, (AuditedAdmin, admin_class), exec_body=lambda ns: ns.update(names)
    )
