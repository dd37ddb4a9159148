from __future__ import annotations

from sscard.core.tasks import task
from sscard.partners.services import purge_replay_records


@task()
def purge_replay_records_task() -> tuple[int, int]:
    """Forget spent nonces and day-old idempotency keys; safe to run twice."""
    return purge_replay_records()
