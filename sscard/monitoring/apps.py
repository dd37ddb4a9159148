from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "sscard.monitoring"
    label = "monitoring"
    verbose_name = "运行监控"

    def ready(self) -> None:
        from sscard.monitoring import checks  # noqa: F401 — registers the deployment check
