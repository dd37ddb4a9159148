from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class RegionsConfig(AppConfig):
    name = "sscard.regions"
    label = "regions"
    verbose_name = "地区与网点"

    def ready(self) -> None:
        from sscard.core import memo
        from sscard.regions.models import HolidayOverride, RegionSettings

        for model in (RegionSettings, HolidayOverride):
            post_save.connect(memo.forget, sender=model, dispatch_uid=f"memo.{model.__name__}")
            post_delete.connect(memo.forget, sender=model, dispatch_uid=f"memo.{model.__name__}.d")
