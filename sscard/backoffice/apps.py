from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "sscard.backoffice"
    verbose_name = "业务经办后台"
