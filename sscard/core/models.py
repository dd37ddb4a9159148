from django.db import models


class Lease(models.Model):
    """A named lease (``sscard.core.leases``) in the database, for deployments without a shared
    cache: the process ``holder`` has it until ``expires_at`` (the database's clock), unless it
    renews it first."""

    key = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
