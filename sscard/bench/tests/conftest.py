from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.urls import clear_url_caches


@pytest.fixture
def bench_pages(settings) -> Iterator[None]:
    """The benchmark's pages routed, as scripts/bench.py's server routes them (and unrouted
    again after the test)."""
    import config.urls

    settings.SSCARD_BENCH_BASELINE = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.SSCARD_BENCH_BASELINE = False
    importlib.reload(config.urls)
    clear_url_caches()
