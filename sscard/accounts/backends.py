"""The account backend: Django's, except that the signed-in user arrives with their person
(almost every portal page reads ``user.person``; one query instead of two), and a staff
member's permission sets come from the cache between requests (``sscard.core.cached``; a
change to a group, a permission or anyone's groups or grants bumps them, accounts.apps)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from sscard.accounts.models import User
from sscard.core.cached import remember

# the path a login records in the session (``login(request, user, backend=BACKEND)``)
BACKEND = "sscard.accounts.backends.AccountBackend"

# cache family of the permission sets
PERMISSIONS = "accounts.permissions"


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("person").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

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
