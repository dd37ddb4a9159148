from django.urls import path

from sscard.photos import views

app_name = "files"

urlpatterns = [
    path("<int:pk>/", views.material_file, name="material"),
]
