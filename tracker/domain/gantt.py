"""The Gantt chart's data: one row per milestone, grouped by workstream, plus the links.

The browser draws the chart (static/js/gantt.js) from this compact JSON, so the page stays
small at thousands of rows: rows are lists in ``COLUMNS`` order, dates are ISO strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.domain.figures import is_late
from tracker.scheduling import MilestoneForecast, PlannedDependency, PlannedMilestone

COLUMNS = (
    "ref",
    "title",
    "workstream",
    "owner",
    "point",  # 1 for a point milestone (a diamond), 0 for an activity (a bar)
    "start",
    "due",
    "forecast_start",
    "forecast_due",
    "baseline_start",  # null when the milestone is not in the baseline
    "baseline_due",
    "status",
    "rag",
    "float",  # null for a completed milestone: it has no float
    "category",  # complete, critical, driving or planned: picks the colour
    "late",
)

# How each category is drawn and named in the legend (NHS identity colours).
CATEGORIES = {
    "critical": ("Critical path (float 0 or less)", "#d5281b"),
    "driving": ("Driving path to go-live", "#330072"),
    "planned": ("Planned", "#005eb8"),
    "complete": ("Complete", "#768692"),
}


@dataclass(frozen=True)
class GanttRow:
    milestone: MilestoneForecast
    planned: PlannedMilestone
    baseline_start: date | None
    category: str

    @property
    def start(self) -> date:
        return self.planned.planned_start or self.planned.due


def category(m: MilestoneForecast) -> str:
    if m.status == "complete":
        return "complete"
    if m.critical:
        return "critical"
    if m.on_driving_path:
        return "driving"
    return "planned"


def gantt_rows(
    milestones: Iterable[MilestoneForecast],
    planned: Mapping[str, PlannedMilestone],
    baseline_starts: Mapping[str, date | None],
    workstream_order: Sequence[str],
) -> list[GanttRow]:
    """Rows grouped by workstream (in display order), then by planned start and due date."""
    rank = {code: k for k, code in enumerate(workstream_order)}
    rows = [
        GanttRow(m, planned[m.ref], baseline_starts.get(m.ref), category(m)) for m in milestones
    ]
    return sorted(
        rows,
        key=lambda r: (
            rank.get(r.milestone.workstream, len(rank)),
            r.start,
            r.planned.due,
            r.milestone.ref,
        ),
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def chart_data(
    rows: Sequence[GanttRow],
    dependencies: Iterable[PlannedDependency],
    workstream_names: Mapping[str, str],
    *,
    today: date,
    go_live_target: date,
    forecast_go_live: date,
) -> dict[str, Any]:
    """JSON-ready data for static/js/gantt.js."""
    index = {r.milestone.ref: k for k, r in enumerate(rows)}
    groups: list[list[Any]] = []
    for k, r in enumerate(rows):
        code = r.milestone.workstream
        if not groups or groups[-1][0] != code:
            groups.append([code, workstream_names.get(code, code), k, 0])
        groups[-1][3] += 1
    links = [
        [index[d.predecessor], index[d.successor], d.type, d.lag]
        for d in dependencies
        if d.predecessor in index and d.successor in index
    ]
    return {
        "columns": COLUMNS,
        "rows": [_row(r) for r in rows],
        "groups": groups,
        "links": links,
        "categories": {key: list(value) for key, value in CATEGORIES.items()},
        "today": today.isoformat(),
        "go_live_target": go_live_target.isoformat(),
        "forecast_go_live": forecast_go_live.isoformat(),
    }


def _row(r: GanttRow) -> list[Any]:
    m, p = r.milestone, r.planned
    in_baseline = m.baseline_slip_days is not None and p.baseline_due is not None
    return [
        m.ref,
        m.title,
        m.workstream,
        m.owner,
        1 if p.kind == "point" else 0,
        r.start.isoformat(),
        p.due.isoformat(),
        m.forecast_start.isoformat(),
        m.forecast_due.isoformat(),
        _iso(r.baseline_start or p.baseline_due) if in_baseline else None,
        _iso(p.baseline_due) if in_baseline else None,
        m.status,
        m.rag,
        None if m.status == "complete" else m.total_float,  # a completed milestone has none
        r.category,
        1 if is_late(m) else 0,
    ]
