from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "sscard.identity"
    label = "identity"
    verbose_name = "实名身份认证"

    def ready(self) -> None:
        from sscard.identity import checks  # noqa: F401  (registers the system checks)
