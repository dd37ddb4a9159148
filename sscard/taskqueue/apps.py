from django.apps import AppConfig


class TaskQueueConfig(AppConfig):
    name = "sscard.taskqueue"
    label = "taskqueue"
    verbose_name = "后台任务"
