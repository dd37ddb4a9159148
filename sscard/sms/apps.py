from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sscard.sms"
    label = "sms"
    verbose_name = "短信网关"

    def ready(self) -> None:
        from sscard.sms import checks  # noqa: F401 — registers the system checks
