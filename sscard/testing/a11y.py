"""axe-core (the package axe-playwright-python ships it) run on the page a browser test has
open: WCAG 2.1 A and AA and axe's best practices, as the accessibility scan of the service."""

from __future__ import annotations

from typing import Any

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_violations(page: Any) -> dict[str, list[str]]:
    """The rules the page breaks, each with the elements (CSS selectors) that break it."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return {
        violation["id"]: [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        for violation in results.response["violations"]
    }
