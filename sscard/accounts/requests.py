"""The request type of a view behind a login (``staff_view``, ``portal_login_required``,
``login_required``): its ``request.user`` is a signed-in :class:`User`, never the anonymous
user. For the type checker only; Django still passes its ``HttpRequest`` (the django-stubs
way of typing an authenticated request)."""

from __future__ import annotations

from django.http import HttpRequest

from sscard.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    user: User
