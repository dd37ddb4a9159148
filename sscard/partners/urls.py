from django.urls import path

from sscard.partners.api import api

urlpatterns = [path("", api.urls)]
