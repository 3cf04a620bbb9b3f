"""Geometry and drawing for the Gantt chart drawn on the server (gantt_svg.py): the time scale
and its ticks and gridlines, text fitted to a width without a font to measure it with, and
the SVG elements it is drawn with.

Plain Python, so the same layout serves the SVG download and its PNG.
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# The average advance of a title's characters, in ems: about 0.47 in Arial and in DejaVu Sans
# (what a Debian server draws for Arial) as measured; a little more leaves room for capitals.
EM_PER_CHAR = 0.52
# Gaps between labelled ticks that each need room for "Sep 2022" and a little air.
TICK_STEPS = (1, 3, 6, 12)  # months
MIN_LABEL_GAP = 62.0  # px
AXIS = "#4c6272"
GRID = "#d8dde0"
FINE_GRID = "#eef1f2"  # month starts between labelled ticks

# XML 1.0 allows tab, newline and carriage return but no other control character: a title
# pasted with one would otherwise make the whole file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Text safe to put in XML (escaping is the XML writer's job; this drops what no
    escaping can carry)."""
    return _NOT_XML.sub("", text)


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    """The first of the month `months` after d's month."""
    k = d.year * 12 + d.month - 1 + months
    return date(k // 12, k % 12 + 1, 1)


def long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass(frozen=True)
class Tick:
    when: date  # always the first of a month
    label: str | None  # None: a gridline with no label (between labelled ticks)


@dataclass(frozen=True)
class TimeScale:
    """Days from `start` (a month start) to `end` (the month start after the last date) over
    `width` px from `left`."""

    start: date
    end: date
    left: float
    width: float

    @property
    def px_per_day(self) -> float:
        return self.width / max(1, (self.end - self.start).days)

    def x(self, d: date) -> float:
        return self.left + (d - self.start).days * self.px_per_day

    def x_end(self, d: date) -> float:
        """The right edge of day d (a bar ends at the end of its last day)."""
        return self.x(d + timedelta(days=1))

    @property
    def step(self) -> int:
        """Months between labelled ticks: each month when there is room, else quarters,
        half years or years."""
        month = 30.44 * self.px_per_day
        return next((s for s in TICK_STEPS if s * month >= MIN_LABEL_GAP), 12)

    def ticks(self) -> list[Tick]:
        """A tick at each month start; labelled at the step (quarters start in January,
        April, July and October), each label once."""
        step = self.step
        found = []
        when = self.start
        while when <= self.end:
            labelled = (when.month - 1) % step == 0
            label = None
            if labelled:
                label = str(when.year) if step == 12 else f"{when:%b %Y}"
            found.append(Tick(when, label))
            when = add_months(when, 1)
        return found


def time_scale(dates: Iterable[date], left: float, width: float) -> TimeScale:
    """A scale from the month start on or before the earliest date to the month start after
    the latest."""
    known = list(dates)
    first, last = min(known), max(known)
    return TimeScale(month_start(first), add_months(last, 1), left, width)


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width of `text` at `size` px."""
    return len(text) * size * EM_PER_CHAR


def chars_in(width: float, size: float) -> int:
    """How many characters fit in `width` px at `size` px."""
    return max(4, int(width / (size * EM_PER_CHAR)))


def fit_lines(text: str, width: float, size: float, lines: int = 2) -> list[str]:
    """The text wrapped to `width`, in at most `lines` lines, the last cut with an ellipsis
    when it does not all fit."""
    wrapped = textwrap.wrap(
        " ".join(text.split()), width=chars_in(width, size), max_lines=lines, placeholder=" …"
    )
    return wrapped or [""]


def flow(widths: Iterable[float], left: float, right: float, gap: float) -> list[tuple[int, float]]:
    """Items of these widths laid left to right, wrapping at `right`: (line, x) for each."""
    placed = []
    line, x = 0, left
    for w in widths:
        if x > left and x + w > right:
            line, x = line + 1, left
        placed.append((line, x))
        x += w + gap
    return placed


# --- drawing: ElementTree escapes the text; these name the attributes ---------------------


def el(parent: ET.Element, tag: str, text: str | None = None, /, **attrs: object) -> ET.Element:
    """A child element; attribute names use _ for - (font_size is font-size)."""
    node = ET.SubElement(
        parent,
        tag,
        {k.rstrip("_").replace("_", "-"): fmt(v) for k, v in attrs.items() if v is not None},
    )
    if text is not None:
        node.text = clean(text)
    return node


def fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return clean(str(value))


def diamond(parent: ET.Element, cx: float, cy: float, r: float, **attrs: object) -> None:
    points = (
        f"{cx:.1f},{cy - r:.1f} {cx + r:.1f},{cy:.1f} {cx:.1f},{cy + r:.1f} {cx - r:.1f},{cy:.1f}"
    )
    el(parent, "polygon", points=points, **attrs)


def bar(parent: ET.Element, x0: float, x1: float, y: float, h: float, **attrs: object) -> None:
    el(parent, "rect", x=x0, y=y, width=max(2.0, x1 - x0), height=h, **attrs)


def axis(root: ET.Element, scale: TimeScale, y: float, axis_id: str, right: float) -> None:
    """The labelled ticks in a row at `y`, none running past `right`."""
    group = el(root, "g", id=axis_id, font_size=11, fill=AXIS)
    for tick in scale.ticks():
        if tick.label is None:
            continue
        x = scale.x(tick.when)
        if x + 4 + text_width(tick.label, 11) > right:
            continue  # no room for the last label inside the chart
        el(group, "text", tick.label, x=x + 4, y=y, data_date=tick.when.isoformat())


def grid(body: ET.Element, scale: TimeScale, top: float, bottom: float) -> None:
    """A line at each month start, stronger where the axis has a label."""
    lines = el(body, "g", id="grid")
    fine = scale.px_per_day * 28 >= 4  # months too close together make a grey smear
    for tick in scale.ticks():
        if tick.label is None and not fine:
            continue
        x = scale.x(tick.when)
        el(
            lines,
            "line",
            x1=x,
            y1=top,
            x2=x,
            y2=bottom,
            stroke=GRID if tick.label else FINE_GRID,
            stroke_width=1,
            data_date=tick.when.isoformat(),
        )
