from django.apps import AppConfig


class WechatConfig(AppConfig):
    name = "sscard.wechat"
    verbose_name = "微信网页授权"

    def ready(self) -> None:
        from sscard.wechat import checks  # noqa: F401 — registers the system checks
