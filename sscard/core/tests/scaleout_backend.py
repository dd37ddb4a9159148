"""The gateway of the two-process test: each send notes its start (the message's key and the
process) in ``started.log``, takes as many seconds as the file ``delay`` says (none: no wait),
then notes the delivery in ``delivered.jsonl``; all in ``SSCARD_TEST_DELIVERY_DIR``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from sscard.notifications.backends import Outgoing


class TimedFileBackend:
    def send(self, outgoing: Outgoing) -> str:
        directory = Path(os.environ["SSCARD_TEST_DELIVERY_DIR"])
        with open(directory / "started.log", "a", encoding="utf-8") as f:
            f.write(f"{outgoing.key} {os.getpid()}\n")
        delay = directory / "delay"
        if delay.exists():
            time.sleep(float(delay.read_text()))
        with open(directory / "delivered.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps({"key": outgoing.key, "pid": os.getpid()}) + "\n")
        return f"timed-{outgoing.key}"
