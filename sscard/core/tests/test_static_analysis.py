"""bandit over every module that runs in production, at medium severity and above: nothing
but the findings reviewed below, each with the reason it is safe. (Ruff's flake8-bandit rules,
``S``, run on every commit too; this is bandit's own, fuller rule set.)"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# (file, bandit test id) → how many, and why each is safe
REVIEWED: dict[tuple[str, str], tuple[int, str]] = {
    ("sscard/notifications/backends.py", "B310"): (
        1,
        "urlopen of the configured https gateway URL with a timeout; no user-given URL",
    ),
    ("sscard/partners/simulator.py", "B310"): (
        1,
        "the partner simulator calls the configured sscard base URL (a demo tool)",
    ),
    ("scripts/bench.py", "B310"): (1, "the benchmark probes its own loopback server"),
    ("sscard/portal/templatetags/notifications.py", "B308"): (
        1,
        "every part is escaped or built with format_html before mark_safe joins them",
    ),
    ("sscard/portal/templatetags/notifications.py", "B703"): (1, "the same mark_safe"),
    ("sscard/backups/manifest.py", "B608"): (
        2,
        "a backup counts each model's table and reads the audit chain's head: table and column "
        "names from the model registry, quoted; no value from outside",
    ),
    ("sscard/accounts/backends.py", "B301"): (
        1,
        "unpickles only what AES-GCM authenticated under our own data key (what we sealed)",
    ),
}


@pytest.mark.skipif(
    importlib.util.find_spec("bandit") is None,
    reason="bandit is not installed (pip install -e .[test])",
)
def test_bandit_finds_nothing_but_the_reviewed_findings():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "-q",
            "-r",
            "sscard",
            "config",
            "scripts",
            "-x",
            "*/tests/*,*/migrations/*,sscard/testing/*",
            "-ll",
            "-f",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == []
    found = Counter(
        (Path(r["filename"]).as_posix().removeprefix("./"), r["test_id"]) for r in report["results"]
    )
    assert dict(found) == {key: count for key, (count, _why) in REVIEWED.items()}
