"""Production refuses to start without its secrets (SECURITY F-3), instead of failing on the
first citizen's data."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROBE = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SSCARD", "SECRET_KEY"))}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 — our own interpreter and a fixed probe
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "SSCARD_ENV_FILE": "/nonexistent", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "SSCARD_DATA_KEYS",
        "SSCARD_INDEX_KEY",
        "SSCARD_AUDIT_KEY",
        "SSCARD_SIGNING_KEYS",
    ],
)
def test_production_refuses_to_start_without_each_secret(missing):
    secrets = {
        "SECRET_KEY": "x" * 50,
        "SSCARD_DATA_KEYS": "k1:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE=",
        "SSCARD_INDEX_KEY": "y" * 40,
        "SSCARD_AUDIT_KEY": "z" * 40,
        "SSCARD_SIGNING_KEYS": "s1:MPpuMRq3bIVlPgeKHlpmSe7UDJaqgvExVE2004a3n9U=",
    }
    del secrets[missing]

    result = _start(SSCARD_ENV="production", **secrets)

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_starts_with_all_its_secrets():
    result = _start(
        SSCARD_ENV="production",
        SECRET_KEY="x" * 50,
        SSCARD_INDEX_KEY="y" * 40,
        SSCARD_AUDIT_KEY="z" * 40,
        SSCARD_SIGNING_KEYS="s1:MPpuMRq3bIVlPgeKHlpmSe7UDJaqgvExVE2004a3n9U=",
        SSCARD_DATA_KEYS="k1:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE=",
    )

    assert result.returncode == 0, result.stderr


def test_production_settings_pass_djangos_deployment_checklist():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("SSCARD", "SECRET", "DJANGO_ALLOW_ASYNC"))
            },
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SSCARD_ENV_FILE": "/nonexistent",
            "SSCARD_ENV": "production",
            "SECRET_KEY": "q8Zr-3vN_x7Lw2pK9sTe4Yc6Hb1Mj5Ud0Fa8Gi3Ro7Pl2Xs9Wn4Kq6Vt1Bz5Cm0Dy",
            "SSCARD_INDEX_KEY": "y" * 40,
            "SSCARD_AUDIT_KEY": "z" * 40,
            "SSCARD_SIGNING_KEYS": "s1:MPpuMRq3bIVlPgeKHlpmSe7UDJaqgvExVE2004a3n9U=",
            "SSCARD_DATA_KEYS": "k1:ZGV2LW9ubHktZGF0YS1rZXktMzItYnl0ZXMtbG9uZyE=",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr


def test_every_setting_read_from_the_environment_is_listed_in_env_example():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    source = (root / "config" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_0-9]+)"', source))
    read |= set(re.findall(r'_secret\("([A-Z_0-9]+)"', source))
    listed = set(re.findall(r"^#?\s*([A-Z_0-9]+)=", (root / ".env.example").read_text(), re.M))
    assert read - listed == set()


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        ("redis://127.0.0.1:6379/3", "django.contrib.sessions.backends.cached_db"),
        ("locmemcache://", "django.contrib.sessions.backends.db"),
        ("", "django.contrib.sessions.backends.db"),  # not set: the per-process default
    ],
)
def test_sessions_are_read_from_the_cache_only_when_every_process_shares_it(cache_url, engine):
    """A logout deletes the session from the database and the cache: from every process's
    cache only if there is one for all of them (Redis)."""
    from sscard.testing.deployment import PRODUCTION_ENV, deployment_settings

    env = {**PRODUCTION_ENV, **({"CACHE_URL": cache_url} if cache_url else {})}
    assert deployment_settings(env, "SESSION_ENGINE") == {"SESSION_ENGINE": engine}


def test_two_deployments_given_one_redis_database_never_read_each_others_keys():
    """A training instance given the city's Redis database by mistake reads none of the city's
    cached settings, signed-in users or staff permission sets (nor holds its periodic runner's
    lease): every key carries a prefix naming the deployment's database."""
    from sscard.testing.deployment import PRODUCTION_ENV, deployment_settings

    def prefix(env: dict[str, str]) -> str:
        return deployment_settings(env, "CACHES")["CACHES"]["default"]["KEY_PREFIX"]

    city = {
        **PRODUCTION_ENV,
        "CACHE_URL": "redis://127.0.0.1:6379/3",
        "DATABASE_URL": "postgres://sscard@db.jieyang.example/sscard",
    }
    training = {**city, "DATABASE_URL": "postgres://sscard@db.jieyang.example/sscard_training"}
    assert prefix(city) != prefix(training)
    assert prefix(city) == prefix({**city})  # every process of one deployment: the same keys
    assert prefix({**training, "CACHE_KEY_PREFIX": "jieyang-training"}) == "jieyang-training"


def test_in_production_redis_url_stands_for_the_cache_and_the_task_queue_not_set():
    from sscard.testing.deployment import PRODUCTION_ENV, deployment_settings

    names = ("CACHES", "TASKS_REDIS_URL", "TASKS")
    redis = {**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/4"}

    both = deployment_settings(redis, *names)
    assert both["CACHES"]["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert both["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/4"
    assert both["TASKS_REDIS_URL"] == "redis://127.0.0.1:6379/4"
    assert both["TASKS"]["default"]["BACKEND"] == "sscard.taskqueue.backends.RQBackend"

    # each named for itself wins; the task queue emptied stays the database's
    own = {**redis, "CACHE_URL": "redis://127.0.0.1:6379/0", "TASKS_REDIS_URL": ""}
    named = deployment_settings(own, *names)
    assert named["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"
    assert named["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"

    # the demo keeps its embedded defaults whatever Redis the shell names
    demo = deployment_settings({**redis, "SSCARD_ENV": "dev"}, *names)
    assert demo["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert demo["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
