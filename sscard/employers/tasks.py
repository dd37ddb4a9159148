from __future__ import annotations

from sscard.core.tasks import task
from sscard.employers.checking import batch_validate
from sscard.employers.retention import batches_remove_expired_files
from sscard.employers.services import batch_run_submit, batches_resume_stalled


@task()
def validate_batch_task(batch_id: str) -> int:
    """Check every row of an uploaded batch; running it again starts the check over."""
    return batch_validate(batch_id).good_count


@task()
def submit_batch_task(batch_id: str) -> int:
    """Submit a confirmed batch, all rows or none; safe to run twice (submission keys)."""
    return batch_run_submit(batch_id).submitted_count


@task()
def resume_stalled_batches_task() -> int:
    """Queue again the batches a dead worker left half-done (periodic)."""
    return batches_resume_stalled()


@task()
def remove_expired_batch_files_task() -> int:
    """Delete the files of batches submitted or given up, and give up batches left waiting
    longer than the region's days (periodic, audited)."""
    return batches_remove_expired_files()
