"""The account backend: Django's, except that the signed-in user arrives with their person
(almost every portal page reads ``user.person``; one query instead of two)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from sscard.accounts.models import User

# the path a login records in the session (``login(request, user, backend=BACKEND)``)
BACKEND = "sscard.accounts.backends.AccountBackend"


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("person").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
