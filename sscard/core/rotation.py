"""Key rotation: every encrypted value in the database and every stored file moved onto the
current key (the first of ``SSCARD_DATA_KEYS``), plain files stored before encryption
encrypted. Each row and each file is done on its own, so a run stopped half-way is resumed by
running it again; what is already under the current key is left alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django.db.models.functions import Cast

from sscard.core import crypto, filecrypt
from sscard.core.fields import EncryptedJSONField, EncryptedTextField
from sscard.core.storage import EncryptedFileSystemStorage

CHUNK = 500
Progress = Callable[[str], None]


@dataclass
class Rotated:
    key_id: str
    fields: dict[str, int] = field(default_factory=dict)  # "app.model" -> rows re-encrypted
    files: int = 0  # files re-encrypted under the current key
    plain_files: int = 0  # files that were stored plain, now encrypted
    unreadable: list[str] = field(default_factory=list)  # files no listed key opens

    @property
    def rows(self) -> int:
        return sum(self.fields.values())


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[models.Field[Any, Any]]]]:
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        found: list[models.Field[Any, Any]] = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedTextField | EncryptedJSONField)
        ]
        if found:
            yield model, found


def _raw(name: str) -> str:
    return f"_raw_{name}"


def rotate_model(
    model: type[models.Model], fields: list[models.Field[Any, Any]], current: str
) -> int:
    """Re-encrypt the rows of ``model`` holding a value under another key. A row is written
    only if its values are still those read (a change made meanwhile is never undone)."""
    manager = model._base_manager
    raws = {_raw(f.attname): Cast(f.attname, output_field=models.TextField()) for f in fields}
    stale = models.Q()
    for f in fields:
        stale |= ~models.Q(**{f"{_raw(f.attname)}__startswith": current + crypto.SEPARATOR}) & (
            ~models.Q(**{_raw(f.attname): ""}) & models.Q(**{f"{f.attname}__isnull": False})
        )
    done, last_pk = 0, None
    while True:
        batch = manager.annotate(**raws).filter(stale).order_by("pk")
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        rows = list(batch.values("pk", *raws, *(f.attname for f in fields))[:CHUNK])
        if not rows:
            return done
        with transaction.atomic():
            for row in rows:
                unchanged: dict[str, Any] = {key: row[key] for key in raws}
                written = (
                    manager.annotate(**raws)
                    .filter(pk=row["pk"], **unchanged)
                    .update(**{f.attname: row[f.attname] for f in fields})
                )
                done += written
        last_pk = rows[-1]["pk"]


def rotate_files(storage: Storage, rotated: Rotated, progress: Progress) -> None:
    if not isinstance(storage, EncryptedFileSystemStorage):
        return
    for count, name in enumerate(storage.names(), start=1):
        was_plain = storage.key_id(name) is None
        try:
            resealed = storage.reseal(name)
        except filecrypt.FileDecryptionError:
            rotated.unreadable.append(name)
            progress(f"无法解密（密钥未列出或文件已被改动），未处理：{name}")
            continue
        if resealed:
            if was_plain:
                rotated.plain_files += 1
            else:
                rotated.files += 1
        if count % 100 == 0:
            progress(f"文件：已检查{count}个")


def rotate_keys(*, progress: Progress = lambda line: None) -> Rotated:
    current = crypto.current_key_id()
    rotated = Rotated(key_id=current)
    for model, fields in encrypted_fields():
        label = model._meta.label_lower
        count = rotate_model(model, fields, current)
        rotated.fields[label] = count
        progress(f"{label}：{count}行已改用密钥{current}")
    rotate_files(default_storage, rotated, progress)
    progress(
        f"文件：{rotated.files}个已改用密钥{current}，{rotated.plain_files}个未加密的文件已加密"
    )
    return rotated
