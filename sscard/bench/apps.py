from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "sscard.bench"
    label = "bench"
    verbose_name = "性能基准"

    def ready(self) -> None:
        from sscard.bench import checks  # noqa: F401 — registers the deployment check
