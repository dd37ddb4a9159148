from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sscard.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from sscard.core import tasks  # noqa: F401 — connects the task log line
        from sscard.core.logs import configure_structlog

        configure_structlog()
