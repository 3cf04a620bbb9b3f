"""A Microsoft Project file imported into a programme: checked and previewed, then applied
all or nothing in one unit of work (docs/microsoft-project.md).

The file is read by MPXJ in its own process (tracker/project_files/files.py) before these
are called; they take the plain ProjectData. The mapping (tracker/domain/project_import.py)
makes milestones and links, which go through the spreadsheet import's checks and its
apply_import, so the same rules, preview and audit trail hold for both; this adds what only
a Project file brings: new workstreams, each task's UID, baselines and closure days.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker import clock
from tracker.domain import permissions
from tracker.domain.permissions import Viewer, can_edit_plan
from tracker.domain.plan_sheets import (
    DEPENDENCIES,
    MILESTONES,
    CheckedImport,
    MilestoneRecord,
    Problem,
    Sheet,
    Table,
    check_upload,
    export_rows,
)
from tracker.domain.plan_sheets.checks import StoredPlan
from tracker.domain.project_data import ProjectData
from tracker.domain.project_import import ImportContext, ProjectImport, map_project
from tracker.domain.templates import slug_for
from tracker.domain.terms import Role
from tracker.domain.text import strip_bidi
from tracker.domain.validation import FieldError, normalise_email, raise_if
from tracker.extensions import db
from tracker.models import (
    Baseline,
    BaselineItem,
    CalendarClosure,
    GoLiveTarget,
    Membership,
    Milestone,
    Person,
    Programme,
    Workstream,
)
from tracker.services import memberships, plan_sheets, programme_setup
from tracker.services.plan_sheets import Applied, apply_import, stored_plan
from tracker.services.programme_setup import placeholder_owner
from tracker.services.schedule import calendar_for
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

ONLY_THE_PROGRAMME_OFFICE = plan_sheets.ONLY_THE_PROGRAMME_OFFICE
CLOSURE_REASON = "Closed in the Microsoft Project calendar"
# The milestone columns a Project file gives; the others (the lead's forecast, key,
# evidence, blocked reason) are the tracker's own and kept as they are.
FROM_PROJECT = (
    "ref",
    "title",
    "description",
    "workstream",
    "owner_email",
    "kind",
    "planned_start",
    "due_date",
    "status",
    "completed_on",
)


@dataclass(frozen=True)
class ProjectCheck:
    """A Project file checked against the programme: its problems in words, or what
    confirming would do."""

    filename: str
    project_name: str
    mapped: ProjectImport
    checked: CheckedImport | None
    problems: tuple[str, ...] = ()
    new_uids: tuple[str, ...] = field(default=())  # refs that get (or change) their UID

    @property
    def ok(self) -> bool:
        return not self.problems and self.checked is not None

    @property
    def changes_anything(self) -> bool:
        m = self.mapped
        return bool(
            (self.checked is not None and self.checked.changes_anything)
            or m.new_workstreams
            or m.closures
            or m.baselines
            or self.new_uids
        )

    def fingerprint(self) -> str:
        """Stands for exactly what confirming would do, as the preview showed it."""
        sheet = self.checked.fingerprint() if self.checked is not None else ""
        parts = repr((sheet, self.mapped.fingerprint_parts(), self.new_uids))
        return hashlib.sha256(parts.encode()).hexdigest()


def _default_owner(actor: Viewer, programme: Programme, owner_email: str | None) -> str:
    """Who owns a task no resource of which is a person: the one named, else the importing
    person, else the programme's first admin, else its "Programme office" placeholder."""
    if owner_email:
        return normalise_email(owner_email)
    if actor.person_id is not None:
        me = db.session.get(Person, actor.person_id)
        if me is not None:
            return me.email
    admin = db.session.scalar(
        select(Person.email)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.programme_id == programme.id, Membership.role == Role.ADMIN.value)
        .order_by(Membership.id)
        .limit(1)
    )
    return admin or placeholder_owner(programme).email


def _context(
    actor: Viewer,
    programme: Programme,
    plan: StoredPlan,
    owner_email: str | None,
    workstream_level: int = 1,
) -> ImportContext:
    calendar = calendar_for(programme)
    people = db.session.execute(select(Person.name, Person.email)).all()
    workstreams = db.session.execute(
        select(Workstream.code, Workstream.name).where(Workstream.programme_id == programme.id)
    ).all()
    held: dict[str, dict[str, tuple[date | None, date]]] = {}
    for label, ref, start, due in db.session.execute(
        select(Baseline.label, BaselineItem.ref, BaselineItem.planned_start, BaselineItem.due_date)
        .join(BaselineItem, BaselineItem.baseline_id == Baseline.id, isouter=True)
        .where(Baseline.programme_id == programme.id)
    ):
        dates = held.setdefault(label, {})
        if ref is not None:
            dates[ref] = (start, due)
    return ImportContext(
        workstreams={code: name for code, name in workstreams},
        milestone_uids=_stored_uids(programme),
        refs=frozenset(plan.milestones),
        people=_by_name(people),
        default_owner=_default_owner(actor, programme, owner_email),
        is_working_day=calendar.is_working_day,
        holiday_name=calendar.holiday_name,
        baselines=frozenset(held),
        baseline_dates=held,
        workstream_level=workstream_level,
        owners={ref: m.owner_email for ref, m in plan.milestones.items()},
        blocked={
            ref: m.blocked_reason or ""
            for ref, m in plan.milestones.items()
            if m.status == "blocked"
        },
    )


def _by_name(people: Sequence[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    named: dict[str, list[str]] = {}
    for name, email in people:
        named.setdefault(name.strip().lower(), []).append(email)
    return {name: tuple(sorted(emails)) for name, emails in named.items()}


def _table(sheet: Sheet, records: tuple[object, ...], fields: tuple[str, ...]) -> Table:
    columns = [i for i, c in enumerate(sheet.columns) if c.field in fields]
    rows = export_rows(sheet, records)
    return Table(
        sheet.title,
        tuple(sheet.columns[i].heading for i in columns),
        tuple((n + 2, tuple(row[i] for i in columns)) for n, row in enumerate(rows)),
    )


def _in_words(problem: Problem, mapped: ProjectImport) -> str:
    """A sheet check's problem, named by the task it is about rather than a row."""
    number = int(problem.row.removeprefix("row ")) - 2 if problem.row.startswith("row ") else -1
    if problem.sheet == MILESTONES.title and 0 <= number < len(mapped.milestones):
        ref = mapped.milestones[number].ref
        return f"{mapped.task_words.get(ref, ref)} ({ref}), {problem.column}: {problem.message}"
    if problem.sheet == DEPENDENCIES.title and 0 <= number < len(mapped.dependencies):
        link = mapped.dependencies[number]
        return f"The link {link.label}: {problem.message}"
    return problem.message


def _check(
    actor: Viewer,
    programme: Programme,
    project: ProjectData,
    filename: str,
    owner_email: str | None = None,
    workstream_level: int = 1,
) -> ProjectCheck:
    plan = stored_plan(programme)
    context = _context(actor, programme, plan, owner_email, workstream_level)
    mapped = map_project(project, context)
    if not mapped.ok:
        return ProjectCheck(filename, project.name, mapped, None, mapped.problems)
    tables = [
        (MILESTONES, _table(MILESTONES, mapped.milestones, FROM_PROJECT)),
        (
            DEPENDENCIES,
            _table(
                DEPENDENCIES, mapped.dependencies, ("predecessor", "successor", "type", "lag_days")
            ),
        ),
    ]
    with_new = StoredPlan(
        workstreams=plan.workstreams | {code for code, _ in mapped.new_workstreams},
        people=plan.people,
        milestones=plan.milestones,
        dependencies=plan.dependencies,
        status_updates=plan.status_updates,
        window=plan.window,
    )
    checked = check_upload(tables, with_new, clock.today())
    problems = tuple(_in_words(p, mapped) for p in checked.problems)
    stored_uids = {ref: uid for uid, ref in context.milestone_uids.items()}  # read once
    new_uids = tuple(sorted(ref for ref, uid in mapped.uids.items() if stored_uids.get(ref) != uid))
    return ProjectCheck(filename, project.name, mapped, checked, problems, new_uids)


def _stored_uids(programme: Programme) -> dict[int, str]:
    """The milestones that came from a Project file: their UID -> their ref."""
    rows = db.session.execute(
        select(Milestone.project_uid, Milestone.ref).where(
            Milestone.programme_id == programme.id, Milestone.project_uid.is_not(None)
        )
    ).all()
    return {uid: ref for uid, ref in rows if uid is not None}


@unit_of_work
def check_project_import(
    actor: Viewer,
    programme: Programme,
    project: ProjectData,
    filename: str,
    *,
    owner_email: str | None = None,
    workstream_level: int = 1,
) -> ProjectCheck:
    """The file checked against the programme as it is now, for the preview. Nothing is
    changed. `owner_email` owns the tasks whose resources are nobody in the tracker; the
    summary tasks at outline level `workstream_level` become workstreams."""
    allow(can_edit_plan(actor, programme.id), ONLY_THE_PROGRAMME_OFFICE)
    return _check(actor, programme, project, filename, owner_email, workstream_level)


@dataclass(frozen=True)
class ProjectApplied:
    applied: Applied
    workstreams: int
    baselines: int
    closures: int

    def __str__(self) -> str:
        parts = [str(self.applied)] if str(self.applied) != "nothing changed" else []
        for count, noun in (
            (self.workstreams, "new workstream"),
            (self.baselines, "baseline"),
            (self.closures, "closure day"),
        ):
            if count:
                parts.append(f"{count} {noun}{'s' if count != 1 else ''}")
        return ", ".join(parts) or "nothing changed"


@dataclass(frozen=True)
class ProjectConfirmed:
    """What confirming did: `applied` is None when nothing was, because the file now has
    problems or would do other than the preview showed (the plan changed since)."""

    check: ProjectCheck
    applied: ProjectApplied | None = None


@unit_of_work
def confirm_project_import(
    actor: Viewer,
    programme: Programme,
    project: ProjectData,
    filename: str,
    *,
    previewed: str,
    owner_email: str | None = None,
    workstream_level: int = 1,
) -> ProjectConfirmed:
    """Import the file, all of it or nothing, if checking it again gives exactly the
    preview the person confirmed (`previewed`, ProjectCheck.fingerprint)."""
    allow(can_edit_plan(actor, programme.id), ONLY_THE_PROGRAMME_OFFICE)
    check = _check(actor, programme, project, filename, owner_email, workstream_level)
    if not check.ok or check.fingerprint() != previewed:
        return ProjectConfirmed(check)
    return ProjectConfirmed(check, _apply(actor, programme, check))


def _apply(actor: Viewer, programme: Programme, check: ProjectCheck) -> ProjectApplied:
    on_duplicate(FieldError("", plan_sheets.PLAN_CHANGED))
    mapped = check.mapped
    last = max((w.display_order for w in programme.workstreams), default=0)
    for n, (code, name) in enumerate(mapped.new_workstreams, start=1):
        db.session.add(
            Workstream(programme_id=programme.id, code=code, name=name, display_order=last + n)
        )
    for day in mapped.closures:
        db.session.add(
            CalendarClosure(programme_id=programme.id, closed_on=day, reason=CLOSURE_REASON)
        )
    db.session.flush()
    assert check.checked is not None
    applied = apply_import(programme, check.checked, by_person_id=actor.person_id)
    milestones = {
        m.ref: m
        for m in db.session.scalars(select(Milestone).where(Milestone.programme_id == programme.id))
    }
    for ref in check.new_uids:
        milestones[ref].project_uid = None
    db.session.flush()  # a UID moving from one milestone to another is free first
    for ref in check.new_uids:
        milestones[ref].project_uid = mapped.uids[ref]
    for imported in mapped.baselines:
        _baseline(programme, imported.label, imported.dates, milestones, actor.person_id)
    db.session.flush()
    return ProjectApplied(
        applied, len(mapped.new_workstreams), len(mapped.baselines), len(mapped.closures)
    )


def _baseline(
    programme: Programme,
    label: str,
    dates: Mapping[str, tuple[date | None, date]],
    milestones: dict[str, Milestone],
    person_id: int | None,
) -> None:
    """A baseline of the file's own dates; the programme's current one if it has none."""
    baseline = Baseline(
        programme_id=programme.id,
        label=label,
        note="Imported from Microsoft Project",
        go_live_date=programme.go_live_date,
        taken_by_id=person_id,
    )
    for ref, (start, due) in sorted(dates.items()):
        m = milestones.get(ref)
        if m is None:
            continue
        baseline.items.append(
            BaselineItem(
                milestone_id=m.id,
                ref=ref,
                title=m.title,
                planned_start=start if m.kind == "activity" else None,
                due_date=due,
            )
        )
    db.session.add(baseline)
    db.session.flush()
    if programme.current_baseline is None:
        programme.current_baseline = baseline


@dataclass(frozen=True)
class NewFromProject:
    """A programme started from a Project file: what the file cannot say."""

    name: str
    from_organisation: str
    to_organisation: str
    region: str = "ENG"


def go_live_of(mapped: ProjectImport) -> MilestoneRecord | None:
    """The file's go-live: its last point milestone (the legal date is one), or its last
    task when it has none."""
    points = [m for m in mapped.milestones if m.kind == "point"]
    chosen = points or list(mapped.milestones)
    return max(chosen, key=lambda m: (m.due_date, m.ref), default=None)


@unit_of_work
def create_programme_from_project(
    actor: Viewer,
    spec: NewFromProject,
    project: ProjectData,
    filename: str,
    *,
    admin_email: str | None = None,
    workstream_level: int = 1,
) -> tuple[Programme, ProjectApplied]:
    """A new programme holding the file's plan, in one change: the programme (from its
    earliest date to its go-live, go_live_of), its go-live target, the import, and
    `admin_email`'s person as its admin and the owner of tasks no resource names."""
    allow(permissions.can_create_programme(actor), programme_setup.ONLY_INSTANCE_ADMINS)
    name = strip_bidi(spec.name).strip()
    slug = slug_for(name)
    errors = [] if name else [FieldError("name", "Enter the programme's name")]
    for name_of, value, words in (
        ("from", spec.from_organisation, "the organisations that close"),
        ("to", spec.to_organisation, "the organisation it becomes"),
    ):
        if not value.strip():
            errors.append(FieldError(name_of, f"Enter {words}"))
    if slug and db.session.scalar(select(Programme.id).where(Programme.slug == slug)):
        errors.append(FieldError("name", f"There is already a programme at /p/{slug}/"))
    admin = None
    if admin_email:
        admin = db.session.scalar(
            select(Person).where(Person.email == normalise_email(admin_email))
        )
        if admin is None:
            errors.append(
                FieldError("admin", f"There is nobody with the email address {admin_email}")
            )
    raise_if(errors, entity="programme")
    starts = [t.start for t in project.tasks if t.start is not None and not t.null]
    finishes = [t.finish for t in project.tasks if t.finish is not None and not t.null]
    if not starts or not finishes:
        raise_if([FieldError("file", "The file has no tasks: there is nothing to import.")])
    on_duplicate(FieldError("name", f"The address /p/{slug}/ was taken just now: choose another"))
    programme = Programme(
        slug=slug,
        name=name,
        from_organisation=strip_bidi(spec.from_organisation).strip(),
        to_organisation=strip_bidi(spec.to_organisation).strip(),
        start_date=min(starts).date(),
        go_live_date=max(finishes).date(),
        calendar_region=spec.region,
    )
    db.session.add(programme)
    db.session.flush()
    owner = admin.email if admin is not None else placeholder_owner(programme).email
    check = _check(actor, programme, project, filename, owner, workstream_level)
    if not check.ok:
        raise_if([FieldError("file", problem) for problem in check.problems], entity="import")
    go_live = go_live_of(check.mapped)
    assert go_live is not None
    programme.go_live_ref, programme.go_live_date = go_live.ref, go_live.due_date
    programme.go_live_targets.append(
        GoLiveTarget(
            target_date=go_live.due_date,
            set_on=clock.today(),
            reason=f"The finish of {go_live.title} in {filename}, from which it was started",
            set_by_id=actor.person_id,
        )
    )
    if admin is not None:
        memberships.join(admin, programme, Role.ADMIN.value)
    db.session.flush()
    return programme, _apply(actor, programme, check)
