"""The programme exported as Microsoft Project XML (MSPDI).

First the mapping on plain data (tracker/domain/project_export.py), then the download on the
seeded Kent and Medway programme, read back with MPXJ (tracker/project_files/files.py): the
same tasks, links, lags and dates. The seed's today is Monday 4 April 2022.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import sign_in_as
from tests.helpers import milestone, page
from tests.helpers import programme as seeded_programme
from tracker.audit import Actor, acting_as
from tracker.domain.project_data import Baseline as ProjectBaseline
from tracker.domain.project_data import ProjectData, Span, Task
from tracker.domain.project_export import (
    MOST_BASELINES,
    ExportBaseline,
    ExportWorkstream,
    baseline_numbers,
    project_of,
)
from tracker.domain.validation import years_later
from tracker.extensions import db
from tracker.models import (
    Baseline,
    BaselineItem,
    CalendarClosure,
    Dependency,
    Milestone,
    Workstream,
)
from tracker.project_files import files
from tracker.scheduling import WorkingCalendar
from tracker.scheduling.programme_data import PlannedDependency, PlannedMilestone
from tracker.services.schedule import calendar_for, planned_dependencies, planned_milestones

BASE = "/p/kent-and-medway"
TODAY = date(2022, 4, 14)  # a Thursday, between Easter's closure and Good Friday
CLOSED = date(2022, 4, 13)  # a Wednesday the programme is closed
CLOSED_SATURDAY = date(2022, 4, 16)
GO_LIVE = date(2022, 7, 1)

WORKSTREAMS = [
    ExportWorkstream("GOV", "Governance", "Board and committees"),
    ExportWorkstream("EMPTY", "Nothing planned yet"),
    ExportWorkstream("PEO", "People"),
]


def at(d: date, hour: int) -> datetime:
    return datetime(d.year, d.month, d.day, hour)


def milestone_of(
    ref: str,
    workstream: str,
    due: date,
    start: date | None = None,
    status: str = "not_started",
    completed_on: date | None = None,
    owner: str = "Ann Archer",
) -> PlannedMilestone:
    return PlannedMilestone(
        ref=ref,
        title=f"{ref} title",
        workstream=workstream,
        owner=owner,
        kind="point" if start is None else "activity",
        planned_start=start,
        due=due,
        status=status,
        completed_on=completed_on,
    )


MILESTONES = [
    milestone_of("GOV-01", "GOV", date(2022, 4, 8), date(2022, 4, 4)),
    milestone_of(
        "GOV-02", "GOV", date(2022, 4, 20), status="complete", completed_on=date(2022, 4, 19)
    ),
    milestone_of(
        "PEO-01", "PEO", date(2022, 4, 22), date(2022, 4, 11), "in_progress", owner="Bob Baker"
    ),
    # Started ahead of its plan: by today, at the latest.
    milestone_of("PEO-02", "PEO", date(2022, 5, 6), date(2022, 5, 3), "in_progress"),
    milestone_of(
        "PEO-03",
        "PEO",
        date(2022, 4, 29),
        date(2022, 4, 25),
        "complete",
        completed_on=date(2022, 4, 12),  # done before it was planned to start
    ),
    milestone_of("PEO-99", "PEO", GO_LIVE),
]
LINKS = [
    PlannedDependency("GOV-01", "GOV-02", "FS", 0),
    PlannedDependency("GOV-01", "PEO-01", "SS", 2),
    PlannedDependency("PEO-01", "PEO-02", "FF", -3),
    PlannedDependency("PEO-02", "PEO-99", "SF", 1),
]


def calendar() -> WorkingCalendar:
    return WorkingCalendar(date(2022, 4, 1), "ENG", [CLOSED, CLOSED_SATURDAY])


def exported(
    milestones: list[PlannedMilestone] | None = None,
    links: list[PlannedDependency] | None = None,
    *,
    descriptions: dict[str, str] | None = None,
    project_uids: dict[str, int] | None = None,
    baselines: list[ExportBaseline] | None = None,
) -> ProjectData:
    return project_of(
        "Kent and Medway",
        calendar(),
        WORKSTREAMS,
        MILESTONES if milestones is None else milestones,
        LINKS if links is None else links,
        go_live=GO_LIVE,
        today=TODAY,
        descriptions=descriptions,
        project_uids=project_uids,
        baselines=baselines or [],
    )


def tasks_by_ref(project: ProjectData) -> dict[str, Task]:
    return {t.tracker_ref: t for t in project.tasks if t.tracker_ref is not None}


# The mapping, on plain data ----------------------------------------------------------------


def test_a_point_is_a_zero_duration_milestone_at_the_end_of_its_day() -> None:
    task = tasks_by_ref(exported(descriptions={"PEO-99": "The new ICB is established"}))["PEO-99"]
    assert task.milestone and not task.summary
    assert task.duration == Span(0, "DAYS")
    assert task.start == task.finish == at(GO_LIVE, 17)
    assert (task.constraint, task.constraint_date) == ("FNET", at(GO_LIVE, 17))
    assert (task.name, task.notes, task.resources) == (
        "PEO-99 title",
        "The new ICB is established",
        ("Ann Archer",),
    )
    assert (task.percent_complete, task.actual_start, task.actual_finish) == (0, None, None)


def test_an_activity_runs_from_its_morning_to_its_evening_in_working_days() -> None:
    tasks = tasks_by_ref(exported())
    gov = tasks["GOV-01"]
    assert not gov.milestone
    assert (gov.start, gov.finish) == (at(date(2022, 4, 4), 8), at(date(2022, 4, 8), 17))
    assert gov.duration == Span(5, "DAYS")
    assert (gov.constraint, gov.constraint_date) == ("SNET", at(date(2022, 4, 4), 8))
    assert gov.notes == ""
    # 11 to 22 April, less the closure on the 13th, Good Friday and Easter Monday.
    assert tasks["PEO-01"].duration == Span(7, "DAYS")
    assert tasks["PEO-01"].resources == ("Bob Baker",)


def test_progress_is_percent_complete_and_actual_dates() -> None:
    tasks = tasks_by_ref(exported())
    done_point = tasks["GOV-02"]
    assert done_point.percent_complete == 100
    assert done_point.actual_start == done_point.actual_finish == at(date(2022, 4, 19), 17)
    # Completed before its planned start: it ran from its completion date.
    early = tasks["PEO-03"]
    assert early.percent_complete == 100
    assert (early.actual_start, early.actual_finish) == (
        at(date(2022, 4, 12), 8),
        at(date(2022, 4, 12), 17),
    )
    assert (early.start, early.finish) == (at(date(2022, 4, 25), 8), at(date(2022, 4, 29), 17))
    # In progress: started (an actual start), with no fraction made up.
    started = tasks["PEO-01"]
    assert (started.percent_complete, started.actual_finish) == (0, None)
    assert started.actual_start == at(date(2022, 4, 11), 8)
    assert tasks["PEO-02"].actual_start == at(TODAY, 8)
    not_started = tasks["GOV-01"]
    assert (not_started.percent_complete, not_started.actual_start) == (0, None)


def test_links_keep_their_type_and_lag_in_working_days() -> None:
    project = exported()
    uid = {ref: t.uid for ref, t in tasks_by_ref(project).items()}
    found = {(link.predecessor_uid, link.successor_uid): link for link in project.links}
    for d in LINKS:
        link = found[uid[d.predecessor], uid[d.successor]]
        assert (link.type, link.lag) == (d.type, Span(d.lag, "DAYS"))
    assert len(project.links) == len(LINKS)
    assert found[uid["PEO-01"], uid["PEO-02"]].lag == Span(-3, "DAYS")  # a lead


def test_workstreams_are_summary_tasks_over_their_milestones() -> None:
    project = exported()
    summaries = [t for t in project.tasks if t.summary]
    # The empty workstream is left out: a summary task needs tasks under it.
    assert [(t.tracker_ref, t.name, t.outline_level) for t in summaries] == [
        ("GOV", "Governance", 1),
        ("PEO", "People", 1),
    ]
    gov, peo = summaries
    assert gov.notes == "Board and committees"
    assert gov.parent_uid is None and not gov.milestone
    # Each summary is followed by its milestones, in the plan's order, and IDs count rows.
    assert [(t.tracker_ref, t.id) for t in project.tasks] == [
        ("GOV", 1),
        ("GOV-01", 2),
        ("GOV-02", 3),
        ("PEO", 4),
        ("PEO-01", 5),
        ("PEO-02", 6),
        ("PEO-03", 7),
        ("PEO-99", 8),
    ]
    for t in project.tasks:
        if not t.summary:
            assert t.outline_level == 2
            parent = gov if (t.tracker_ref or "").startswith("GOV") else peo
            assert t.parent_uid == parent.uid
    assert (gov.start, gov.finish) == (at(date(2022, 4, 4), 8), at(date(2022, 4, 20), 17))
    assert (peo.start, peo.finish) == (at(date(2022, 4, 11), 8), at(GO_LIVE, 17))
    # GOV: a 5-day activity not started and a complete point.
    assert gov.percent_complete == 0
    assert gov.actual_start == at(date(2022, 4, 19), 17)
    assert gov.actual_finish is None  # not every milestone under it is complete
    assert project.start == at(date(2022, 4, 4), 8)
    assert project.resources == ("Ann Archer", "Bob Baker")
    assert project.file_format == "MSPDI" and project.name == "Kent and Medway"


def test_the_calendar_holds_every_weekday_bank_holiday_and_closure() -> None:
    cal = exported().calendar
    assert cal is not None
    assert cal.working_weekdays == (0, 1, 2, 3, 4)
    assert cal.working == ()
    days = set(cal.non_working)
    assert {
        CLOSED,
        date(2022, 4, 15),  # Good Friday
        date(2022, 4, 18),  # Easter Monday
        date(2022, 5, 2),
        date(2022, 6, 2),
        date(2022, 6, 3),  # the Platinum Jubilee
        date(2022, 12, 26),
        date(2022, 12, 27),  # Christmas Day (a Sunday), observed on the Tuesday
        date(2023, 5, 8),  # the Coronation, in the year after go-live
    } <= days
    assert all(d.weekday() < 5 for d in days)  # a weekend is never worked anyway
    assert CLOSED_SATURDAY not in days
    # From the programme's start to a year after go-live (the plan's last date).
    assert min(days) >= date(2022, 4, 1)
    assert max(days) <= date(2023, 7, 1)
    assert date(2023, 8, 28) not in days
    assert list(cal.non_working) == sorted(days)


def test_a_closure_outside_the_plans_window_is_kept() -> None:
    far = date(2030, 3, 6)  # a Wednesday
    project = project_of(
        "P",
        WorkingCalendar(date(2022, 4, 1), "SCT", [far]),
        WORKSTREAMS,
        MILESTONES,
        LINKS,
        go_live=GO_LIVE,
        today=TODAY,
    )
    assert project.calendar is not None
    assert far in project.calendar.non_working
    assert date(2022, 4, 18) not in project.calendar.non_working  # no Easter Monday in Scotland
    assert date(2022, 8, 1) in project.calendar.non_working  # Scotland's summer bank holiday


def baselines_taken(count: int, current: int | None) -> list[ExportBaseline]:
    first = datetime(2021, 1, 4, 9)
    return [
        ExportBaseline(
            f"Baseline {n}",
            first + timedelta(days=7 * n),
            {"GOV-01": (date(2022, 3, 28), date(2022, 4, 1) + timedelta(days=n))}
            | ({"PEO-99": (None, GO_LIVE)} if n % 2 else {}),
            current=n == current,
        )
        for n in range(count)
    ]


def test_baseline_is_the_current_one_then_the_most_recent_and_at_most_eleven() -> None:
    taken = baselines_taken(14, current=5)
    random.Random(3).shuffle(taken)
    numbered = baseline_numbers(taken)
    assert len(numbered) == MOST_BASELINES == 11
    assert [(n, b.label) for n, b in numbered] == [(0, "Baseline 5")] + [
        (i, f"Baseline {13 - i + 1}") for i in range(1, 9)
    ] + [(9, "Baseline 4"), (10, "Baseline 3")]
    # Without a current one, Baseline is the most recent.
    assert baseline_numbers(baselines_taken(3, current=None))[0][1].label == "Baseline 2"
    assert baseline_numbers([]) == []


def test_each_task_carries_its_dates_in_each_exported_baseline() -> None:
    tasks = tasks_by_ref(exported(baselines=baselines_taken(14, current=5)))
    gov = tasks["GOV-01"].baselines
    assert [b.number for b in gov] == list(range(11))
    assert gov[0] == ProjectBaseline(
        0, at(date(2022, 3, 28), 8), at(date(2022, 4, 6), 17), Span(8, "DAYS")
    )  # Baseline 5: due 6 April; 28 March to 6 April is 8 working days
    assert gov[1].finish == at(date(2022, 4, 14), 17)  # Baseline 13
    # The point is only in the baselines taken in odd-numbered weeks (5, 13, 11, ...).
    point = tasks["PEO-99"].baselines
    assert [b.number for b in point] == [0, 1, 3, 5, 7, 10]
    assert point[0] == ProjectBaseline(0, at(GO_LIVE, 17), at(GO_LIVE, 17), Span(0, "DAYS"))
    assert tasks["PEO-01"].baselines == ()  # in none of them
    gov_summary = next(t for t in exported(baselines=baselines_taken(2, 0)).tasks if t.summary)
    assert [(b.number, b.start, b.finish) for b in gov_summary.baselines] == [
        (0, at(date(2022, 3, 28), 8), at(date(2022, 4, 1), 17)),
        (1, at(date(2022, 3, 28), 8), at(date(2022, 4, 2), 17)),
    ]


def test_stored_uids_are_kept_and_the_rest_follow_in_ref_order() -> None:
    project = exported(project_uids={"PEO-01": 40, "GOV-02": 7})
    uid = {t.tracker_ref: t.uid for t in project.tasks}
    assert uid == {
        "GOV-02": 7,
        "PEO-01": 40,
        "GOV-01": 41,
        "PEO-02": 42,
        "PEO-03": 43,
        "PEO-99": 44,
        "GOV": 45,
        "PEO": 46,
    }
    # The same plan in another order gets the same UIDs.
    shuffled = list(MILESTONES)
    random.Random(1).shuffle(shuffled)
    again = exported(shuffled, project_uids={"PEO-01": 40, "GOV-02": 7})
    assert {t.tracker_ref: t.uid for t in again.tasks} == uid
    # Without stored ones they start at 1 (UID 0 is Project's own project summary task).
    fresh = {t.tracker_ref: t.uid for t in exported().tasks}
    assert sorted(fresh.values()) == list(range(1, 9))
    assert fresh["GOV-01"] == 1 and fresh["GOV"] == 7


def test_a_uid_is_never_given_twice() -> None:
    uid = {t.tracker_ref: t.uid for t in exported(project_uids={"GOV-01": 3, "GOV-02": 3}).tasks}
    assert uid["GOV-01"] == 3
    assert len(set(uid.values())) == len(uid)


def test_a_plan_that_does_not_hang_together_is_refused() -> None:
    stray = milestone_of("ENG-01", "ENG", date(2022, 5, 6))
    with pytest.raises(ValueError, match="ENG-01 is in workstream 'ENG'"):
        exported([*MILESTONES, stray])
    with pytest.raises(ValueError, match="names GOV-77"):
        exported(links=[PlannedDependency("GOV-77", "GOV-01")])


def test_an_empty_plan_is_an_empty_project() -> None:
    project = exported([], [])
    assert (project.tasks, project.links, project.start) == ((), (), None)
    assert project.calendar is not None and date(2022, 4, 15) in project.calendar.non_working


# The download, on the seeded programme, read back by MPXJ ----------------------------------

OFFICE_MOVE = date(2022, 5, 4)  # a Wednesday the programme is closed, added here


def add_to_the_seed() -> None:
    """What the seed lacks: a start-to-finish link with a lead, a closure, and a milestone
    imported from Project (its UID kept)."""
    kent = seeded_programme()
    with acting_as(Actor("test")):
        db.session.add(
            Dependency(
                programme=kent,
                predecessor=milestone("GOV-01"),  # nothing comes before it: no loop
                successor=milestone("GOV-03"),
                type="SF",
                lag_days=-2,
            )
        )
        db.session.add(CalendarClosure(programme=kent, closed_on=OFFICE_MOVE, reason="Move"))
        milestone("GOV-14").project_uid = 5000
        db.session.commit()


@pytest.mark.usefixtures("java")
def test_the_download_reads_back_as_the_same_plan(client: FlaskClient, tmp_path: Path) -> None:
    add_to_the_seed()
    response = client.get(f"{BASE}/export.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=kent-and-medway-plan-2022-04-04.xml"
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert b'xmlns="http://schemas.microsoft.com/project"' in response.data[:500]
    path = tmp_path / "plan.xml"
    path.write_bytes(response.data)
    back = files.read_project(path)

    kent = seeded_programme()
    planned = planned_milestones(kent)
    tasks = {t.tracker_ref: t for t in back.tasks}
    assert len(back.tasks) == len(planned) + len({m.workstream for m in planned})
    # Workstreams: summary tasks at the top, their code in the tracker's field.
    workstreams = db.session.execute(
        select(Workstream.code, Workstream.name).where(Workstream.programme_id == kent.id)
    ).all()
    for code, name in workstreams:
        summary = tasks[code]
        assert (summary.summary, summary.outline_level, summary.name) == (True, 1, name)
    # Milestones: a task each under its workstream, with its title, description and dates.
    descriptions = dict(db.session.execute(select(Milestone.ref, Milestone.description)).all())
    for m in planned:
        task = tasks[m.ref]
        assert task.parent_uid == tasks[m.workstream].uid, m.ref
        assert (task.outline_level, task.summary) == (2, False), m.ref
        assert (task.name, task.notes) == (m.title, descriptions[m.ref]), m.ref
        assert task.resources == (m.owner,), m.ref
        assert task.start is not None and task.finish is not None
        assert task.finish.date() == m.due, m.ref
        if m.kind == "point":
            assert task.milestone and task.duration == Span(0, "DAYS"), m.ref
            assert task.start == task.finish, m.ref
        else:
            assert not task.milestone, m.ref
            assert task.start.date() == m.planned_start, m.ref
        if m.status == "complete":
            assert task.percent_complete == 100, m.ref
            assert task.actual_finish is not None, m.ref
            assert task.actual_finish.date() == m.completed_on, m.ref
        else:
            assert task.actual_finish is None, m.ref
        assert (task.actual_start is not None) == (m.status in ("complete", "in_progress"))
    assert tasks["GOV-14"].uid == 5000
    # Links: the same ends, type and lag in working days.
    uids = {t.uid: t.tracker_ref for t in back.tasks}
    links = sorted(
        (uids[x.predecessor_uid], uids[x.successor_uid], x.type, x.lag) for x in back.links
    )
    assert links == sorted(
        (d.predecessor, d.successor, d.type, Span(d.lag, "DAYS"))
        for d in planned_dependencies(kent)
    )
    assert ("GOV-01", "GOV-03", "SF", Span(-2, "DAYS")) in links
    assert {x[2] for x in links} == {"FS", "SS", "FF", "SF"}
    assert any(x[3].value < 0 for x in links)
    # The calendar: weekdays worked, less bank holidays and the closure.
    assert back.calendar is not None
    assert back.calendar.working_weekdays == (0, 1, 2, 3, 4)
    closed = set(back.calendar.non_working)
    assert {
        date(2021, 8, 30),  # the summer bank holiday after the programme's start
        date(2021, 12, 27),
        date(2021, 12, 28),  # Christmas and Boxing Day (a weekend), observed
        date(2022, 4, 15),
        date(2022, 4, 18),
        date(2022, 6, 2),
        date(2022, 6, 3),
        OFFICE_MOVE,
    } <= closed
    # Every weekday not worked, from the programme's start to a year after the plan's (or
    # its baselines') last date.
    plan_dates = [kent.go_live_date] + [
        d for m in planned for d in (m.planned_start, m.due, m.completed_on) if d is not None
    ]
    plan_dates += db.session.scalars(select(BaselineItem.due_date)).all()
    first, last = kent.start_date, years_later(max(plan_dates), 1)
    cal = calendar_for(kent)
    assert closed == {
        d
        for d in (first + timedelta(days=n) for n in range((last - first).days + 1))
        if d.weekday() < 5 and not cal.is_working_day(d)
    }
    # Baseline is the one slip is measured against (July 2022), Baseline1 the April one.
    items = {
        (b.label, i.ref): i
        for b, i in db.session.execute(
            select(Baseline, BaselineItem).join(BaselineItem.baseline)
        ).all()
    }
    assert kent.current_baseline is not None
    assert kent.current_baseline.label == "Plan for go-live 1 July 2022"
    for m in planned:
        held = {b.number: b for b in tasks[m.ref].baselines}
        for number, label in (
            (0, "Plan for go-live 1 July 2022"),
            (1, "Plan for go-live 1 April 2022"),
        ):
            item = items.get((label, m.ref))
            if item is None:
                assert number not in held, (m.ref, label)
                continue
            finish = held[number].finish
            assert finish is not None and finish.date() == item.due_date, (m.ref, label)
        assert set(held) <= {0, 1}
    assert back.start is not None and back.start.date() == min(
        d for m in planned for d in (m.planned_start, m.due) if d is not None
    )


def test_the_export_page_links_to_the_download(role_client: FlaskClient) -> None:
    link = page(role_client.get(f"{BASE}/spreadsheets/")).find(id="export-project")
    assert link is not None and link["href"] == f"{BASE}/export.xml"


def test_a_non_member_is_told_there_is_no_such_programme(app: Flask) -> None:
    from tracker.services.accounts import create_user

    create_user("olive.outsider@example.org", None, "Olive Outsider")
    outsider = sign_in_as(app.test_client(), "olive.outsider@example.org")
    response = outsider.get(f"{BASE}/export.xml")
    assert response.status_code == 404
    assert b"There is no programme called" in response.data
    assert response.mimetype == "text/html"


def test_an_anonymous_visitor_is_sent_to_sign_in(anonymous_client: FlaskClient) -> None:
    response = anonymous_client.get(f"{BASE}/export.xml")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")


def test_without_java_the_page_says_so(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "java_available", lambda: False)
    response = client.get(f"{BASE}/export.xml")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    main = page(response).main
    assert main is not None
    text = main.get_text(" ", strip=True)
    assert "The Microsoft Project file could not be made" in text
    assert "it needs a Java runtime" in text


def test_a_point_in_progress_started_by_today_and_a_blocked_one_not_at_all() -> None:
    plan = [
        milestone_of("GOV-01", "GOV", date(2022, 5, 6), status="in_progress"),
        milestone_of("GOV-02", "GOV", date(2022, 4, 8), status="in_progress"),  # overdue
        milestone_of("GOV-03", "GOV", date(2022, 5, 6), date(2022, 4, 4), "blocked"),
    ]
    tasks = tasks_by_ref(exported(plan, []))
    assert tasks["GOV-01"].actual_start == at(TODAY, 17)
    assert tasks["GOV-02"].actual_start == at(date(2022, 4, 8), 17)
    blocked = tasks["GOV-03"]
    assert (blocked.percent_complete, blocked.actual_start, blocked.actual_finish) == (
        0,
        None,
        None,
    )
