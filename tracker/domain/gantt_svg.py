"""The whole Gantt chart as one SVG file, for downloading, printing and pasting into a board
paper (the PNG is made from it: services/gantt_export.py).

Drawn from the rows the Gantt page uses (gantt.gantt_rows), with nothing fetched from
anywhere: system fonts, no scripts, no links. Built with ElementTree, which escapes every
title a person typed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.domain.figures import is_late
from tracker.domain.gantt import CATEGORIES, GanttRow
from tracker.domain.gantt_layout import (
    TimeScale,
    axis,
    bar,
    diamond,
    el,
    fit_lines,
    flow,
    grid,
    long_date,
    text_width,
    time_scale,
)

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "Arial, Helvetica, sans-serif"
WIDTH = 1680  # px: A3 landscape's proportions at about 96 px to the inch, less margins
LABELS = 440  # px: the column of refs and titles
PLOT = (LABELS + 12, WIDTH - 24)  # px: left and right of the time scale
ROW = 28  # px: a milestone's row, room for a title in two lines
HEADING = 36  # px: a workstream's heading row, its name over its progress
TEXT = "#212b32"
SECONDARY = "#4c6272"
BAND = "#e8edee"
BASELINE = "#aeb7bd"
FORECAST = "#ed8b00"
LATE = "#8a1538"
SUMMARY = "#425563"
RAG_COLOURS = {"red": "#d5281b", "amber": "#ffb81c", "green": "#007f3b", "blue": "#005eb8"}
MARKS = {
    "today": ("#212b32", "2 3"),
    "go-live-target": ("#007f3b", ""),
    "forecast-go-live": ("#d5281b", "6 3"),
}


@dataclass(frozen=True)
class _Shown:
    """Which marks the chart holds, so the legend names exactly those."""

    categories: tuple[str, ...]
    points: bool
    baseline: bool
    forecast: bool
    late: bool


def _in_baseline(r: GanttRow) -> bool:
    # The baseline shown (the current one unless the page chose another) holds this one.
    return r.baseline_due is not None


def _forecast_differs(r: GanttRow) -> bool:
    m = r.milestone
    if m.forecast_due != r.planned.due:
        return True
    return r.planned.kind != "point" and m.forecast_start != r.start


def gantt_svg(
    rows: Sequence[GanttRow],
    workstream_names: Mapping[str, str],
    *,
    programme: str,
    today: date,
    go_live_target: date,
    forecast_go_live: date,
    workstream_rags: Mapping[str, str] | None = None,
    note: str = "",
) -> str:
    """The chart as SVG text: a title, a legend, the time axis, then for each workstream a
    heading with its summary bar and a row per milestone, with today and go-live marked."""
    dates = [today, go_live_target, forecast_go_live]
    for r in rows:
        dates += [r.start, r.planned.due, r.milestone.forecast_start, r.milestone.forecast_due]
        if r.baseline_due is not None:
            dates += [r.baseline_start or r.baseline_due, r.baseline_due]
    scale = time_scale(dates, PLOT[0], PLOT[1] - PLOT[0])
    shown = _Shown(
        categories=tuple(k for k in CATEGORIES if any(r.category == k for r in rows)),
        points=any(r.planned.kind == "point" for r in rows),
        baseline=any(_in_baseline(r) for r in rows),
        forecast=any(_forecast_differs(r) for r in rows),
        late=any(is_late(r.milestone) for r in rows),
    )
    groups = _groups(rows)

    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "version": "1.1",
            "font-family": FONT,
            "font-size": "11",
            "fill": TEXT,
            "role": "img",
            "aria-labelledby": "chart-title",
        },
    )
    title = f"{programme}: Gantt chart as at {long_date(today)}"
    el(root, "title", title, id="chart-title")
    _defs(root)
    el(root, "rect", x=0, y=0, width="100%", height="100%", fill="#ffffff")
    el(root, "text", title, x=16, y=30, font_size=18, font_weight="bold")
    if note:
        el(root, "text", note, x=16, y=50, font_size=12, fill=SECONDARY)
    y = _legend(root, shown, 70, go_live_target != forecast_go_live)
    marks = _marks(today, go_live_target, forecast_go_live)
    label_top = y + 6
    axis_y = label_top + 16 * len(marks) + 16
    top = axis_y + 8
    height = top + sum(HEADING + ROW * len(g) for g in groups)
    bottom_axis = len(rows) > 25  # a tall chart repeats the dates at its foot
    total = height + (34 if bottom_axis else 16)
    if not rows:
        total = height + 60

    body = el(root, "g", id="body")
    grid(body, scale, top - 4, height)
    y = top
    for group in groups:
        code = group[0].milestone.workstream
        name = workstream_names.get(code, code)
        rag = (workstream_rags or {}).get(code)
        _heading(body, scale, group, name, rag, y)
        y += HEADING
        for r in group:
            _row(body, scale, r, y)
            y += ROW
    if not rows:
        el(body, "text", "No milestones match these filters.", x=16, y=top + 30, font_size=14)

    axis(root, scale, axis_y, "axis-top", PLOT[1] + 16)
    if bottom_axis:
        axis(root, scale, height + 22, "axis-bottom", PLOT[1] + 16)
    _draw_marks(root, scale, marks, label_top, top - 4, height)

    root.set("width", str(WIDTH))
    root.set("height", str(int(total)))
    root.set("viewBox", f"0 0 {WIDTH} {int(total)}")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _groups(rows: Sequence[GanttRow]) -> list[list[GanttRow]]:
    """Consecutive rows of one workstream (gantt_rows sorts them so)."""
    groups: list[list[GanttRow]] = []
    for r in rows:
        if not groups or groups[-1][0].milestone.workstream != r.milestone.workstream:
            groups.append([])
        groups[-1].append(r)
    return groups


def _defs(root: ET.Element) -> None:
    defs = el(root, "defs")
    # Late and overdue bars are hatched as well as outlined (colour is never the only cue).
    pattern = el(defs, "pattern", id="late-hatch", width=6, height=6, patternUnits="userSpaceOnUse")
    el(
        pattern,
        "path",
        d="M0,6 L6,0 M-1.5,1.5 L1.5,-1.5 M4.5,7.5 L7.5,4.5",
        stroke="#ffffff",
        stroke_width=1.6,
        stroke_opacity=0.85,
    )
    clip = el(defs, "clipPath", id="label-column")
    el(clip, "rect", x=0, y=0, width=LABELS, height="100%")


def _legend(root: ET.Element, shown: _Shown, y: float, forecast_line: bool) -> float:
    """The legend under the title, wrapping to the chart's width; returns its bottom."""
    items: list[tuple[str, str, str]] = [
        ("bar", CATEGORIES[k][1], CATEGORIES[k][0]) for k in shown.categories
    ]
    if shown.points:
        items.append(("diamond", SECONDARY, "Point milestone (diamond)"))
    if shown.baseline:
        items.append(("baseline", BASELINE, "Baseline (thin bar below)"))
    if shown.forecast:
        items.append(
            ("forecast", FORECAST, "Forecast or actual, where it differs (thin bar above)")
        )
    if shown.late:
        items.append(("late", LATE, "Late or overdue (hatched, labelled)"))
    items.append(("summary", SUMMARY, "Workstream: earliest start to latest forecast"))
    items.append(("line-today", MARKS["today"][0], "Today"))
    items.append(("line-go-live-target", MARKS["go-live-target"][0], "Go-live target"))
    if forecast_line:
        items.append(("line-forecast-go-live", MARKS["forecast-go-live"][0], "Forecast go-live"))
    legend = el(root, "g", id="legend")
    widths = [28 + text_width(label, 11) for _, _, label in items]
    placed = flow(widths, 16, WIDTH - 16, 20)
    for (kind, colour, label), (line, x) in zip(items, placed, strict=True):
        cy = y + 20 * line
        item = el(legend, "g", class_="legend-item")
        _swatch(item, kind, colour, x, cy)
        el(item, "text", label, x=x + 28, y=cy + 4)
    return y + 20 * (placed[-1][0] + 1)


def _swatch(parent: ET.Element, kind: str, colour: str, x: float, cy: float) -> None:
    if kind == "bar":
        bar(parent, x, x + 22, cy - 5, 10, fill=colour)
    elif kind == "diamond":
        diamond(parent, x + 11, cy, 6, fill=colour, stroke=TEXT, stroke_width=0.8)
    elif kind in ("baseline", "forecast"):
        bar(parent, x, x + 22, cy - 2, 4, fill=colour)
    elif kind == "late":
        bar(parent, x, x + 22, cy - 5, 10, fill=CATEGORIES["planned"][1])
        bar(parent, x, x + 22, cy - 5, 10, fill="url(#late-hatch)", stroke=colour, stroke_width=1.5)
    elif kind == "summary":
        _summary_bar(parent, x, x + 22, cy)
    else:
        dash = MARKS[kind.removeprefix("line-")][1] or None
        el(
            parent,
            "line",
            x1=x,
            y1=cy,
            x2=x + 22,
            y2=cy,
            stroke=colour,
            stroke_width=2,
            stroke_dasharray=dash,
        )


def _marks(today: date, target: date, forecast: date) -> list[tuple[str, date, str]]:
    """The vertical lines: (id, day, label)."""
    if forecast == target:
        return [
            ("today", today, f"Today {long_date(today)}"),
            ("go-live-target", target, f"Go-live target {long_date(target)}, forecast on target"),
        ]
    return [
        ("today", today, f"Today {long_date(today)}"),
        ("go-live-target", target, f"Go-live target {long_date(target)}"),
        ("forecast-go-live", forecast, f"Forecast go-live {long_date(forecast)}"),
    ]


def _draw_marks(
    root: ET.Element,
    scale: TimeScale,
    marks: list[tuple[str, date, str]],
    label_top: float,
    top: float,
    bottom: float,
) -> None:
    """Today at midday, go-live at the end of its day, each labelled in its own line above the
    axis so that labels never overlap."""
    group = el(root, "g", id="marks")
    for k, (mark_id, day, label) in enumerate(marks):
        colour, dash = MARKS[mark_id]
        x = scale.x(day) + scale.px_per_day / 2 if mark_id == "today" else scale.x_end(day)
        y = label_top + 16 * k + 11
        line = el(group, "g", id=mark_id)
        el(
            line,
            "line",
            x1=x,
            y1=y + 3,
            x2=x,
            y2=bottom,
            stroke=colour,
            stroke_width=2,
            stroke_dasharray=dash or None,
        )
        # Label to the left of its line, or to the right where there is no room on the left.
        right = x - text_width(label, 11) - 4 < PLOT[0] - LABELS / 2
        el(
            line,
            "text",
            label,
            x=x + 4 if right else x - 4,
            y=y,
            fill=colour,
            font_weight="bold",
            text_anchor="start" if right else "end",
        )


def _summary_bar(parent: ET.Element, x0: float, x1: float, cy: float) -> None:
    """A workstream's span: a dark bar with a point down at each end."""
    bar(parent, x0, x1, cy - 4, 6, fill=SUMMARY)
    for x in (x0, max(x0 + 2, x1)):
        el(
            parent,
            "polygon",
            points=f"{x - 4:.1f},{cy + 2:.1f} {x + 4:.1f},{cy + 2:.1f} {x:.1f},{cy + 7:.1f}",
            fill=SUMMARY,
        )


def _heading(
    body: ET.Element, scale: TimeScale, group: list[GanttRow], name: str, rag: str | None, y: float
) -> None:
    code = group[0].milestone.workstream
    done = sum(1 for r in group if r.milestone.status == "complete")
    share = round(100 * done / len(group))
    start = min(min(r.start, r.milestone.forecast_start) for r in group)
    end = max(r.milestone.forecast_due for r in group)
    heading = el(body, "g", class_="workstream", data_workstream=code)
    summary = f"{name}: {len(group)} milestones, {done} complete ({share}%)"
    summary += f", {long_date(start)} to {long_date(end)}"
    if rag:
        summary += f", RAG {rag.title()}"
    el(heading, "title", summary)
    el(heading, "rect", x=0, y=y, width=WIDTH, height=HEADING, fill=BAND)
    cy = y + HEADING / 2
    # The name on one line, its progress under it: the whole label column for each.
    label = fit_lines(f"{name} ({code})", LABELS - 32, 12, lines=1)[0]
    el(heading, "text", label, x=16, y=cy - 3, font_size=12, font_weight="bold")
    progress = f"{done} of {len(group)} complete ({share}%)"
    progress += f", {long_date(start)} to {long_date(end)}"
    x = 16
    if rag in RAG_COLOURS:
        el(
            heading,
            "circle",
            cx=x + 4,
            cy=cy + 8,
            r=4,
            fill=RAG_COLOURS[rag],
            stroke=TEXT,
            stroke_width=0.5,
        )
        x += 12
    if rag:
        progress = f"{rag.title()}: {progress}"
    el(heading, "text", progress, x=x, y=cy + 11, font_size=10, fill=SECONDARY)
    _summary_bar(heading, scale.x(start), scale.x_end(end), cy)


def _hover(r: GanttRow) -> str:
    """The row's tooltip: the full title first, then its dates, owner and status."""
    m, p = r.milestone, r.planned
    lines = [f"{m.ref} {m.title}"]
    if p.kind == "point":
        lines.append(f"Due {long_date(p.due)}")
    else:
        lines.append(f"Planned {long_date(r.start)} to {long_date(p.due)}")
    if m.status == "complete":
        lines.append(f"Completed {long_date(m.forecast_due)}")
    elif m.forecast_due != p.due:
        lines.append(f"Forecast {long_date(m.forecast_due)}")
    if r.baseline_due is not None:
        lines.append(f"Baseline due {long_date(r.baseline_due)}")
    lines.append(f"Owner: {m.owner or 'nobody named'}")
    status = m.status.replace("_", " ")
    if m.overdue:
        status += ", overdue"
    elif is_late(m):
        status += ", late"
    lines.append(f"Status: {status}")
    if m.status != "complete":
        lines.append(f"Float: {m.total_float} working days")
    return "\n".join(lines)


def _row(body: ET.Element, scale: TimeScale, r: GanttRow, y: float) -> None:
    m, p = r.milestone, r.planned
    colour = CATEGORIES.get(r.category, CATEGORIES["planned"])[1]
    late = is_late(m)
    row = el(body, "g", class_="milestone", data_ref=m.ref, data_category=r.category)
    el(row, "title", _hover(r))
    el(row, "line", x1=0, y1=y + ROW, x2=WIDTH, y2=y + ROW, stroke="#f0f4f5", stroke_width=1)
    cy = y + ROW / 2

    labels = el(row, "g", clip_path="url(#label-column)")
    ref_width = max(52.0, text_width(m.ref, 11) + 8)
    el(labels, "text", m.ref, x=16, y=cy + 4, font_weight="bold")
    lines = fit_lines(m.title, LABELS - 24 - ref_width, 11)
    first = cy + 4 if len(lines) == 1 else cy - 2
    for k, text in enumerate(lines):
        el(labels, "text", text, x=16 + ref_width, y=first + 12 * k)

    marks = el(row, "g", class_="marks")
    point = p.kind == "point"
    half = scale.px_per_day / 2
    ends = [scale.x(r.start), scale.x_end(p.due)]
    if r.baseline_due is not None:
        b0 = r.baseline_start or r.baseline_due
        if point:
            diamond(
                marks,
                scale.x(r.baseline_due) + half,
                cy + 8,
                4,
                fill="#ffffff",
                stroke=SECONDARY,
                class_="baseline",
            )
        else:
            bar(
                marks,
                scale.x(b0),
                scale.x_end(r.baseline_due),
                cy + 7,
                4,
                fill=BASELINE,
                class_="baseline",
            )
        ends += [scale.x(b0), scale.x_end(r.baseline_due)]
    if _forecast_differs(r):
        f0, f1 = scale.x(m.forecast_start), scale.x_end(m.forecast_due)
        if point:
            plan_x, fore_x = scale.x(p.due) + half, scale.x(m.forecast_due) + half
            el(marks, "line", x1=plan_x, y1=cy, x2=fore_x, y2=cy, stroke=FORECAST, stroke_width=1.5)
            diamond(
                marks,
                fore_x,
                cy,
                5,
                fill=FORECAST,
                stroke=TEXT,
                stroke_width=0.6,
                class_="forecast",
            )
        else:
            bar(marks, f0, f1, cy - 11, 4, fill=FORECAST, class_="forecast")
        ends += [f0, f1]
    late_attrs: dict[str, object] = {"stroke": LATE, "stroke_width": 1.5} if late else {}
    if point:
        cx = scale.x(p.due) + half
        diamond(marks, cx, cy, 6.5, fill=colour, stroke=TEXT, stroke_width=0.8, class_="plan")
        if late:
            diamond(marks, cx, cy, 6.5, fill="url(#late-hatch)", class_="late", **late_attrs)
    else:
        x0, x1 = scale.x(r.start), scale.x_end(p.due)
        bar(marks, x0, x1, cy - 6, 11, fill=colour, class_="plan")
        if late:
            bar(marks, x0, x1, cy - 6, 11, fill="url(#late-hatch)", class_="late", **late_attrs)
    if late:
        word = "Overdue" if m.overdue else "Late"
        right = max(ends) + (8 if point else 6)
        if right + text_width(word, 10) > PLOT[1] + 20:
            el(
                marks,
                "text",
                word,
                x=min(ends) - 8,
                y=cy + 4,
                font_size=10,
                font_weight="bold",
                fill=LATE,
                text_anchor="end",
            )
        else:
            el(marks, "text", word, x=right, y=cy + 4, font_size=10, font_weight="bold", fill=LATE)
