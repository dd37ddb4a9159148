"""The account backend: Django's, except that the signed-in user arrives with their person
(almost every portal page reads ``user.person``), from the cache between requests when the
cache is shared (Redis, ``CACHE_URL``), and a staff member's permission sets come from the
cache too (``sscard.core.cached``; a change to a group, a permission or anyone's groups or
grants bumps them, accounts.apps).

The signed-in user in the cache: the column values of the two rows (account and person; the
password hash too, so that Django checks the session against it as against a row read from the
database, and the active flag) sealed together as one AES-256-GCM ciphertext under the
personal-data keys (``sscard.core.crypto``), bound to the account's id, and kept under the
user's own family (``accounts.user.<id>``), which every save or delete of either row bumps
(accounts.apps): a password change, a deactivation, a flag, a new phone number is read at the
very next request of every process. The cache holds less in the clear than the database (where
the name is plain and the ID number, phone and address are encrypted field by field); an entry
copied under another account's key does not open, and one under a key since retired is read
again from the database. A change that bypasses the model's save (``QuerySet.update``, raw
SQL, a data migration) is not heard: it is read within ``SSCARD_REFERENCE_CACHE_SECONDS``. With
the per-process default cache nothing is kept: another process's save would not be heard."""

from __future__ import annotations

import base64
import hashlib
import pickle
from functools import cache
from typing import Any, TypeVar, cast

from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model, OneToOneField

from sscard.accounts.models import Person, User
from sscard.core import cached, crypto
from sscard.core.cached import remember

# the path a login records in the session (``login(request, user, backend=BACKEND)``)
BACKEND = "sscard.accounts.backends.AccountBackend"

# cache family of the permission sets
PERMISSIONS = "accounts.permissions"

Row = tuple[Any, ...]
M = TypeVar("M", bound=Model)


def user_family(user_id: Any) -> str:
    """The cache family of one signed-in user and their person."""
    return f"accounts.user.{user_id}"


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        read = super().get_user_permissions
        return remember(PERMISSIONS, _key(user_obj, "user"), lambda: read(user_obj))

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        read = super().get_group_permissions
        return remember(PERMISSIONS, _key(user_obj, "group"), lambda: read(user_obj))

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """Both sets in one cache read, kept on the user object for the rest of the request
        (Django's would read the user's set and the groups' set apart)."""
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            read_user = super().get_user_permissions
            read_groups = super().get_group_permissions
            user_obj._perm_cache = remember(
                PERMISSIONS,
                _key(user_obj, "all"),
                lambda: {*read_user(user_obj), *read_groups(user_obj)},
            )
        perms: set[str] = user_obj._perm_cache
        return perms


def _key(user: Any, kind: str) -> str:
    # a superuser holds every permission: the flag is part of the key
    return f"{user.pk}:{kind}:{int(user.is_superuser)}"


def signed_in_user(user_id: Any) -> User | None:
    """The account with its person (one query), from a shared cache while neither changed."""
    if not cached.shared():
        return _read(user_id)
    return _kept(user_id, again=True)


def _read(user_id: Any) -> User | None:
    try:
        return User._default_manager.select_related("person").get(pk=user_id)
    except User.DoesNotExist:
        return None


def _kept(user_id: Any, *, again: bool) -> User | None:
    family, key = user_family(user_id), _layout()
    loaded: list[User | None] = []

    def seal() -> str | None:
        user = _read(user_id)
        loaded.append(user)
        return None if user is None else _seal(user)

    sealed = cached.remember(family, key, seal)
    if loaded:  # read from the database just now
        return loaded[0]
    if sealed is None:
        return None
    try:
        return _unseal(sealed, user_id)
    except crypto.DecryptionError:
        # kept under a data key no longer listed (rotated out): read and kept again
        if not again:
            return _read(user_id)
        cached.forget(family, key)
        return _kept(user_id, again=False)


def _context(user_id: Any) -> bytes:
    return f"accounts.user:{user_id}".encode()


def _row(obj: Model) -> Row:
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields)


def _seal(user: User) -> str:
    rows = (_row(user), None if user.person is None else _row(user.person))
    raw = base64.b64encode(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)).decode()
    return crypto.encrypt(raw, context=_context(user.pk))


def _unseal(sealed: str, user_id: Any) -> User:
    raw = base64.b64decode(crypto.decrypt(sealed, context=_context(user_id)))
    # written by this service alone: the ciphertext authenticates it under our own data key
    user_row, person_row = pickle.loads(raw)  # noqa: S301
    user = _from_row(User, user_row)
    person = None if person_row is None else _from_row(Person, person_row)
    link = cast(OneToOneField[Any, Any], User._meta.get_field("person"))
    link.set_cached_value(user, person)
    if person is not None:
        link.remote_field.set_cached_value(person, user)
    return user


def _from_row(model: type[M], row: Row) -> M:
    names = [f.attname for f in model._meta.concrete_fields]
    return model.from_db(DEFAULT_DB_ALIAS, names, list(row))


@cache
def _layout() -> str:
    """The columns an entry holds, as a short name: an entry written before a migration added
    or removed one is not read by the code after it."""
    names = ",".join(f.attname for model in (User, Person) for f in model._meta.concrete_fields)
    return hashlib.sha256(names.encode()).hexdigest()[:16]
