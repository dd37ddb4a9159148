"""Charts drawn on the server as SVG geometry (no script, no inline style: the templates
write ``<rect>`` elements with presentation attributes). Each function returns what one
chart template needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# every colour at least 3:1 on the white card (WCAG 1.4.11): the bars are read, not decoration
PALETTE = ("#1f5fbf", "#a85d00", "#1b7a43", "#c0392b", "#7b4fb0", "#13858c", "#8a8f98")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rects: list[Rect]
    labels: list[Label]
    legend: list[tuple[str, str]]  # colour, label
    title: str


def _nice_max(value: int) -> int:
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return value


def stacked_columns(
    days: list[date],
    per_day: dict[date, Counter[str]],
    series: Sequence[tuple[str, str]],
    *,
    title: str,
    width: int = 1280,
    height: int = 240,
) -> Chart:
    """One column per day, stacked by series (code, label)."""
    left, bottom, top = 36, 28, 10
    plot_h = height - bottom - top
    top_value = _nice_max(max((sum(per_day.get(d, Counter()).values()) for d in days), default=0))
    slot = (width - left - 8) / max(len(days), 1)
    bar_w = max(slot * 0.7, 1)
    rects: list[Rect] = []
    labels = [Label(4, top + 4, str(top_value)), Label(4, top + plot_h, "0")]
    colours = {code: PALETTE[i % len(PALETTE)] for i, (code, _) in enumerate(series)}
    names = dict(series)
    every = max(len(days) // 10, 1)
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar_w) / 2
        y: float = top + plot_h
        for code, _ in series:
            n = per_day.get(day, Counter()).get(code, 0)
            if not n:
                continue
            h = plot_h * n / top_value
            y -= h
            rects.append(
                Rect(
                    round(x, 1),
                    round(y, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    colours[code],
                    f"{day:%m-%d} {names[code]} {n}件",
                )
            )
        if i % every == 0:
            labels.append(Label(round(min(x, width - 40), 1), height - 8, f"{day:%m-%d}"))
    legend = [(colours[code], label) for code, label in series]
    return Chart(width, height, rects, labels, legend, title)


LABEL_CHARS = 12


def horizontal_bars(
    rows: list[tuple[str, int]], *, title: str, width: int = 440, colour: str = PALETTE[0]
) -> Chart:
    """One bar per row, labelled on the left (long names shortened; the table beside the
    chart has them whole), the value on the right."""
    label_w, row_h, value_w = 13 * LABEL_CHARS + 8, 26, 50
    height = max(len(rows), 1) * row_h + 8
    top_value = max((n for _, n in rows), default=0) or 1
    plot_w = width - label_w - value_w
    rects: list[Rect] = []
    labels: list[Label] = []
    for i, (label, n) in enumerate(rows):
        y = 4 + i * row_h
        w = plot_w * n / top_value
        rects.append(
            Rect(
                label_w, y + 4, round(max(w, 1 if n else 0), 1), row_h - 10, colour, f"{label} {n}"
            )
        )
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        labels.append(Label(0, y + row_h - 9, short))
        labels.append(Label(round(label_w + w + 6, 1), y + row_h - 9, str(n)))
    return Chart(width, height, rects, labels, [], title)
