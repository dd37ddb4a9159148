"""Background jobs of the outbox. Each one is safe to run twice or in parallel: delivery claims
each message under a lease. The reminders are their apps' (``cards.tasks``,
``production.tasks``): each names its occasion (``Notification.dedupe_key``)."""

from __future__ import annotations

from sscard.core.tasks import task
from sscard.notifications import delivery


@task()
def deliver_messages_task(ids: list[int]) -> int:
    """Deliver the messages one change has just written (enqueued when it commits)."""
    return delivery.outbox_deliver(ids=ids)


@task()
def deliver_due_messages_task() -> int:
    """The periodic sweep: retries whose delay has passed, messages a dead worker held past
    its lease, anything whose enqueue was lost."""
    return delivery.outbox_deliver()
