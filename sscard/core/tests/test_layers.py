"""The layer rule holds: `make test` runs import-linter over the contracts in pyproject.toml;
an import from a lower layer up into an interface breaks it, and so does an import sideways
from one interface into another."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the code, whose layers hold as they are."""
    copy = tmp_path_factory.mktemp("project")
    shutil.copytree(
        ROOT / "sscard",
        copy / "sscard",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "*.png", "*.jpg"),
    )
    shutil.copy(ROOT / "pyproject.toml", copy)
    kept = _lint(copy)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    return copy


def _lint_with(project: Path, probe: Path, source: str) -> subprocess.CompletedProcess[str]:
    probe.write_text(source)
    try:
        return _lint(project)
    finally:
        probe.unlink()


def test_an_upward_import_breaks_the_layer_contract(project):
    # the masking helpers (core) reaching up into the portal's views
    broken = _lint_with(
        project,
        project / "sscard" / "core" / "upward_probe.py",
        "from sscard.portal import views  # noqa: F401\n",
    )

    assert broken.returncode != 0
    assert "sscard.core is not allowed to import sscard.portal" in broken.stdout


def test_the_outbox_calling_back_up_into_a_domain_app_breaks_the_layer_contract(project):
    # the outbox is a leaf: it takes plain values, it never reads the card it tells of
    broken = _lint_with(
        project,
        project / "sscard" / "notifications" / "upward_probe.py",
        "from sscard.cards import models  # noqa: F401\n",
    )

    assert broken.returncode != 0
    assert "sscard.notifications is not allowed to import sscard.cards" in broken.stdout


def test_one_interface_importing_another_breaks_the_layer_contract(project):
    # WeChat's pages borrowing the portal's step-up view instead of the shared one
    broken = _lint_with(
        project,
        project / "sscard" / "wechat" / "sideways_probe.py",
        "from sscard.portal import verify  # noqa: F401\n",
    )

    assert broken.returncode != 0
    assert "sscard.wechat is not allowed to import sscard.portal" in broken.stdout
