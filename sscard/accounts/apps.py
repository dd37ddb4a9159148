from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sscard.accounts"
    label = "accounts"
    verbose_name = "人员与账号"
