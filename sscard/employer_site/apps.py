from django.apps import AppConfig


class EmployerSiteConfig(AppConfig):
    """Registered for its templates and static files (both under ``employers/``)."""

    name = "sscard.employer_site"
    verbose_name = "单位服务（单位页面）"
