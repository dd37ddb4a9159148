from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "sscard.partners"
    label = "partners"
    verbose_name = "合作方接口"
