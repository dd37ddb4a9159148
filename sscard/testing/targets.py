"""What a browser test measures of a page for 长辈模式 and touch targets: the size of every
visible text and of every visible control, as the browser lays them out (getComputedStyle and
getBoundingClientRect), so a rule in any style sheet, or a template missing a class, shows.

Which controls count, and which are exempt:

* measured: links with an address, buttons, ``summary`` (a button that opens a box), text
  fields, selects, text areas, ``[role=button]``; for a checkbox or radio button, and for a
  field hidden under a styled label (the file input under 拍照或选择照片), the labels a finger
  taps instead: at least one of them must have the size (the small box itself is exempt);
* exempt: a link inside a sentence (WCAG 2.5.8's inline exception: its size is the line's,
  and padding would break the sentence apart); anything hidden from sight (at most one pixel
  wide or high).

Every control measured is a primary control in 长辈模式 (at least 60 × 60 CSS pixels, as the
MIIT's 适老化 rules ask of the main clickable elements); in the standard mode each is at least
44 × 44 (WCAG 2.5.5). Every visible text (a text node, or the value of a field) is at least
18 CSS pixels in 长辈模式."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# One pass over the page (targets.js); it returns what is too small, described for an
# assertion message.
MEASURE_JS = (Path(__file__).parent / "targets.js").read_text(encoding="utf-8")

# 长辈模式: every text at least 18 CSS px, every control at least 60 × 60
ELDER_TEXT, ELDER_TARGET = 18, 60
# the standard mode: every control at least 44 × 44
STANDARD_TARGET = 44


def too_small(page: Any, *, elder: bool) -> dict[str, list[str]]:
    """The texts and controls on the page below the mode's minimum sizes."""
    minimums = [ELDER_TEXT if elder else 0, ELDER_TARGET if elder else STANDARD_TARGET]
    found = page.evaluate(MEASURE_JS, minimums)
    return {"texts": found["texts"], "targets": found["targets"]}


def sideways_overflow(page: Any) -> int:
    """How far the page scrolls sideways (0 when it fits the screen's width)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )
