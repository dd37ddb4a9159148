from django.apps import AppConfig


class ProductionConfig(AppConfig):
    name = "sscard.production"
    label = "production"
    verbose_name = "制卡"
