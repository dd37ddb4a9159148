"""The RQ worker of the two-process test's whole-worker crash: RQ's own, on a short clock, so
that what RQ does minutes after a worker dies whole happens in seconds.

* Each job's heartbeat every second and its entry in the started-job registry expiring
  ``HEARTBEAT_GRACE`` seconds after the last one (RQ: every 30 s, expiring 60 s after).
* Registry cleanup (which retries or fails the jobs whose entry expired) every 2 seconds (RQ:
  every 10 minutes), checked between dequeues (``--worker-ttl 20``: every 5 s when idle)."""

from __future__ import annotations

from typing import Any

from rq import Worker
from rq.job import Job

# seconds a running job's entry outlives its last heartbeat: a busy test machine may be a
# second or two late with one, and a live job taken for dead would be run twice
HEARTBEAT_GRACE = 6


class QuickRecoveryWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["job_monitoring_interval"] = 1
        kwargs["maintenance_interval"] = 2
        super().__init__(*args, **kwargs)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return self.job_monitoring_interval + HEARTBEAT_GRACE
