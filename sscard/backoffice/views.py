from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sscard.backoffice.access import staff_view


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/home.html")
