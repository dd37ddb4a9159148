from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class AccountsConfig(AppConfig):
    name = "sscard.accounts"
    label = "accounts"
    verbose_name = "人员与账号"

    def ready(self) -> None:
        from django.contrib.auth.models import Group, Permission

        from sscard.accounts.backends import PERMISSIONS
        from sscard.accounts.models import Guardianship, User
        from sscard.core import memo
        from sscard.core.cached import bumps

        # a guardianship made, confirmed or ended is read again by the request that did it
        post_save.connect(memo.forget, sender=Guardianship, dispatch_uid="memo.Guardianship")
        post_delete.connect(memo.forget, sender=Guardianship, dispatch_uid="memo.Guardianship.d")

        # whatever changes who holds which permission: every process reads the sets again
        receiver = bumps(PERMISSIONS)
        links = (User.groups.through, User.user_permissions.through, Group.permissions.through)
        for through in links:
            m2m_changed.connect(
                receiver, sender=through, weak=False, dispatch_uid=f"cached.{through.__name__}"
            )
        for model in (Group, Permission, User):
            if model is not User:
                post_save.connect(
                    receiver, sender=model, weak=False, dispatch_uid=f"cached.{model.__name__}.s"
                )
            post_delete.connect(
                receiver, sender=model, weak=False, dispatch_uid=f"cached.{model.__name__}.d"
            )
