from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "sscard.appointments"
    label = "appointments"
    verbose_name = "网点预约"
