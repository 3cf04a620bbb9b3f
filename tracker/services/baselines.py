"""Baselines: listing them, choosing the one slip is measured against, comparing one with the
plan as it stands."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import abort
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from tracker.domain.baselines import BaselineLine, Comparison, Summary, compare, summarise
from tracker.domain.text import strip_bidi
from tracker.extensions import db
from tracker.models import Baseline, BaselineItem, Programme
from tracker.services import board


@dataclass(frozen=True)
class BaselineRow:
    baseline: Baseline
    milestones: int
    current: bool


def baselines(programme: Programme) -> list[BaselineRow]:
    """The programme's baselines, newest first, with how many milestones each holds."""
    counts = dict(
        db.session.execute(
            select(BaselineItem.baseline_id, func.count())
            .join(Baseline, Baseline.id == BaselineItem.baseline_id)
            .where(Baseline.programme_id == programme.id)
            .group_by(BaselineItem.baseline_id)
        ).all()
    )
    found = db.session.scalars(
        select(Baseline)
        .where(Baseline.programme_id == programme.id)
        .order_by(Baseline.taken_at.desc(), Baseline.id.desc())
    )
    return [
        BaselineRow(b, counts.get(b.id, 0), b.id == programme.current_baseline_id) for b in found
    ]


def baseline_or_404(programme: Programme, baseline_id: int | None) -> Baseline:
    found = (
        db.session.get(Baseline, baseline_id)
        if baseline_id is not None
        else programme.current_baseline
    )
    if found is None or found.programme_id != programme.id:
        abort(404, description="There is no such baseline in this programme.")
    return found


def choose(programme: Programme, baseline: Baseline) -> None:
    """Measure slip against `baseline` from now on (the dashboard, the digest, the Gantt)."""
    programme.current_baseline = baseline


def comparison(programme: Programme, baseline: Baseline) -> tuple[list[Comparison], Summary]:
    schedule = board.schedule_for(programme)
    if schedule is None:
        abort(404, description="The programme has no milestones to compare yet.")
    items = db.session.execute(
        select(
            BaselineItem.ref, BaselineItem.title, BaselineItem.planned_start, BaselineItem.due_date
        ).where(BaselineItem.baseline_id == baseline.id)
    ).all()
    lines = compare(
        [BaselineLine(*row) for row in items],
        schedule.milestones,
        schedule.forecast.milestones,
        schedule.calendar,
    )
    forecast = schedule.forecast
    slip = schedule.calendar.working_days_between(baseline.go_live_date, forecast.forecast_go_live)
    return lines, summarise(lines, baseline.go_live_date, forecast.forecast_go_live, slip)


HEADERS = [
    "Ref",
    "Title",
    "Workstream",
    "Change",
    "Baseline due",
    "Due now",
    "Forecast",
    "Plan slip (working days)",
    "Forecast slip (working days)",
    "Status",
    "RAG",
]


def _row(line: Comparison) -> list[object]:
    return [
        line.ref,
        strip_bidi(line.title),  # bidi controls stored before they were removed on input
        line.workstream or "",
        line.change,
        line.baseline_due,
        line.planned_due,
        line.forecast_due,
        line.plan_slip,
        line.forecast_slip,
        (line.status or "").replace("_", " "),
        line.rag or "",
    ]


def comparison_csv(lines: list[Comparison]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens it with the right characters."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for line in lines:
        writer.writerow(
            [
                value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value
                for value in _row(line)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def comparison_xlsx(lines: list[Comparison], label: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Baseline comparison"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append(_row(line))
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = "dd/mm/yyyy"
    for column, width in zip(
        "ABCDEFGHIJK", (10, 50, 12, 10, 13, 13, 13, 12, 12, 13, 8), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.title = f"Comparison with {label}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
