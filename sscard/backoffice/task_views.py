"""失败任务 for the 系统管理员: the background tasks that failed (after their retries), from
whichever queue the service runs on, each with its error's type and a short masked message and
never its arguments; 重新执行 puts one back in its queue, confirmed on a second screen and
audited (``sscard.taskqueue``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from sscard.accounts.requests import AuthedHttpRequest
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.core.errors import DomainError
from sscard.taskqueue import selectors, services


@staff_view(roles.VIEW_FAILED_TASK)
@require_GET
def failed_task_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/failed_tasks.html",
        {
            "tasks": selectors.failed_tasks(),
            "store": "RQ（Redis）" if selectors.uses_rq() else "数据库队列",
            "can_requeue": request.user.has_perm(roles.REQUEUE_TASK),
        },
    )


@staff_view(roles.VIEW_FAILED_TASK, roles.REQUEUE_TASK)
@require_POST
def failed_task_requeue(request: AuthedHttpRequest, task_id: str) -> HttpResponse:
    """First post: the confirmation screen. Second post (``confirm``): 重新执行."""
    if request.POST.get("confirm") != "yes":
        task = selectors.failed_task(task_id)
        if task is None:
            messages.error(request, services.GONE)
            return redirect("backoffice:failed_tasks")
        return render(request, "backoffice/failed_task_confirm.html", {"task": task})
    try:
        task = services.failed_task_requeue(task_id=task_id, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重新加入队列：{task.short_name}")
    return redirect("backoffice:failed_tasks")
