from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "sscard.cards"
    label = "cards"
    verbose_name = "社保卡"
