from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data only: no models, one management command (``seed_demo``)."""

    name = "sscard.demo"
    label = "demo"
    verbose_name = "演示数据"
