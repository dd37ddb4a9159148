"""App configs for the Django admin's sake: the admin app with
:class:`sscard.backoffice.admin_site.StaffAdminSite` as its default site, and the third-party
apps the admin lists (django-axes, django-otp's TOTP devices, django-tasks' database backend)
under Chinese names. Each subclasses the package's own config, so its ``ready()`` still runs;
the models' names are set once the models are loaded (their migrations read the model's
original options, so no migration changes). An app config module may not import models."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpAppConfig
from django_tasks_db.apps import TasksAppConfig


class StaffAdminConfig(AdminConfig):
    default_site = "sscard.backoffice.admin_site.StaffAdminSite"


def name_models(config: AppConfig, names: dict[str, tuple[str, str]]) -> None:
    """Give ``config``'s models the names the admin shows: model name → (单数, 复数)."""
    for model_name, (singular, plural) in names.items():
        meta = config.get_model(model_name)._meta
        meta.verbose_name = singular
        meta.verbose_name_plural = plural


class AxesConfig(AxesAppConfig):
    verbose_name = "登录失败锁定"

    def ready(self) -> None:
        super().ready()
        name_models(
            self,
            {
                "AccessAttempt": ("登录失败计数", "登录失败计数"),
                "AccessAttemptExpiration": ("锁定到期时间", "锁定到期时间"),
                "AccessLog": ("登录记录", "登录记录"),
                "AccessFailureLog": ("登录失败记录", "登录失败记录"),
            },
        )


class TotpConfig(TotpAppConfig):
    verbose_name = "动态验证码（TOTP）"

    def ready(self) -> None:
        super().ready()
        name_models(self, {"TOTPDevice": ("动态验证码设备", "动态验证码设备")})


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = "后台任务"

    def ready(self) -> None:
        super().ready()
        name_models(self, {"DBTaskResult": ("任务执行结果", "任务执行结果")})
