from django.urls import path

from sscard.sms.simulator import views

app_name = "sms_sim"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("api/send", views.api_send, name="send"),
    path("mode", views.set_mode, name="mode"),
]
