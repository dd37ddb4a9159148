from django.urls import path

from sscard.payments import callback

app_name = "payments"

urlpatterns = [
    path("notify", callback.notify, name="notify"),
]
