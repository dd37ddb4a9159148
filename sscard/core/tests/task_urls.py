"""The site's URLconf plus a page that enqueues a task, for the task log tests."""

import logging

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns
from sscard.core.tasks import task

logger = logging.getLogger("sscard.tests")


@task()
def echo_task(word: str) -> str:
    logger.info("echo %s", word)
    return word


def enqueue(request: HttpRequest) -> HttpResponse:
    result = echo_task.enqueue("hello")
    return HttpResponse(result.id)


urlpatterns = [path("enqueue/", enqueue), *urlpatterns]
