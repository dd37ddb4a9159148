"""Values a request reads once: the settings row, the holiday table. Inside a request (between
Django's ``request_started`` and ``request_finished``) a function decorated with
``per_request`` runs once per distinct arguments and its answer is reused; outside a request
(tasks, commands, the shell) it runs every time. A saved settings or holiday row (or
guardianship) clears the memo, so a request that changes them reads the change. A query that
found an answer along with something else tells the memo so (:func:`remember`).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

from django.core.signals import request_finished, request_started

P = ParamSpec("P")
R = TypeVar("R")

_state = threading.local()


def _key(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Hashable:
    return (f"{func.__module__}.{func.__qualname__}", args, tuple(sorted(kwargs.items())))


def per_request(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        memo: dict[Hashable, Any] | None = getattr(_state, "memo", None)
        if memo is None:
            return func(*args, **kwargs)
        key = _key(func, args, kwargs)
        if key not in memo:
            memo[key] = func(*args, **kwargs)
        return memo[key]

    return wrapper


def remember(func: Callable[P, R], answer: R, *args: P.args, **kwargs: P.kwargs) -> None:
    """What ``func`` (decorated with :func:`per_request`) answers for these arguments in this
    request, found by a query that asked it along with something else; outside a request,
    nothing is kept."""
    memo: dict[Hashable, Any] | None = getattr(_state, "memo", None)
    if memo is not None:
        memo[_key(func, args, kwargs)] = answer


def forget(**_: Any) -> None:
    """Drop what this request remembered (connected to the saves that change it)."""
    memo = getattr(_state, "memo", None)
    if memo is not None:
        memo.clear()


def begin(**_: Any) -> None:
    _state.memo = {}


def end(**_: Any) -> None:
    _state.memo = None


request_started.connect(begin, dispatch_uid="sscard.core.memo.begin")
request_finished.connect(end, dispatch_uid="sscard.core.memo.end")
