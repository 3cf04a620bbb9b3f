"""Schedule agreement: for a plan from Microsoft Project that uses only what the tracker
models (FS, SS, FF and SF links, lags and leads in working days, one calendar), the
tracker's forecast dates and float equal the dates and total slack Project works out.

Project's side is worked out independently of the tracker: the file is written by MPXJ,
scheduled by MPXJ's MicrosoftScheduler (which follows Project's own rules) in its own
process (tests/ms_project_scheduler.py), and read back as Project would save it. The
tracker then imports it as a new programme and schedules it with its own engine."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import ADMIN
from tracker.cli.common import OPERATOR
from tracker.domain.project_data import Calendar, Link, ProjectData, Span, Task
from tracker.domain.project_import import working_days
from tracker.project_files import files
from tracker.services import board, project_import

pytestmark = pytest.mark.usefixtures("java")  # MPXJ runs in a Java runtime

START = datetime(2022, 5, 9, 8, 0)  # a Monday
SCHEDULER = Path(__file__).with_name("ms_project_scheduler.py")


def summary(uid: int, name: str) -> Task:
    return Task(uid, uid, name, 1, None, True, False, Span(0, "DAYS"), START, START)


def work(uid: int, name: str, parent: int, days: float) -> Task:
    point = days == 0
    return Task(uid, uid, name, 2, parent, False, point, Span(days, "DAYS"), START, START)


def network() -> ProjectData:
    """Two workstreams and go-live, with each kind of link, a lag, a lead, a closure day and
    the 2 and 3 June 2022 bank holidays in the way."""
    tasks = (
        summary(1, "Finance"),
        work(2, "Close the ledger", 1, 5),
        work(3, "Audit the accounts", 1, 10),
        work(4, "Accounts signed off", 1, 0),
        work(5, "Shadow running", 1, 4),
        summary(10, "People"),
        work(11, "Staff consultation", 10, 15),
        work(12, "TUPE letters", 10, 3),
        work(13, "Staff transferred", 10, 0),
        work(14, "Payroll parallel run", 10, 6),
        summary(20, "Go-live"),
        work(21, "Board go-live", 20, 0),
    )
    d = "DAYS"
    links = (
        Link(2, 3, "FS", Span(2, d)),  # a lag
        Link(3, 4, "FF", Span(0, d)),
        Link(3, 5, "SF", Span(5, d)),
        Link(2, 11, "SS", Span(3, d)),
        Link(11, 12, "FS", Span(-2, d)),  # a lead
        Link(12, 13, "FS", Span(0, d)),
        Link(11, 14, "SS", Span(1, d)),
        Link(4, 21, "FS", Span(1, d)),
        Link(13, 21, "FS", Span(0, d)),
        Link(5, 21, "FF", Span(0, d)),
        Link(14, 21, "FS", Span(0, d)),
    )
    calendar = Calendar(
        "Standard", non_working=(date(2022, 5, 16), date(2022, 6, 2), date(2022, 6, 3))
    )
    return ProjectData("Agreement", "MSPDI", START, calendar=calendar, tasks=tasks, links=links)


def scheduled_by_project(tmp_path: Path) -> ProjectData:
    written = tmp_path / "plan.xml"
    written.write_bytes(files.write_mspdi(network()))
    scheduled = tmp_path / "scheduled.xml"
    subprocess.run(
        [sys.executable, str(SCHEDULER), str(written), str(scheduled), START.isoformat()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return files.read_project(scheduled)


def test_the_trackers_forecast_and_float_agree_with_projects(app: Flask, tmp_path: Path) -> None:
    project = scheduled_by_project(tmp_path)
    tasks = {t.name: t for t in project.tasks if not t.summary}
    # Project's own answer, as a check that the plan is not trivial.
    assert tasks["Board go-live"].finish is not None
    assert tasks["Board go-live"].finish.date() > date(2022, 6, 3)
    slack = {
        name: round(working_days(t.total_slack, project)[0]) if t.total_slack else 0
        for name, t in tasks.items()
    }
    assert any(s > 0 for s in slack.values()), slack

    programme, _ = project_import.create_programme_from_project(
        OPERATOR,
        project_import.NewFromProject("Agreement ICB", "A CCG", "An ICB"),
        project,
        "scheduled.xml",
        admin_email=ADMIN,
    )
    schedule = board.schedule_for(programme)
    assert schedule is not None
    by_title = {m.title: m for m in schedule.forecast.milestones.values()}
    assert set(by_title) == set(tasks)
    for name, task in tasks.items():
        ours = by_title[name]
        assert task.start is not None and task.finish is not None
        theirs = (task.start.date(), task.finish.date(), slack[name])
        mine = (ours.forecast_start, ours.forecast_due, ours.total_float)
        if task.milestone:  # a point has no start of its own in the tracker
            theirs, mine = theirs[1:], mine[1:]
        assert mine == theirs, name
    assert schedule.forecast.forecast_go_live == tasks["Board go-live"].finish.date()
