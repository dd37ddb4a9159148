from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "sscard.applications"
    label = "applications"
    verbose_name = "办件"
