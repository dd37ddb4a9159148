"""The layer rule holds: `make test` runs import-linter over the contracts in pyproject.toml,
and an import from a lower layer up into an interface breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project)}  # the copy, not the installed project
    return subprocess.run(  # noqa: S603 — our own tool on our own copy
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_upward_import_breaks_the_layer_contract(tmp_path):
    shutil.copytree(
        ROOT / "sscard",
        tmp_path / "sscard",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "*.png", "*.jpg"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    kept = _lint(tmp_path)
    assert kept.returncode == 0, kept.stdout + kept.stderr

    # the masking helpers (core) reaching up into the portal's views
    (tmp_path / "sscard" / "core" / "upward_probe.py").write_text(
        "from sscard.portal import views  # noqa: F401\n"
    )
    broken = _lint(tmp_path)

    assert broken.returncode != 0
    assert "sscard.core is not allowed to import sscard.portal" in broken.stdout
