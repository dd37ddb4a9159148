"""A row locked once per transaction (``SELECT … FOR UPDATE``), however many writes use it.

A chain of writes on one row — 挂失: the card locked to take one submission at a time, an
expired report lifted, the loss reported, the status changed — needs the row read under the
lock once: while the lock is held nobody else changes it, and this transaction's own changes
are written through the object it holds. :func:`lock` reads the row under the lock unless
``instance`` is that very object, read (or last written, :func:`hold`) under the lock in this
transaction.

Which objects are held is told by commit callbacks that do nothing, as
:mod:`sscard.core.cached` marks a change: Django drops one when the transaction ends and when
the savepoint it was registered in rolls back (undoing the writes, and the lock, taken in it).
A write through a held object lets go of it first (:func:`let_go`) and holds it again once
every statement of the write succeeded: a write that failed half-way leaves an object that is
read again. A copy of a held object is not held.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import TypeVar

from django.db import connections, transaction
from django.db.models import Model

M = TypeVar("M", bound=Model)


class _Held:
    """The commit callback marking one object as held; it runs on commit and does nothing."""

    def __init__(self, instance: Model) -> None:
        self.instance: weakref.ref[Model] | None = weakref.ref(instance)

    def __call__(self) -> None:
        return None


def _alias(instance: Model) -> str:
    return instance._state.db or "default"


def _marks(instance: Model) -> Iterator[_Held]:
    for entry in connections[_alias(instance)].run_on_commit:  # (savepoints, callback, robust)
        callback = entry[1]
        if (
            isinstance(callback, _Held)
            and callback.instance is not None
            and callback.instance() is instance
        ):
            yield callback


def held(instance: Model) -> bool:
    """``instance`` was read (or last written) under its row's lock in this transaction, and
    nothing since undid that."""
    return any(True for _ in _marks(instance))


def hold(instance: M) -> M:
    """``instance`` is the row as this transaction holds it: just read under the lock, or
    just written. Outside a transaction nothing is held."""
    transaction.on_commit(_Held(instance), using=_alias(instance))
    return instance


def let_go(instance: Model) -> None:
    """``instance`` is about to change: until :func:`hold` marks it again it is read anew."""
    for mark in list(_marks(instance)):
        mark.instance = None


def lock(instance: M) -> M:
    """``instance``'s row locked for the rest of the transaction: ``instance`` itself when this
    transaction holds it already, else the row read under ``SELECT … FOR UPDATE``. What the
    caller loaded along with it (a card's holder and bank) is kept while the foreign key is
    the same: only the row itself is read."""
    if held(instance):
        return instance
    model = type(instance)
    fresh = model._default_manager.select_for_update().get(pk=instance.pk)
    for field in model._meta.concrete_fields:
        if (
            field.is_relation
            and field.is_cached(instance)  # type: ignore[attr-defined]
            and getattr(fresh, field.attname) == getattr(instance, field.attname)
        ):
            field.set_cached_value(fresh, field.get_cached_value(instance))  # type: ignore[attr-defined]
    return hold(fresh)
