"""Response headers every page gets, whichever view answers it.

* Only GET, HEAD and POST reach a view: TRACE, TRACK, CONNECT, PUT, DELETE and any other method
  answer 405 with ``Allow`` (no view of the service serves them; TRACE would echo the request,
  cookies included, back to a script).
* A page for a signed-in person is never stored by a browser or a proxy: a response to an
  authenticated request that says nothing about caching gets ``Cache-Control: private,
  no-store``. A view that may be cached says so itself, with :func:`cacheable`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

ALLOWED_METHODS = ("GET", "HEAD", "POST")
NO_STORE = "private, no-store"

Handler = Callable[[HttpRequest], HttpResponse]


class MethodsMiddleware:
    """405 for every method outside :data:`ALLOWED_METHODS`, before any view runs."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on a signed-in person's responses, unless the view
    set its own Cache-Control (see :func:`cacheable`)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = NO_STORE
        return response


View = Callable[..., HttpResponse]


def cacheable(**directives: Any) -> Callable[[View], View]:
    """The explicit opt-out: ``@cacheable(private=True, max_age=300)`` sets the view's own
    Cache-Control, which the middleware then leaves alone."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, **directives)
            return response

        return wrapped

    return decorate
