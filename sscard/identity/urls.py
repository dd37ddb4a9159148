from django.urls import path

from sscard.identity import views

app_name = "identity"

urlpatterns = [
    path("", views.start, name="start"),
    path("callback/", views.callback, name="callback"),
]
