"""Racing the database: callables released at the same instant, each in its own thread and
so on its own database connection, for the ``race`` tests (transactional ones: the threads
cannot see a test's open transaction).

    outcomes = run_at_once(*[submit] * 20)
    assert_no_crashes(outcomes)
    assert len(succeeded(outcomes)) == 1

A thread's outcome is what its callable returned, or the exception it raised: a
``DomainError`` is a refusal a user would read, anything else a crash (a server error).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, connections

from sscard.core.errors import DomainError

# seconds: longer than SQLite's 20 s busy timeout, so a hang fails loudly instead of passing
JOIN_TIMEOUT = 90

# Tests whose point needs real row locks and parallel writers (SQLite queues every writer).
needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


@dataclass(frozen=True)
class Outcome:
    """What one racing callable did: its ``result``, or the ``error`` it raised."""

    index: int
    result: Any = None
    error: BaseException | None = None
    trace: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def refused(self) -> bool:
        return isinstance(self.error, DomainError)

    @property
    def crashed(self) -> bool:
        return self.error is not None and not self.refused


def run_at_once(
    *works: Callable[..., Any],
    prepare: Callable[[int], Any] | None = None,
    timeout: float = JOIN_TIMEOUT,
) -> list[Outcome]:
    """Run each callable in a thread of its own, all released together by a barrier; the
    outcomes come back in the callables' order. With ``prepare``, thread ``i`` first runs
    ``prepare(i)`` (on its own connection, before the barrier, so that the works start
    together) and calls its work with the result. Each thread closes its database
    connections when done; a thread still running after ``timeout`` fails the test."""
    barrier = threading.Barrier(len(works))
    outcomes: list[Outcome | None] = [None] * len(works)

    def run(i: int) -> None:
        try:
            connection.ensure_connection()
            arguments = () if prepare is None else (prepare(i),)
            barrier.wait(timeout=timeout)
            outcomes[i] = Outcome(i, result=works[i](*arguments))
        except BaseException as error:  # collected: the test decides what it may be
            outcomes[i] = Outcome(i, error=error, trace=traceback.format_exc())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), name=f"race-{i}") for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return [outcome for outcome in outcomes if outcome is not None]


@dataclass(frozen=True)
class Tally:
    """The outcomes sorted: ``results`` and ``refusals`` as (thread, value) pairs, and the
    tracebacks of the ``crashes``."""

    results: list[tuple[int, Any]]
    refusals: list[tuple[int, DomainError]]
    crashes: list[str]

    @property
    def messages(self) -> list[str]:
        """What the refused users read."""
        return [error.message for _, error in self.refusals]


def tally(outcomes: Sequence[Outcome]) -> Tally:
    return Tally(
        results=[(o.index, o.result) for o in outcomes if o.ok],
        refusals=[(o.index, o.error) for o in outcomes if isinstance(o.error, DomainError)],
        crashes=crashes(outcomes),
    )


def crashes(outcomes: Sequence[Outcome]) -> list[str]:
    """The tracebacks of the outcomes that are neither a result nor a refusal."""
    return [f"thread {o.index}:\n{o.trace}" for o in outcomes if o.crashed]


def assert_no_crashes(outcomes: Sequence[Outcome]) -> None:
    found = crashes(outcomes)
    assert found == [], "\n".join(found)


def results(outcomes: Sequence[Outcome]) -> list[Any]:
    """Every callable's result, asserting that none raised anything (not even a refusal)."""
    failed = [f"thread {o.index}:\n{o.trace}" for o in outcomes if not o.ok]
    assert failed == [], "\n".join(failed)
    return [o.result for o in outcomes]


def succeeded(outcomes: Sequence[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.ok]


def refusals(outcomes: Sequence[Outcome]) -> list[DomainError]:
    return [o.error for o in outcomes if isinstance(o.error, DomainError)]
