from django.apps import AppConfig


class WechatConfig(AppConfig):
    name = "sscard.wechat"
    verbose_name = "微信网页授权"

    def ready(self) -> None:
        from sscard.notifications.channels import register_address_finder
        from sscard.notifications.constants import Channel
        from sscard.wechat import checks  # noqa: F401 — registers the system checks
        from sscard.wechat.selectors import openid_for

        # the outbox reaches a person on WeChat through the openid bound to their account
        register_address_finder(Channel.WECHAT, openid_for)
