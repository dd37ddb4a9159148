"""`make serve` end to end: the supervisor in production mode, on a fresh PostgreSQL database
and the Redis, checks, migrates and collects the static files, then serves the portal and its
static files from the application itself (hashed, compressed, kept for good by browsers) with
the production settings — HTTPS asked for, the simulators not routed — and its metrics adding
up both web workers' requests, and stops cleanly on SIGTERM. It takes a minute or two: the
migrations run on an empty database."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import environ
import pytest
from prometheus_client.parser import text_string_to_metric_families

from sscard.testing.services import POSTGRESQL, listening, needs
from sscard.testing.services import REDIS as REDIS_PORT

ROOT = Path(__file__).resolve().parents[3]
REDIS = "redis://127.0.0.1:6379/8"
STARTUP_SECONDS = 600  # the deployment check, every migration and collectstatic, on a busy machine


def _admin_url() -> str:
    """The PostgreSQL server the suite runs on (or the local one), its maintenance database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url.rsplit("/", 1)[0] + "/postgres"


pytestmark = needs(POSTGRESQL, REDIS_PORT)


@pytest.fixture
def database() -> Iterator[str]:
    """A database of this test's own, dropped afterwards."""
    import psycopg

    config = environ.Env.db_url_config(_admin_url())
    name = f"sscard_serve_{uuid.uuid4().hex[:10]}"
    connect = {
        "dbname": "postgres",
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "autocommit": True,
    }
    with psycopg.connect(**connect) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _admin_url().rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(**connect) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — our loopback server

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


PROBES = 20


def _healthz_count(page: str) -> float:
    """The requests to /healthz the metrics page counts."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
        if sample.name == "django_http_responses_total_by_status_view_method_total"
        and sample.labels.get("view") == "monitoring:healthz"
    )


def test_make_serve_serves_the_portal_and_its_static_files_then_stops_cleanly(database, tmp_path):
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    address = f"127.0.0.1:{port.getsockname()[1]}"
    port.close()
    settings_file = tmp_path / ".env.production"
    subprocess.run(  # noqa: S603 — our own script
        [sys.executable, "scripts/make_env.py", "--production", str(settings_file)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SSCARD", "DJANGO_", "DATABASE_URL", "CACHE_URL", "SECRET_KEY"))
    }
    env |= {
        "DATABASE_URL": database,
        "CACHE_URL": REDIS,
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SSCARD_NOTIFY_FILE_DIR": str(tmp_path / "notifications"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_4242.db").write_bytes(b"")  # a previous run's worker
    log = (tmp_path / "serve.log").open("w+")
    supervisor = subprocess.Popen(  # noqa: S603 — our own script
        [
            *(sys.executable, "scripts/serve.py", "--production", address),
            *("--workers", "2", "--env-file", str(settings_file)),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://{address}"
    behind_tls = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy says
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while supervisor.poll() is None and time.monotonic() < deadline:
            try:
                status, _, page = _get(f"{base}/", **behind_tls)
                break
            except OSError:
                time.sleep(1)
        else:
            log.seek(0)
            pytest.fail(f"make serve did not serve /:\n{log.read()[-4000:]}")

        assert status == 200
        assert "社会保障卡" in page.decode()
        stylesheet = re.search(r'href="(/static/portal/portal\.[0-9a-f]{12}\.css)"', page.decode())
        assert stylesheet, "the page names its stylesheet by its content's hash"
        status, headers, body = _get(base + stylesheet[1], **behind_tls)
        assert status == 200 and b"{" in body
        assert "immutable" in headers["cache-control"]
        _, headers, _ = _get(base + stylesheet[1], **behind_tls, **{"Accept-Encoding": "gzip"})
        assert headers.get("content-encoding") == "gzip"

        status, headers, _ = _get(f"{base}/")  # plain http: production asks for https
        assert status == 301 and headers["location"].startswith("https://")
        assert _get(f"{base}/sms-sim/", **behind_tls)[0] == 404  # no simulator in production

        # the metrics add up both web workers' counters, whichever answers the scrape (a new
        # connection each request: the kernel spreads them over the two workers)
        for _ in range(PROBES):
            assert _get(f"{base}/healthz")[0] == 200
        status, _, page = _get(f"{base}/ops/metrics", **behind_tls)
        assert status == 200
        assert _healthz_count(page.decode()) == PROBES
        assert not (tmp_path / "metrics" / "counter_4242.db").exists()
    finally:
        supervisor.send_signal(signal.SIGTERM)
        code = supervisor.wait(timeout=60)
        log.seek(0)
        output = log.read()
        log.close()

    assert code == 0, output[-4000:]
    assert "started web" in output and "started worker" in output and "started periodic" in output
    assert not listening(int(address.rsplit(":", 1)[1]))
