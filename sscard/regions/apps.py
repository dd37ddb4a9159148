from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "sscard.regions"
    label = "regions"
    verbose_name = "地区与网点"
