"""``/files/``: stored materials (``portal.files``); the namespace ``files`` is reversed by the
staff pages, the portal and the admin alike."""

from django.urls import path

from sscard.portal import files as views

app_name = "files"

urlpatterns = [
    path("<int:pk>/", views.material_file, name="material"),
]
