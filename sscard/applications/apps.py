from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "sscard.applications"
    label = "applications"
    verbose_name = "办件"

    def ready(self) -> None:
        from sscard.applications.services import application_complete_on_collection
        from sscard.production.signals import order_collected

        # a card collected (handover, 确认收到, the courier's signed-for report, the periodic
        # confirmation) completes its application in the same transaction
        order_collected.connect(
            application_complete_on_collection, dispatch_uid="application_complete"
        )
