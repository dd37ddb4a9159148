from django.apps import AppConfig


class EcardConfig(AppConfig):
    name = "sscard.ecard"
    label = "ecard"
    verbose_name = "电子社保卡与凭证核验"
