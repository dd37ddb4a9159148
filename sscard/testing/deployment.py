"""The settings another deployment would run with: ``config.settings`` read in a fresh
interpreter from a given environment (the test run's own settings are already loaded)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The secrets production refuses to start without (throwaway values).
PRODUCTION_ENV = {
    "SSCARD_ENV": "production",
    "SECRET_KEY": "q8Zr-3vN_x7Lw2pK9sTe4Yc6Hb1Mj5Ud0Fa8Gi3Ro7Pl2Xs9Wn4Kq6Vt1Bz5Cm0Dy",
    "SSCARD_INDEX_KEY": "y" * 40,
    "SSCARD_AUDIT_KEY": "z" * 40,
    "SSCARD_DATA_KEYS": "k1:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE=",
    "SSCARD_SIGNING_KEYS": "s1:MPpuMRq3bIVlPgeKHlpmSe7UDJaqgvExVE2004a3n9U=",
}
PROBE = (
    "import json, sys; from django.conf import settings as s; "
    "print(json.dumps({n: getattr(s, n) for n in sys.argv[1:]}))"
)


def deployment_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of another deployment: ``config.settings`` under ``env``; nothing else
    comes from the test run: no SSCARD_* variable, no CACHE_URL or CACHE_KEY_PREFIX, no Redis
    (REDIS_URL, TASKS_REDIS_URL), no .env file unless ``env`` names one."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("SSCARD", "SECRET_KEY", "DJANGO_", "SESSION_", "CSRF_", "DEBUG", "CACHE_")
        )
        and k not in {"REDIS_URL", "TASKS_REDIS_URL"}
    }
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SSCARD_ENV_FILE": "/nonexistent",
        **env,
    }


def deployment_settings(env: dict[str, str], *names: str) -> dict[str, Any]:
    """The values of ``names`` (Django's defaults included) that ``config.settings`` gives
    under ``env`` (see :func:`deployment_env`)."""
    result = subprocess.run(  # noqa: S603 — our own interpreter and a fixed probe
        [sys.executable, "-c", PROBE, *names],
        cwd=ROOT,
        env=deployment_env(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"config.settings did not load:\n{result.stderr}")
    values: dict[str, Any] = json.loads(result.stdout)
    return values


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """``manage.py *args`` as another deployment runs it (see :func:`deployment_env`)."""
    return subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=deployment_env(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
