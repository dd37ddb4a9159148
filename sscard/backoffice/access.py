"""Who may open a back-office page. Every staff view is wrapped in :func:`staff_view`, which
denies by default: an anonymous visitor (or a session signed in without the TOTP second
factor, e.g. through the Django admin) goes to the staff login, a signed-in account without
the named permissions (a citizen or an employer included) gets 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

from sscard.accounts.staff import STAFF_ROLES, is_staff_member, is_verified

__all__ = ["LOGIN_URL", "STAFF_ROLES", "is_staff_member", "is_verified", "staff_view"]

LOGIN_URL = "backoffice:login"

View = Callable[..., HttpResponseBase]


def staff_view(*perms: str) -> Callable[[View], View]:
    """``@staff_view("applications.review_application")``: signed in as staff, holding every
    permission named (none named: any staff member)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), LOGIN_URL)
            if is_staff_member(user) and not is_verified(user):
                return redirect_to_login(request.get_full_path(), LOGIN_URL)
            if not is_staff_member(user) or not user.has_perms(perms):
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            # staff screens show citizens' data: never kept by the browser or a proxy
            add_never_cache_headers(response)
            return response

        wrapped.staff_perms = perms  # type: ignore[attr-defined]  # a mark on the view for the URL audit
        return wrapped

    return decorate
