from __future__ import annotations

from sscard.core.tasks import task
from sscard.portal.services import drafts_purge_stale


@task()
def purge_stale_drafts_task() -> int:
    """Remove drafts untouched for a week, with their uploaded files."""
    return drafts_purge_stale()
