from django.apps import AppConfig
from django.db.models.signals import post_save


class BackofficeConfig(AppConfig):
    name = "sscard.backoffice"
    verbose_name = "业务经办后台"

    def ready(self) -> None:
        from sscard.accounts.models import User
        from sscard.backoffice.roles import _on_user_saved

        # the account's role decides its permission group (see roles.py)
        post_save.connect(_on_user_saved, sender=User, dispatch_uid="backoffice.role_group")
