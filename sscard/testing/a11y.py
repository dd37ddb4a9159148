"""axe-core on every page a browser test opens.

The axe-core build that ships inside ``axe-playwright-python`` (no download at run time) is
added to each browser context as an init script: once a page has loaded it checks the page
against WCAG 2.1 A/AA and axe's best practices and hands the violations to the test through an
exposed binding. ``scan(page)`` checks the page as it is now (after an htmx swap, say, or at
the end of a test, when a scan started on load may not have finished), in both modes: a portal
or employer page is checked again in 长辈模式 (every screenshot is taken after such a scan). A
test that met any violation fails at teardown, naming the rule, the page and the elements.

Each screen checked is recorded (its path with numbers and receipts folded, and the mode) in
``var/a11y/``, lists a run starts afresh (``records_clear``, every xdist worker its own); the
run's terminal summary prints their totals (``checked_totals``), the README's count."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from django.conf import settings

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
REPORT_DIR = Path(settings.BASE_DIR) / "var" / "a11y"
BINDING = "__sscardAxeReport"

# Runs in the page. One scan at a time (axe refuses a second run while one is going); the
# result is reported with the page's path and mode, the offending elements as CSS selectors.
_RUNNER = """
(() => {
  if (window.top !== window || window.__sscardAxe) return;
  // pages, not the blank page a context starts on nor a file the browser shows
  if (!location.protocol.startsWith("http")) return;
  const options = {runOnly: {type: "tag", values: %(tags)s}, resultTypes: ["violations"]};
  const html = () => document.documentElement;
  const check = () => axe.run(document, options).then((result) => {
    const report = {
      path: location.pathname + location.search,
      mode: html().classList.contains("elder") ? "长辈模式" : "标准",
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      })),
    };
    return window.%(binding)s ? window.%(binding)s(report) : report;
  });
  // a page with the 长辈模式 switch is checked in that mode too when asked (the test waits
  // then: the class is the mode's whole difference in the browser, and it moves the layout)
  const inElderToo = () => {
    if (html().classList.contains("elder") || !document.querySelector('form[action="/elder/"]')) {
      return null;
    }
    html().classList.add("elder");
    return check().finally(() => html().classList.remove("elder"));
  };
  // a scan asked for while the page is still loading (a test's step right after a click that
  // navigates) waits for the load: axe on a half-parsed document fails or checks half a page
  const loaded = new Promise((resolve) => {
    if (document.readyState === "complete") resolve();
    else window.addEventListener("load", resolve, {once: true});
  });
  let running = loaded;
  window.__sscardAxe = (bothModes) => {
    if (document.contentType !== "text/html") return running;
    running = running
      .then(check)
      .then(() => (bothModes ? inElderToo() : null))
      .then(() => null, (error) => `axe-core could not check ${location.pathname}: ${error}`);
    return running;
  };
  // the page's own scan, finished (a test then runs axe itself: one run at a time)
  window.__sscardAxeIdle = () => running.then(() => null);
  window.__sscardAxe();
})();
"""


@cache
def init_script() -> str:
    source = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")
    return source + _RUNNER % {"tags": json.dumps(TAGS), "binding": BINDING}


def screen_of(path: str) -> str:
    """A page's path with ids, receipts and tokens folded, so one screen counts once."""
    path = path.split("?", 1)[0]
    return re.sub(r"/[0-9A-Za-z_-]*\d[0-9A-Za-z_-]*(?=/|$)", "/<id>", path)


@dataclass
class Checker:
    """The violations and screens one browser context met."""

    test: str
    violations: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    screens: set[tuple[str, str]] = field(default_factory=set)

    def report(self, _source: object, report: dict[str, Any]) -> None:
        self.screens.add((screen_of(report["path"]), report["mode"]))
        for violation in report["violations"]:
            key = (violation["id"], report["path"], report["mode"])
            self.violations.setdefault(key, violation)

    def attach(self, context) -> None:
        context.expose_binding(BINDING, self.report)
        context.add_init_script(init_script())

    def failures(self) -> list[str]:
        return [
            f"{rule} ({v['impact']}) on {path} [{mode}]: {v['help']} — {', '.join(v['nodes'])}"
            for (rule, path, mode), v in sorted(self.violations.items())
        ]

    def record(self) -> None:
        """Append the screens checked to this worker's list (read by ``checked_totals``)."""
        REPORT_DIR.mkdir(parents=True, exist_ok=True)
        worker = _worker()
        with (REPORT_DIR / f"screens-{worker}.txt").open("a", encoding="utf-8") as out:
            for screen, mode in sorted(self.screens):
                out.write(f"{screen}\t{mode}\t{self.test}\n")
        with (REPORT_DIR / f"violations-{worker}.txt").open("a", encoding="utf-8") as out:
            for line in self.failures():
                out.write(f"{line}\t{self.test}\n")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def scan(page) -> None:
    """Check the page as it is now, and in 长辈模式 too if it has that mode; its violations join
    the test's (reported at teardown)."""
    page.wait_for_load_state("load")
    failed = page.evaluate("() => window.__sscardAxe && window.__sscardAxe(true)")
    if failed:
        pytest.fail(failed)


# what is "sideways": the page wider than the window, or a control partly outside it (one
# inside a box that scrolls on its own, a wide table, is reachable by scrolling that box; one
# wholly outside is a skip link waiting for focus)
LAYOUT = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const scrolls = (e) => {
    for (let p = e.parentElement; p && p !== root; p = p.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const controls = "a[href], button, input, select, textarea, summary, [role=button], [tabindex]";
  const cut = [...document.querySelectorAll(controls)].filter((e) => {
    const r = e.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || getComputedStyle(e).visibility === "hidden") return false;
    const partly = (r.left < -1 && r.right > 0) || (r.right > width + 1 && r.left < width);
    return partly && !scrolls(e);
  }).map((e) => e.outerHTML.slice(0, 100));
  return {overflow: root.scrollWidth - width, cut};
}"""


def check_layout(page, where: str) -> None:
    """Fail if the page scrolls sideways or cuts a control off at the window's edge."""
    found = page.evaluate(LAYOUT)
    if found["overflow"] > 0:
        pytest.fail(f"{where} scrolls sideways by {found['overflow']} px")
    if found["cut"]:
        pytest.fail(f"{where} cuts controls off: {found['cut']}")


def records_clear(worker: str | None = None, directory: Path = REPORT_DIR) -> None:
    """Start a run's lists afresh: every worker's (``worker`` None: the run's controller, or a
    run without workers) or one worker's own, so that the lists say what this run checked."""
    for kind in ("screens", "violations"):
        for path in directory.glob(f"{kind}-{worker or '*'}.txt"):
            path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Totals:
    """What the run's browser tests checked: distinct screens, and screen states (a screen in
    one mode) in all, in the standard mode and in 长辈模式; and the violations found."""

    screens: int
    states: int
    standard: int
    elder: int
    violations: int

    def __str__(self) -> str:
        return (
            f"axe-core checked {self.screens} screens, {self.states} screen states "
            f"({self.standard} standard, {self.elder} 长辈模式): {self.violations} violations"
        )


def checked_totals(directory: Path = REPORT_DIR) -> Totals:
    """Count every worker's lists of the last run (``records_clear`` starts each run)."""
    states: set[tuple[str, str]] = set()
    for path in directory.glob("screens-*.txt"):
        for line in path.read_text("utf-8").splitlines():
            screen, mode, _test = line.split("\t", 2)
            states.add((screen, mode))
    violations = {
        line.rsplit("\t", 1)[0]
        for path in directory.glob("violations-*.txt")
        for line in path.read_text("utf-8").splitlines()
    }
    elder = sum(1 for _screen, mode in states if mode == "长辈模式")
    return Totals(
        screens=len({screen for screen, _mode in states}),
        states=len(states),
        standard=len(states) - elder,
        elder=elder,
        violations=len(violations),
    )


def axe_violations(page: Any) -> dict[str, list[str]]:
    """The rules the page breaks now, each with the elements (CSS selectors) that break it."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    page.evaluate("() => window.__sscardAxeIdle && window.__sscardAxeIdle()")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    return {
        violation["id"]: [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        for violation in results.response["violations"]
    }


# the two-tone focus ring every focusable thing shows: a dark outline outside a white one (a
# box shadow), so it stands out on the white page, the green bar and the dark buttons alike
FOCUS_RING = {
    "outline": "rgb(17, 17, 17) solid 3px",
    "inside": "rgb(255, 255, 255) 0px 0px 0px 2px",
}


def focus_ring(locator: Any) -> dict[str, str]:
    """The focus ring ``locator``'s element shows now (its outline and its box shadow)."""
    return locator.evaluate(
        """(e) => {
          const style = getComputedStyle(e);
          return {outline: `${style.outlineColor} ${style.outlineStyle} ${style.outlineWidth}`,
                  inside: style.boxShadow};
        }"""
    )
