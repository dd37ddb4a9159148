"""/messages/: the 消息中心 (URL names ``notifications:…``, as the messages' links name them)."""

from django.urls import path

from sscard.portal import message_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
]
