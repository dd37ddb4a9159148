"""The site's URLconf plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def broken(request: HttpRequest, number: str = "") -> HttpResponse:
    raise RuntimeError(f"a bug while handling {number}")


def refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not for you")


def malformed(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


urlpatterns = [
    path("broken/<str:number>/", broken),
    path("staff/broken/<str:number>/", broken),
    path("employer/broken/<str:number>/", broken),
    path("refused/", refused),
    path("malformed/", malformed),
    *urlpatterns,
]
