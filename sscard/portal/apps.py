from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "sscard.portal"
    verbose_name = "智慧人社（市民门户）"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from sscard.portal.middleware import record_login

        user_logged_in.connect(record_login, dispatch_uid="sscard.portal.record_login")
