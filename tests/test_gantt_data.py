"""The Gantt chart's JSON (tracker/domain/gantt.py) from a small forecast plan, no app."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.domain.gantt import COLUMNS, GROUP_COLUMNS, chart_data, gantt_rows
from tracker.scheduling import (
    PlannedDependency,
    PlannedMilestone,
    ProgrammeForecast,
    WorkingCalendar,
    forecast_programme,
)

TODAY = date(2022, 5, 16)
GO_LIVE = date(2022, 7, 1)
M = PlannedMilestone


def plan() -> list[PlannedMilestone]:
    return [
        M("GOV-01", "ICB constitution approved", "GOV", "Sam Patel", "point", None,
          date(2022, 4, 29), "complete", completed_on=date(2022, 4, 28),
          baseline_due=date(2022, 4, 22)),
        M("HR-01", "Staff list agreed", "HR", "Alex Moore", "activity", date(2022, 4, 4),
          date(2022, 4, 29), "in_progress", baseline_due=date(2022, 4, 29)),
        M("HR-02", "TUPE consultation", "HR", "Becca Bradd", "activity", date(2022, 5, 3),
          date(2022, 5, 27), "not_started", baseline_due=date(2022, 5, 27)),
        M("GOV-09", "ICB go-live", "GOV", "Sam Patel", "point", None, GO_LIVE, "not_started",
          baseline_due=GO_LIVE),
        M("HR-09", "Post go-live review", "HR", "Alex Moore", "point", None,
          date(2022, 9, 30), "not_started"),
    ]  # fmt: skip


def links() -> list[PlannedDependency]:
    return [
        PlannedDependency("HR-01", "HR-02"),
        PlannedDependency("HR-02", "GOV-09"),
        PlannedDependency("GOV-01", "GOV-09"),
        PlannedDependency("GOV-09", "HR-09"),
    ]


def forecast() -> ProgrammeForecast:
    return forecast_programme(
        plan(),
        links(),
        go_live_ref="GOV-09",
        go_live_target=GO_LIVE,
        today=TODAY,
        calendar=WorkingCalendar(date(2022, 4, 1)),
        baseline_go_live=GO_LIVE,
    )


def data(baseline: Any = None, label: str | None = "April plan") -> dict[str, Any]:
    f = forecast()
    planned = {m.ref: m for m in plan()}
    starts = {"HR-01": date(2022, 4, 4), "HR-02": date(2022, 5, 3)}
    rows = gantt_rows(f.milestones.values(), planned, starts, ["GOV", "HR"], baseline=baseline)
    return chart_data(
        rows,
        links(),
        {"GOV": "Governance", "HR": "People"},
        today=f.today,
        go_live_target=f.go_live_target,
        forecast_go_live=f.forecast_go_live,
        driving_path=f.driving_path,
        go_live_ref=f.go_live_ref,
        baseline_label=label,
    )


def row(chart: dict[str, Any], ref: str) -> dict[str, Any]:
    found = next(r for r in chart["rows"] if r[0] == ref)
    return dict(zip(chart["columns"], found, strict=True))


def test_rows_are_lists_in_column_order_grouped_by_workstream() -> None:
    chart = data()
    assert chart["columns"] == COLUMNS and all(len(r) == len(COLUMNS) for r in chart["rows"])
    assert [r[0] for r in chart["rows"]] == ["GOV-01", "GOV-09", "HR-01", "HR-02", "HR-09"]
    assert chart["group_columns"] == GROUP_COLUMNS


def test_each_workstream_has_a_summary_row() -> None:
    groups = [dict(zip(GROUP_COLUMNS, g, strict=True)) for g in data()["groups"]]
    gov, hr = groups
    assert (gov["code"], gov["name"], gov["first"], gov["count"]) == ("GOV", "Governance", 0, 2)
    assert (hr["first"], hr["count"]) == (2, 3)
    assert gov["complete"] == 50 and hr["complete"] == 0  # one of GOV's two is complete
    # GOV-01 was done on the 28th, a day before it was due: the summary starts there.
    assert gov["start"] == "2022-04-28" and gov["end"] == "2022-07-01"
    assert hr["start"] == "2022-04-04" and hr["end"] == "2022-09-30"
    assert hr["rag"] == "red"  # HR-01 is overdue: the worst RAG of the workstream


def test_actual_dates_lateness_and_float() -> None:
    chart = data()
    done = row(chart, "GOV-01")
    assert done["completed_on"] == "2022-04-28" and done["float"] is None
    assert done["category"] == "complete"
    overdue = row(chart, "HR-01")
    assert overdue["overdue"] == 1 and overdue["late"] == 1 and overdue["completed_on"] is None
    assert isinstance(overdue["float"], int)
    assert row(chart, "HR-09")["late"] == 0


def test_the_driving_path_and_links_are_row_indexes() -> None:
    chart = data()
    refs = [r[0] for r in chart["rows"]]
    assert [refs[k] for k in chart["driving"]][-1] == "GOV-09" == refs[chart["go_live"]]
    assert [refs[a] + ">" + refs[b] for a, b, *_ in chart["links"]] == [
        "HR-01>HR-02",
        "HR-02>GOV-09",
        "GOV-01>GOV-09",
        "GOV-09>HR-09",
    ]


def test_the_current_baseline_by_default() -> None:
    chart = data()
    assert chart["baseline"] == "April plan"
    assert row(chart, "GOV-01")["baseline_due"] == "2022-04-22"
    assert row(chart, "HR-02")["baseline_start"] == "2022-05-03"
    assert row(chart, "HR-09")["baseline_due"] is None  # not in the baseline


def test_a_chosen_baseline_replaces_the_current_ones_dates() -> None:
    chosen = {"HR-02": (date(2022, 5, 9), date(2022, 6, 3)), "HR-09": (None, date(2022, 9, 1))}
    chart = data(chosen, "Older plan")
    assert chart["baseline"] == "Older plan"
    assert (row(chart, "HR-02")["baseline_start"], row(chart, "HR-02")["baseline_due"]) == (
        "2022-05-09",
        "2022-06-03",
    )
    # A point milestone (no start) starts and ends on its due date.
    assert row(chart, "HR-09")["baseline_start"] == row(chart, "HR-09")["baseline_due"]
    assert row(chart, "GOV-01")["baseline_due"] is None  # not in the chosen baseline


def test_no_baseline_shown() -> None:
    chart = data({}, None)
    assert chart["baseline"] is None
    assert all(row(chart, r[0])["baseline_due"] is None for r in chart["rows"])
