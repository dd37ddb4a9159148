"""The task queue under the service's tasks: the database queue (django-tasks-db, the demo and
a single machine) or RQ on Redis (django-tasks-rq, production at scale, ``TASKS_REDIS_URL``),
the RQ backend's retries, and the failed tasks the system administrator sees and runs again
(``selectors.failed_tasks``, ``services.failed_task_requeue``)."""
