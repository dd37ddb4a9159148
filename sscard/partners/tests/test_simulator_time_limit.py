"""``simulate_partners --max-seconds N`` stops after N seconds, even when the server does
not answer: no request starts after the deadline, the one in flight times out by it, and
the pause between rounds ends at it."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from sscard.partners.simulator import OutOfTime, PartnerClient, run


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that takes connections and never answers (the kernel accepts them into the
    listening socket's backlog; nothing reads or writes)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        host, port = listener.getsockname()
        yield f"http://{host}:{port}"


@pytest.mark.django_db
def test_max_seconds_bounds_a_run_against_a_server_that_never_answers(silent_server, bank):
    out = io.StringIO()
    started = time.monotonic()

    call_command("simulate_partners", url=silent_server, delay=5, max_seconds=1.5, stdout=out)

    elapsed = time.monotonic() - started
    assert elapsed < 3, f"ran {elapsed:.1f} s"
    assert "0 report(s) sent" in out.getvalue()


def test_the_pause_between_rounds_ends_at_the_deadline():
    class Idle:
        """A bank with nothing to do, answering at once."""

        reports = 0
        bank = factory = PartnerClient("http://unused", "k", "s")

        def tick(self) -> int:
            return 0

    pauses: list[float] = []
    started = time.monotonic()

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        time.sleep(seconds)

    run([Idle()], delay=30, max_seconds=0.5, sleep=sleep)  # type: ignore[list-item]

    assert time.monotonic() - started < 1.5
    assert pauses and max(pauses) <= 0.5


def test_no_request_starts_after_the_deadline(silent_server):
    client = PartnerClient(silent_server, "k", "s", deadline=time.monotonic() - 1)
    started = time.monotonic()

    with pytest.raises(OutOfTime):
        client.call("GET", "/batches")

    assert time.monotonic() - started < 0.5
