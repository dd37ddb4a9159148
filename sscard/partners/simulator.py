"""A stand-in for a cooperating bank and its card factory, talking to the partner API over
real HTTP with signed requests — so that a demo, or a test against a live server, sees cards
move through production on their own.

Each round, for every open batch of its bank: the bank acknowledges new batches; the factory
takes orders in 数据录入 into 制卡中, or reports 制卡失败 for a configurable share of first
attempts; the bank reports the account opened (制卡成功) and 市银行签收 for orders in 制卡中,
then 网点签收 (or 已寄出 with a tracking number) for orders at the city branch; the round after a
card was mailed, the courier's 已签收 (``signed``, with the same tracking number) makes it
已领卡. A resent order always succeeds.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sscard.partners import signing

API_PREFIX = "/partner/api/v1"
TIMEOUT_SECONDS = 10
FAILURE_REASONS = ("芯片个人化写入失败", "照片质量不合格，制卡厂退回", "银行开户信息校验失败")

logger = logging.getLogger("sscard.simulator")


class OutOfTime(Exception):
    """The run's time (``max_seconds``) is spent: no request starts after its deadline."""


class PartnerAPIError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class PartnerClient:
    """A signed client of the partner API for one set of credentials."""

    base_url: str
    key_id: str
    secret: str
    timeout: float = TIMEOUT_SECONDS
    # a time.monotonic() value: no request starts after it, none waits beyond it
    deadline: float | None = None

    def time_left(self) -> float:
        """How long the next request may take: the timeout, cut to the deadline; raises
        :class:`OutOfTime` once the deadline has passed."""
        if self.deadline is None:
            return self.timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise OutOfTime
        return min(self.timeout, left)

    def call(self, method: str, path: str, body: Any = None, *, retries: int = 3) -> Any:
        """One request; a write gets an Idempotency-Key and is retried with the same key
        while the server is busy with it (409) or the connection fails."""
        url = self.base_url.rstrip("/") + API_PREFIX + path
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        key = uuid.uuid4().hex if method != "GET" else ""
        for attempt in range(retries + 1):
            status, answer = self._send(method, url, data, key, timeout=self.time_left())
            if status == 200:
                return answer
            if status in (409, 0) and attempt < retries and answer.get("code") != "order_failed":
                time.sleep(min(0.2 * (attempt + 1), self.time_left()))
                continue
            raise PartnerAPIError(status, answer)
        raise PartnerAPIError(0, {})  # pragma: no cover

    def _send(
        self, method: str, url: str, data: bytes, key: str, *, timeout: float
    ) -> tuple[int, Any]:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = signing.signed_headers(
            key_id=self.key_id, secret=self.secret, method=method, path=path, body=data
        )
        headers["Content-Type"] = "application/json"
        if key:
            headers[signing.IDEMPOTENCY_HEADER] = key
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own setting
            url, data=data if method != "GET" else None, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw or b"{}")
            except ValueError:
                return error.code, {"code": "http", "message": raw[:200].decode(errors="replace")}
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            logger.warning("simulator.connection_failed reason=%s", error)
            return 0, {"code": "connection"}


@dataclass
class Simulator:
    """One bank and its factory. ``failure_share`` of first attempts fail, spread evenly
    (with 0.34 and three orders, exactly the third fails)."""

    bank: PartnerClient
    factory: PartnerClient
    failure_share: float = 0.1
    rng: random.Random = field(default_factory=random.Random)
    say: Callable[[str], None] = lambda message: None
    first_attempts: int = 0
    reports: int = 0  # reports the API accepted, counted as each list is accepted

    def _should_fail(self) -> bool:
        self.first_attempts += 1
        n = self.first_attempts
        return math.floor(n * self.failure_share) > math.floor((n - 1) * self.failure_share)

    def tick(self) -> int:
        """One round: the courier's 已签收 for the cards mailed in an earlier round, then
        every open batch; the number of reports sent."""
        sent = self._sign_for_mailed()
        for summary in self.bank.call("GET", "/batches"):
            number = summary["number"]
            if summary["status"] == "sent":
                self.bank.call("POST", f"/batches/{number}/ack", {})
                self.say(f"{number}: 已接收")
            sent += self._work_on(self.bank.call("GET", f"/batches/{number}"))
        return sent

    def _work_on(self, batch: dict[str, Any]) -> int:
        number = batch["number"]
        producing: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        made: list[dict[str, Any]] = []
        arrived: list[dict[str, Any]] = []
        delivered: list[dict[str, Any]] = []
        for order in sorted(batch["orders"], key=lambda o: o["order_id"]):
            stage, oid = order["stage"], order["order_id"]
            if stage == "data_sent":
                if order["attempt"] == 1 and self._should_fail():
                    reason = self.rng.choice(FAILURE_REASONS)
                    failures.append({"order_id": oid, "outcome": "failed", "reason": reason})
                else:
                    producing.append({"order_id": oid, "stage": "producing", "place": "制卡中心"})
            elif stage == "producing":
                account = "6217" + "".join(self.rng.choice("0123456789") for _ in range(15))
                made.append(
                    {
                        "order_id": oid,
                        "outcome": "success",
                        "card_number": order["card_number"],
                        "bank_account": "*" * 15 + account[-4:],
                    }
                )
                arrived.append(
                    {
                        "order_id": oid,
                        "stage": "city_bank",
                        "place": f"{batch['bank_name']}揭阳分行",
                    }
                )
            elif stage == "city_bank":
                if order["delivery"] == "outlet":
                    delivered.append(
                        {"order_id": oid, "stage": "outlet", "place": order["outlet_name"]}
                    )
                else:
                    tracking = "SF" + "".join(self.rng.choice("0123456789") for _ in range(12))
                    delivered.append(
                        {
                            "order_id": oid,
                            "stage": "mailed",
                            "place": "揭阳邮件处理中心",
                            "tracking_number": tracking,
                        }
                    )
        self._report(self.factory, f"/batches/{number}/results", "results", failures)
        self._report(self.factory, f"/batches/{number}/events", "events", producing)
        self._report(self.bank, f"/batches/{number}/results", "results", made)
        self._report(self.bank, f"/batches/{number}/events", "events", arrived)
        self._report(self.bank, f"/batches/{number}/events", "events", delivered)
        for label, items in (
            ("制卡失败", failures),
            ("制卡中", producing),
            ("市银行签收", arrived),
            ("网点签收/已寄出", delivered),
        ):
            if items:
                self.say(f"{number}: {label} {len(items)} 张")
        return len(failures) + len(producing) + len(made) + len(arrived) + len(delivered)

    def _sign_for_mailed(self) -> int:
        """Every card mailed (in an earlier round) is signed for by its holder: 已签收 with the
        parcel's tracking number, reported to the order's batch."""
        by_batch: dict[str, list[dict[str, Any]]] = {}
        for parcel in self.bank.call("GET", "/deliveries"):
            by_batch.setdefault(parcel["batch_number"], []).append(
                {
                    "order_id": parcel["order_id"],
                    "stage": "signed",
                    "place": "收件人本人签收",
                    "tracking_number": parcel["tracking_number"],
                }
            )
        for number, signed in by_batch.items():
            self._report(self.bank, f"/batches/{number}/events", "events", signed)
            self.say(f"{number}: 已签收 {len(signed)} 张")
        return sum(len(signed) for signed in by_batch.values())

    def _report(
        self, client: PartnerClient, path: str, key: str, items: list[dict[str, Any]]
    ) -> None:
        if items:
            client.call("POST", path, {key: items})
            self.reports += len(items)


def run(
    simulators: list[Simulator],
    *,
    delay: float,
    until_idle: bool = False,
    max_seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Rounds every ``delay`` seconds; stops when idle (``until_idle``), when ``max_seconds``
    have passed, or never. ``max_seconds`` bounds the whole run: no request starts after it,
    a request in flight times out by it, and the pause between rounds ends at it (a round cut
    short is taken up by the next run: every report is idempotent and moves orders forward
    only). Returns the reports sent."""
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    for simulator in simulators:
        simulator.bank.deadline = simulator.factory.deadline = deadline
    total = 0
    while True:
        sent = 0
        try:
            for simulator in simulators:
                before = simulator.reports
                try:
                    simulator.tick()
                except PartnerAPIError as error:
                    logger.warning("simulator.refused status=%s", error.status)
                finally:
                    sent += simulator.reports - before
        except OutOfTime:
            return total + sent
        total += sent
        if until_idle and sent == 0:
            return total
        if deadline is None:
            sleep(delay)
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            return total
        sleep(min(delay, left))
