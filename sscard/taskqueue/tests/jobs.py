"""Tasks the queue tests enqueue (module-level, so that a worker finds them by their path)."""

from __future__ import annotations

from sscard.accounts.models import User
from sscard.core.tasks import task

# the number in the message is personal data the failed-task page must never show whole
LEAKY_ID = "445202199001011234"
LEAKY_PHONE = "13800138000"


@task()
def failing_task(note: str) -> None:
    """Fails while ``note`` names no account, and succeeds once one does (as a task whose
    gateway was down and is back)."""
    if not User.objects.filter(username=note).exists():
        raise ValueError(f"证件号 {LEAKY_ID} 的资料未找到")


@task()
def ok_task(username: str) -> int:
    return User.objects.filter(username=username).count()


@task()
def flaky_task(key: str) -> str:
    """Fails on its first attempt only (the cache remembers it was tried)."""
    from django.core.cache import cache

    if cache.add(f"flaky:{key}", 1):
        raise ConnectionError("网关暂时不可用")
    return "ok"
