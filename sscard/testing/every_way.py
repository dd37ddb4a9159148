"""A screen in every way a holder may meet it (the main portal and employer screens go
through it): 标准 or 长辈模式, on a 390 × 844 phone, on a 320 × 568 one and with the text at
200 % — a phone's text-size setting, emulated as the root's size doubled from the mode's own
(32 px standard, 40 px in 长辈模式). Each state is checked with axe-core (``a11y.scan``), must
not scroll sideways nor cut a control off (``a11y.check_layout``); at 390 and 320 px its texts
and controls are measured by the mode's rules (``targets.too_small``); at 200 % the title
bar's title keeps at least five characters a line. The 长辈模式 and 200 % states are
photographed: ``var/screenshots/<prefix>-<screen>-elder.png``, ``…-<mode>-200pct.png``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sscard.testing.a11y import check_layout, scan
from sscard.testing.browser import PHONE, SMALL_PHONE, shot
from sscard.testing.targets import too_small


def slug(path: str) -> str:
    """A screenshot's name for an address."""
    path = re.sub(r"\d{6,}", "receipt", path)  # one name for a screen whatever its number
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


# the text at 200 %: the root's size doubled from what the mode makes it (16 px in the
# standard mode, 20 px in 长辈模式), as a phone's text-size setting scales the whole page
DOUBLE_TEXT = """() => {
  const root = document.documentElement;
  const size = parseFloat(getComputedStyle(root).fontSize);
  root.style.fontSize = `${2 * size}px`;
  return parseFloat(getComputedStyle(root).fontSize);
}"""


# the title's width in its own characters (em)
TITLE_WIDTH = "(e) => e.getBoundingClientRect().width / parseFloat(getComputedStyle(e).fontSize)"


def check_sizes(page: Any, where: str, *, elder: bool) -> None:
    """Fail if a text or a control is under the mode's minimum (``targets.too_small``)."""
    found = too_small(page, elder=elder)
    if found["texts"] or found["targets"]:
        pytest.fail(f"{where} has texts or controls too small: {found}")


def visit_every_way(page: Any, path: str, *, elder: bool, prefix: str = "a11y") -> None:
    """One screen at 390 px, at 320 px and at 200 % text; axe checks each state, and the
    sizes of its texts and controls are measured by the mode's rules at both widths."""
    mode = "elder" if elder else "standard"
    page.set_viewport_size(PHONE)
    page.goto(path)
    if ("elder" in (page.locator("html").get_attribute("class") or "")) != elder:
        pytest.fail(f"{path} is not in the {mode} mode")
    check_layout(page, f"{path} [{mode}, 390 px]")
    check_sizes(page, f"{path} [{mode}, 390 px]", elder=elder)
    if elder:
        shot(page, f"{prefix}-{slug(path)}-elder")
    page.set_viewport_size(SMALL_PHONE)
    scan(page)
    check_layout(page, f"{path} [{mode}, 320 px]")
    check_sizes(page, f"{path} [{mode}, 320 px]", elder=elder)
    page.set_viewport_size(PHONE)
    root = page.evaluate(DOUBLE_TEXT)
    if root != (40 if elder else 32):
        pytest.fail(f"{path} [{mode}]: the doubled root is {root} px")
    check_layout(page, f"{path} [{mode}, 200 % text]")
    # the title bar's title keeps a usable width: at least five of its characters a line
    title = page.locator(".topbar .topbar-title").evaluate(TITLE_WIDTH)
    if title < 5:
        pytest.fail(f"{path} [{mode}, 200 % text]: the title is {title:.1f} characters wide")
    shot(page, f"{prefix}-{slug(path)}-{mode}-200pct")
