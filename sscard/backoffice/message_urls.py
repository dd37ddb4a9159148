"""``/staff/notifications/``: the outbox seen by staff (``message_views``). The namespace stays
``notifications_staff`` so that every link and test reverses the same names."""

from django.urls import path

from sscard.backoffice import message_views as views

app_name = "notifications_staff"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/resend/", views.message_resend, name="resend"),
]
