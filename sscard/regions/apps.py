from django.apps import AppConfig
from django.db.models import Model
from django.db.models.signals import post_delete, post_save


class RegionsConfig(AppConfig):
    name = "sscard.regions"
    label = "regions"
    verbose_name = "地区与网点"

    def ready(self) -> None:
        from sscard.core import cached, memo
        from sscard.regions import selectors
        from sscard.regions.models import Bank, HolidayOverride, Outlet, RegionSettings

        for model in (RegionSettings, HolidayOverride):
            post_save.connect(memo.forget, sender=model, dispatch_uid=f"memo.{model.__name__}")
            post_delete.connect(memo.forget, sender=model, dispatch_uid=f"memo.{model.__name__}.d")
        # a save or delete anywhere (admin, services, admin list edits, bulk delete action)
        # makes every process read the family again (sscard.core.cached)
        families: dict[type[Model], str] = {
            RegionSettings: selectors.SETTINGS,
            HolidayOverride: selectors.HOLIDAYS,
            Bank: selectors.NETWORK,
            Outlet: selectors.NETWORK,
        }
        for sender, family in families.items():
            receiver = cached.bumps(family)
            for signal, suffix in ((post_save, "s"), (post_delete, "d")):
                signal.connect(
                    receiver,
                    sender=sender,
                    weak=False,
                    dispatch_uid=f"cached.{sender.__name__}.{suffix}",
                )
