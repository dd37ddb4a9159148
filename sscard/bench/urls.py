from django.urls import path

from sscard.bench import views

app_name = "bench"

urlpatterns = [
    path("baseline", views.baseline, name="baseline"),
    path("floor", views.floor, name="floor"),
]
