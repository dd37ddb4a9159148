"""A gateway for the worker-process tests: records when a send starts, takes
``SSCARD_TEST_SEND_DELAY`` seconds, then records the delivery (one JSON line per delivery in
``SSCARD_TEST_DELIVERY_DIR/delivered.jsonl``)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from sscard.notifications.backends import Outgoing


class SlowFileBackend:
    def send(self, outgoing: Outgoing) -> str:
        directory = Path(os.environ["SSCARD_TEST_DELIVERY_DIR"])
        with open(directory / "started.log", "a", encoding="utf-8") as f:
            f.write(f"{outgoing.key} {os.getpid()}\n")
        time.sleep(float(os.environ.get("SSCARD_TEST_SEND_DELAY", "0")))
        with open(directory / "delivered.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps({"key": outgoing.key, "pid": os.getpid()}) + "\n")
        return f"slow-{outgoing.key}"
