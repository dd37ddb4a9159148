from django.urls import path

from sscard.notifications import staff_views

app_name = "notifications_staff"

urlpatterns = [
    path("", staff_views.message_list, name="list"),
    path("<int:pk>/", staff_views.message_detail, name="detail"),
    path("<int:pk>/resend/", staff_views.message_resend, name="resend"),
]
