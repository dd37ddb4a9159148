from django.db import models


class TaskQueue(models.Model):
    """No table: the holder of the permissions over the task queue, whichever store it lives in
    (django-tasks-db's table or RQ's Redis), which the 系统管理员 holds (backoffice roles)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_failed_task", "可以查看失败的后台任务"),
            ("requeue_task", "可以重新执行失败的后台任务"),
        ]
        verbose_name = verbose_name_plural = "后台任务队列"

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
