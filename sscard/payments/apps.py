from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "sscard.payments"
    label = "payments"
    verbose_name = "缴费"

    def ready(self) -> None:
        from sscard.payments import checks, refunds  # noqa: F401 — checks; the refund hook

        refunds.connect()
