from typing import Any

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class AccountsConfig(AppConfig):
    name = "sscard.accounts"
    label = "accounts"
    verbose_name = "人员与账号"

    def ready(self) -> None:
        from django.contrib.auth.models import Group, Permission

        from sscard.accounts.backends import PERMISSIONS
        from sscard.accounts.models import Guardianship, Person, User
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
        # any save or delete of an account or its person (a password, a deactivation, a flag,
        # the last login, a new phone number; in a service, the admin or a fixture): every
        # process reads the signed-in user again at its next request (accounts.backends)
        for signal, suffix in ((post_save, "s"), (post_delete, "d")):
            signal.connect(user_changed, sender=User, dispatch_uid=f"signed_in.User.{suffix}")
            signal.connect(person_changed, sender=Person, dispatch_uid=f"signed_in.Person.{suffix}")


def user_changed(instance: Any, **_: Any) -> None:
    from sscard.accounts.backends import user_family
    from sscard.core import cached

    if cached.shared():
        cached.bump(user_family(instance.pk))


def person_changed(instance: Any, created: bool = False, **_: Any) -> None:
    from sscard.accounts.backends import user_family
    from sscard.accounts.models import User
    from sscard.core import cached

    if created or not cached.shared():  # a new person has no account yet
        return
    for user_id in User.objects.filter(person_id=instance.pk).values_list("pk", flat=True):
        cached.bump(user_family(user_id))
