"""Microsoft Project import: the mapping on plain data, and the service on the seeded
programme (preview, all or nothing, matched by UID, roles). The file reading itself (MPXJ
in its own process) is tested in test_project_files_bridge.py; the pages and the command
line in test_project_import_pages.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD
from tests.helpers import audit_count, milestone, programme, user
from tracker.domain.project_data import Baseline, Calendar, Link, ProjectData, Span, Task
from tracker.domain.project_import import ImportContext, map_project, working_days
from tracker.extensions import db
from tracker.models import Baseline as StoredBaseline
from tracker.models import CalendarClosure, Milestone, Workstream
from tracker.services import project_import
from tracker.services.unit_of_work import ChangeRefused, Refusal


def at(day: str, hour: int = 17) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00")


def task(uid: int, name: str, parent: int | None, **kw: Any) -> Task:
    defaults: dict[str, Any] = dict(
        id=uid,
        outline_level=1 if parent is None else 2,
        parent_uid=parent,
        summary=False,
        milestone=False,
        duration=Span(5, "DAYS"),
        start=at("2022-05-09", 8),
        finish=at("2022-05-13"),
    )
    defaults.update(kw)
    return Task(uid=uid, name=name, **defaults)


def estates_plan(**changes: Any) -> ProjectData:
    """A small plan: one summary task (a new workstream) with an activity and a point."""
    tasks = (
        task(1, "Estates", None, summary=True, duration=Span(10, "DAYS")),
        task(2, "Survey the sites", 1, resources=("Becca Bradd",)),
        task(
            3,
            "Estates handover agreed",
            1,
            milestone=True,
            duration=Span(0, "DAYS"),
            start=at("2022-05-20"),
            finish=at("2022-05-20"),
            resources=("Someone Unknown",),
            baselines=(Baseline(0, at("2022-05-20"), at("2022-05-20"), Span(0, "DAYS")),),
        ),
    )
    project = ProjectData(
        name="Estates transfer",
        file_format="MSPDI",
        start=at("2022-05-09", 8),
        calendar=Calendar("Standard", non_working=(date(2022, 5, 16), date(2022, 6, 2))),
        tasks=tasks,
        links=(Link(2, 3, "FS", Span(4800 / 600, "HOURS")),),  # LinkLag 4800 = 1 day
        resources=("Becca Bradd", "Someone Unknown"),
    )
    return replace(project, **changes)


def context(**kw: Any) -> ImportContext:
    values: dict[str, Any] = dict(
        workstreams={"GOV": "Governance"},
        milestone_uids={},
        refs=frozenset({"GOV-01"}),
        people={"becca bradd": ("becca.bradd@example.org",)},
        default_owner="sarah.collins@example.org",
        is_working_day=lambda d: d.weekday() < 5 and d != date(2022, 6, 2),
        holiday_name=lambda d: "Queen's Platinum Jubilee" if d == date(2022, 6, 2) else None,
    )
    values.update(kw)
    return ImportContext(**values)


# --- the mapping ---------------------------------------------------------------------------


def test_summary_tasks_become_workstreams_and_tasks_milestones() -> None:
    mapped = map_project(estates_plan(), context())
    assert mapped.ok, mapped.problems
    assert mapped.new_workstreams == (("EST", "Estates"),)
    survey, handover = mapped.milestones
    assert (survey.ref, survey.kind, survey.workstream) == ("EST-01", "activity", "EST")
    assert (survey.planned_start, survey.due_date) == (date(2022, 5, 9), date(2022, 5, 13))
    assert survey.owner_email == "becca.bradd@example.org"
    assert (handover.ref, handover.kind, handover.planned_start) == ("EST-02", "point", None)
    assert handover.due_date == date(2022, 5, 20)
    assert handover.owner_email == "sarah.collins@example.org"  # no one matched: the importer
    assert mapped.unmatched_resources == ("Someone Unknown",)
    assert [(d.predecessor, d.successor, d.type, d.lag_days) for d in mapped.dependencies] == [
        ("EST-01", "EST-02", "FS", 1)
    ]
    assert mapped.uids == {"EST-01": 2, "EST-02": 3}
    # 16 May is a closure in Project's calendar; 2 June is a bank holiday already.
    assert mapped.closures == (date(2022, 5, 16),)
    assert [(b.label, dict(b.dates)) for b in mapped.baselines] == [
        ("Project Baseline", {"EST-02": (None, date(2022, 5, 20))})
    ]


def test_an_existing_workstream_is_matched_by_name_and_a_milestone_by_uid() -> None:
    mapped = map_project(
        estates_plan(),
        context(
            workstreams={"ESX": "estates"},
            milestone_uids={3: "ESX-07"},
            refs=frozenset({"ESX-07", "ESX-01"}),
        ),
    )
    assert mapped.new_workstreams == ()
    assert [m.ref for m in mapped.milestones] == ["ESX-02", "ESX-07"]


def test_the_exported_reference_comes_back_unless_another_milestone_holds_it() -> None:
    tasks = list(estates_plan().tasks)
    tasks[1] = replace(tasks[1], tracker_ref="GOV-01")
    tasks[2] = replace(tasks[2], tracker_ref="GOV-09")
    mapped = map_project(estates_plan(tasks=tuple(tasks)), context(milestone_uids={50: "GOV-09"}))
    assert [m.ref for m in mapped.milestones] == ["GOV-01", "EST-01"]


@pytest.mark.parametrize(
    ("lag", "days", "inexact"),
    [
        (Span(4800 / 600, "HOURS"), 1, False),
        (Span(2, "DAYS"), 2, False),
        (Span(-3, "DAYS"), -3, False),
        (Span(1, "WEEKS"), 5, False),
        (Span(960, "MINUTES"), 2, False),
        (Span(14, "ELAPSED_DAYS"), 10, True),
    ],
)
def test_lags_convert_from_projects_units(lag: Span, days: int, inexact: bool) -> None:
    value, note = working_days(lag, estates_plan())
    assert round(value) == days
    assert (note is not None) is inexact


def test_a_percentage_lag_is_refused_by_name_and_an_elapsed_one_warned() -> None:
    links = (Link(2, 3, "SS", Span(50, "PERCENT")),)
    mapped = map_project(estates_plan(links=links), context())
    assert not mapped.ok
    assert "task 2, Survey the sites" in mapped.problems[0]
    assert "percent lag" in mapped.problems[0]
    elapsed = map_project(
        estates_plan(links=(Link(2, 3, "FF", Span(7, "ELAPSED_DAYS")),)), context()
    )
    assert elapsed.ok and elapsed.dependencies[0].lag_days == 5
    assert "elapsed" in elapsed.warnings[0]


def test_a_file_with_no_tasks_is_refused() -> None:
    mapped = map_project(estates_plan(tasks=(estates_plan().tasks[0],)), context())
    assert mapped.problems == ("The file has no tasks: there is nothing to import.",)


def test_what_is_not_carried_over_is_listed() -> None:
    tasks = list(estates_plan().tasks)
    tasks[1] = replace(tasks[1], constraint="FNLT", constraint_date=at("2022-05-20"))
    tasks[2] = replace(tasks[2], deadline=at("2022-05-27"))
    summary_link = Link(1, 3, "FS", Span(0, "DAYS"))
    mapped = map_project(
        estates_plan(
            tasks=tuple(tasks),
            links=(*estates_plan().links, summary_link),
            not_carried={"Costs": ["2 tasks have a cost"]},
        ),
        context(),
    )
    assert mapped.not_carried["Costs"] == ("2 tasks have a cost",)
    assert "FNLT" in mapped.not_carried["Constraints"][0]
    assert "27 May 2022" in mapped.not_carried["Deadlines"][0]
    assert "summary task" in mapped.not_carried["Links"][0]


# --- the service on the seeded programme ------------------------------------------------------


def viewer(email: str) -> Any:
    from tracker.services.accounts import viewer_for

    return viewer_for(user(email))


def check(email: str = ADMIN, project: ProjectData | None = None) -> project_import.ProjectCheck:
    return project_import.check_project_import(
        viewer(email), programme(), project or estates_plan(), "estates.xml"
    )


def confirm(
    previewed: project_import.ProjectCheck, project: ProjectData | None = None
) -> project_import.ProjectConfirmed:
    return project_import.confirm_project_import(
        viewer(ADMIN),
        programme(),
        project or estates_plan(),
        "estates.xml",
        previewed=previewed.fingerprint(),
    )


def test_a_file_is_previewed_then_imported_in_one_change(app: Flask) -> None:
    before = audit_count()
    preview = check()
    assert preview.ok, preview.problems
    assert audit_count() == before  # the preview changes nothing
    assert db.session.scalar(select(Workstream).where(Workstream.name == "Estates")) is None
    assert [i.action for i in preview.checked.milestones] == ["new", "new"]
    done = confirm(preview)
    assert done.applied is not None
    assert str(done.applied) == (
        "2 new milestones, 1 new link, 1 new workstream, 1 baseline, 1 closure day"
    )
    estates = db.session.scalar(select(Workstream).where(Workstream.name == "Estates"))
    assert estates is not None
    survey = milestone(f"{estates.code}-01")
    assert (survey.project_uid, survey.planned_start, survey.due_date) == (
        2,
        date(2022, 5, 9),
        date(2022, 5, 13),
    )
    assert survey.owner.email == "becca.bradd@example.org"
    closure = db.session.scalar(
        select(CalendarClosure).where(CalendarClosure.closed_on == date(2022, 5, 16))
    )
    assert closure is not None and closure.programme_id == programme().id
    assert db.session.scalar(
        select(StoredBaseline).where(StoredBaseline.label == "Project Baseline")
    )
    assert audit_count() > before  # each new record is in the audit trail


def test_a_second_import_of_a_newer_file_shows_only_what_changed(app: Flask) -> None:
    confirm(check())
    again = check()
    assert again.ok and not again.changes_anything
    tasks = list(estates_plan().tasks)
    tasks[2] = replace(tasks[2], start=at("2022-05-27"), finish=at("2022-05-27"))
    newer = estates_plan(tasks=tuple(tasks))
    moved = check(project=newer)
    assert moved.ok
    changed = [i for i in moved.checked.milestones if i.action != "unchanged"]
    assert len(changed) == 1 and changed[0].record.title == "Estates handover agreed"
    assert [(c.field, c.old, c.new) for c in changed[0].changes] == [
        ("due_date", "20 May 2022", "27 May 2022")
    ]
    done = confirm(moved, newer)
    assert done.applied is not None
    assert str(done.applied) == "1 milestone changed"


def test_a_lead_forecast_and_blocked_state_survive_a_new_import(app: Flask) -> None:
    confirm(check())
    estates = db.session.scalar(select(Workstream).where(Workstream.name == "Estates"))
    assert estates is not None
    handover = milestone(f"{estates.code}-02")
    handover.forecast_date = date(2022, 5, 25)
    handover.forecast_reason = "Landlord late"
    handover.status, handover.blocked_reason = "blocked", "Waiting for the landlord"
    db.session.flush()
    again = check()
    assert again.ok and not again.changes_anything, again.problems


def test_a_cycle_in_the_file_is_refused_and_nothing_saved(app: Flask) -> None:
    looped = estates_plan(
        links=(Link(2, 3, "FS", Span(0, "DAYS")), Link(3, 2, "FS", Span(0, "DAYS")))
    )
    before = db.session.query(Milestone).count()
    result = check(project=looped)
    assert not result.ok
    assert any("cycle" in p for p in result.problems), result.problems
    assert db.session.query(Milestone).count() == before


def test_confirming_a_different_file_from_the_preview_applies_nothing(app: Flask) -> None:
    preview = check()
    other = estates_plan(name="Other")
    tasks = list(other.tasks)
    tasks[1] = replace(tasks[1], name="Survey every site")
    done = confirm(preview, replace(other, tasks=tuple(tasks)))
    assert done.applied is None
    assert db.session.scalar(select(Workstream).where(Workstream.name == "Estates")) is None


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER])
def test_only_the_programme_office_imports(app: Flask, email: str) -> None:
    before = audit_count()
    with pytest.raises(ChangeRefused) as refused:
        check(email)
    assert refused.value.refusal is Refusal.NOT_ALLOWED
    with pytest.raises(ChangeRefused):
        project_import.confirm_project_import(
            viewer(email), programme(), estates_plan(), "x.xml", previewed="x"
        )
    assert audit_count() == before


def test_a_chosen_outline_level_gives_the_workstreams() -> None:
    """Phases at the top, workstreams under them: level 2 makes the workstreams, and the
    phases are listed as not kept."""
    tasks = (
        task(1, "Phase 1", None, summary=True),
        task(2, "Estates", 1, outline_level=2, summary=True),
        task(3, "Survey the sites", 2, outline_level=3),
        task(4, "Digital", 1, outline_level=2, summary=True),
        task(5, "Move the servers", 4, outline_level=3),
        task(6, "Close the old offices", 1, outline_level=2),
    )
    mapped = map_project(estates_plan(tasks=tasks, links=()), context(workstream_level=2))
    assert mapped.ok, mapped.problems
    assert [name for _, name in mapped.new_workstreams] == [
        "Estates",
        "Digital",
        "Programme-level tasks",
    ]
    homes = {m.title: m.workstream for m in mapped.milestones}
    codes = dict((name, code) for code, name in mapped.new_workstreams)
    assert homes == {
        "Survey the sites": codes["Estates"],
        "Move the servers": codes["Digital"],
        "Close the old offices": codes["Programme-level tasks"],
    }
    assert "above outline level 2" in " ".join(mapped.not_carried["Outline"])
    top = map_project(estates_plan(tasks=tasks, links=()), context())
    assert [name for _, name in top.new_workstreams] == ["Phase 1"]
    assert "below outline level 1" in " ".join(top.not_carried["Outline"])


def test_a_name_two_people_share_keeps_the_owner() -> None:
    shared = ("becca.bradd@example.org", "becca.bradd2@example.org")
    mapped = map_project(
        estates_plan(),
        context(
            people={"becca bradd": shared},
            owners={"EST-01": "becca.bradd2@example.org"},
            refs=frozenset({"EST-01"}),
            milestone_uids={2: "EST-01"},
        ),
    )
    assert mapped.milestones[0].owner_email == "becca.bradd2@example.org"  # one of them: kept
    new = map_project(estates_plan(), context(people={"becca bradd": shared}))
    assert new.milestones[0].owner_email == "sarah.collins@example.org"
    assert "Becca Bradd each name more than one person" in new.warnings[0]
