from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sscard.portal"
    verbose_name = "智慧人社（市民门户）"
