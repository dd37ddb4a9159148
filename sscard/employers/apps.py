from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "sscard.employers"
    verbose_name = "单位批量申领"
    default_auto_field = "django.db.models.BigAutoField"
