"""The plan read out for a spreadsheet, and an upload checked and imported into it.

Reading runs a fixed number of queries whatever the plan's size. The import's steps are
units of work (tracker/services/unit_of_work.py), each checking that the person may edit the
plan (the programme office): check_import reads an upload's rows against the plan as it is
now and changes nothing; confirm_import checks them again and, if they still describe what
the preview showed, applies them (apply_import) as one transaction, so a failure part-way
saves nothing; cancel_import only allows the pages to drop the kept upload. Applying changes
only what the checked import calls new or changed; the session's listener validates each
record and writes the audit trail as for any other change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from tracker import clock
from tracker.domain.notation import PredecessorLink
from tracker.domain.permissions import Viewer, can_edit_plan
from tracker.domain.plan_sheets import (
    MILESTONES,
    NEW,
    STATUS_UPDATES,
    UNCHANGED,
    Budget,
    CheckedImport,
    DependencyRecord,
    Item,
    KeptCheck,
    LinkKey,
    MilestoneRecord,
    RiskRecord,
    Sheet,
    StatusUpdateRecord,
    StoredPlan,
    Table,
    check_upload,
)
from tracker.domain.validation import FieldError
from tracker.extensions import db
from tracker.models import (
    Dependency,
    Milestone,
    Person,
    Programme,
    Risk,
    StatusUpdate,
    Workstream,
)
from tracker.services.schedule import date_window
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

ONLY_THE_PROGRAMME_OFFICE = "Only the programme office imports a plan."
# Why a confirmed import was not applied when the database refused it (someone saved a record
# the import writes at the same moment).
PLAN_CHANGED = "the plan changed meanwhile"


@dataclass(frozen=True)
class PlanRecords:
    milestones: list[MilestoneRecord]
    dependencies: list[DependencyRecord]
    risks: list[RiskRecord]
    status_updates: list[StatusUpdateRecord]

    def for_sheet(self, sheet: Sheet) -> list[Any]:
        """The records a sheet lists: status-updates -> status_updates."""
        records: list[Any] = getattr(self, sheet.key.replace("-", "_"))
        return records


def _links(programme: Programme) -> list[DependencyRecord]:
    before, after = aliased(Milestone), aliased(Milestone)
    rows = db.session.execute(
        select(before.ref, after.ref, Dependency.type, Dependency.lag_days)
        .join(before, before.id == Dependency.predecessor_id)
        .join(after, after.id == Dependency.successor_id)
        .where(Dependency.programme_id == programme.id)
        .order_by(after.ref, before.ref, Dependency.type)
    )
    return [DependencyRecord(p, s, t, lag) for p, s, t, lag in rows]


def _milestones(programme: Programme, links: list[DependencyRecord]) -> list[MilestoneRecord]:
    waits_for: dict[str, list[PredecessorLink]] = defaultdict(list)
    for link in sorted(links, key=lambda d: (d.predecessor, d.type)):
        waits_for[link.successor].append(
            PredecessorLink(link.predecessor, link.type, link.lag_days)
        )
    rows = db.session.execute(
        select(Milestone, Workstream.code, Person.email)
        .join(Workstream, Workstream.id == Milestone.workstream_id)
        .join(Person, Person.id == Milestone.owner_id)
        .where(Milestone.programme_id == programme.id)
        .order_by(Workstream.display_order, Workstream.code, Milestone.ref)
    )
    return [
        MilestoneRecord(
            ref=m.ref,
            title=m.title,
            description=m.description or "",
            workstream=code,
            owner_email=email,
            kind=m.kind,
            planned_start=m.planned_start,
            due_date=m.due_date,
            status=m.status,
            completed_on=m.completed_on,
            forecast_date=m.forecast_date,
            forecast_reason=m.forecast_reason,
            blocked_reason=m.blocked_reason,
            is_key=m.is_key,
            evidence_text=m.evidence_text,
            evidence_url=m.evidence_url,
            predecessors=tuple(waits_for.get(m.ref, ())),
        )
        for m, code, email in rows
    ]


def _risks(programme: Programme) -> list[RiskRecord]:
    rows = db.session.execute(
        select(Risk, Person.email, Workstream.code)
        .join(Person, Person.id == Risk.owner_id)
        .outerjoin(Workstream, Workstream.id == Risk.workstream_id)
        .where(Risk.programme_id == programme.id)
        .order_by(Risk.ref)
    )
    return [
        RiskRecord(
            ref=r.ref,
            title=r.title,
            description=r.description or "",
            workstream=code,
            owner_email=email,
            consequence=r.consequence,
            likelihood=r.likelihood,
            target_consequence=r.target_consequence,
            target_likelihood=r.target_likelihood,
            mitigation=r.mitigation or "",
            status=r.status,
            raised_on=r.raised_on,
            review_on=r.review_on,
            closed_note=r.closed_note,
        )
        for r, email, code in rows
    ]


def _status_updates(programme: Programme) -> list[StatusUpdateRecord]:
    rows = db.session.execute(
        select(StatusUpdate, Workstream.code, Person.email)
        .join(Workstream, Workstream.id == StatusUpdate.workstream_id)
        .outerjoin(Person, Person.id == StatusUpdate.author_id)
        .where(Workstream.programme_id == programme.id)
        .order_by(StatusUpdate.week_start, Workstream.display_order, Workstream.code)
    )
    return [
        StatusUpdateRecord(
            workstream=code,
            week_start=u.week_start,
            rag=u.rag,
            achievements=u.achievements or "",
            next_steps=u.next_steps or "",
            issues=u.issues or "",
            author_email=email,
        )
        for u, code, email in rows
    ]


def plan_records(programme: Programme, *, with_risks: bool = True) -> PlanRecords:
    """The programme's plan as the export writes it."""
    links = _links(programme)
    return PlanRecords(
        milestones=_milestones(programme, links),
        dependencies=links,
        risks=_risks(programme) if with_risks else [],
        status_updates=_status_updates(programme),
    )


def _workstream_ids(programme: Programme) -> dict[str, int]:
    rows = db.session.execute(
        select(Workstream.code, Workstream.id).where(Workstream.programme_id == programme.id)
    )
    return {code: id_ for code, id_ in rows}


def _person_ids() -> dict[str, int]:
    return {email: id_ for email, id_ in db.session.execute(select(Person.email, Person.id))}


def stored_plan(programme: Programme) -> StoredPlan:
    """What an upload is checked and compared against."""
    records = plan_records(programme, with_risks=False)
    return StoredPlan(
        workstreams=frozenset(_workstream_ids(programme)),
        people=frozenset(_person_ids()),
        milestones={m.ref: m for m in records.milestones},
        dependencies={d.key: d.lag_days for d in records.dependencies},
        status_updates={(u.workstream, u.week_start): u for u in records.status_updates},
        window=date_window(programme),
    )


@dataclass(frozen=True)
class Applied:
    """How many records an import added and changed, by kind."""

    added: dict[str, int]
    changed: dict[str, int]

    def __str__(self) -> str:
        words = {
            "milestones": "milestone",
            "dependencies": "link",
            "status_updates": "status update",
        }
        parts = []
        for kind, noun in words.items():
            added, changed = self.added.get(kind, 0), self.changed.get(kind, 0)
            if added:
                parts.append(f"{added} new {noun}{'s' if added != 1 else ''}")
            if changed:
                parts.append(f"{changed} {noun}{'s' if changed != 1 else ''} changed")
        return ", ".join(parts) or "nothing changed"


def _to_set(item: Item[Any], new: bool) -> list[str]:
    """The fields to write: all of a new record's, only the changed ones of an existing one."""
    if new:
        return [c.field for c in MILESTONES.columns if c.field != "predecessors"]
    return [c.field for c in item.changes]


# Records written to the session between flushes. The session's listener (tracker/audit.py)
# looks through every pending record for each one it validates, so one flush of 17,500 new
# records (5,000 milestones, 12,500 links) took 15 s; flushes of a few hundred take a
# fraction of that, inside the same transaction: a failure still saves nothing.
FLUSH_EVERY = 500


def _flushed(count: int) -> int:
    """Flush after every FLUSH_EVERY records written; the count so far, plus this one."""
    count += 1
    if count % FLUSH_EVERY == 0:
        db.session.flush()
    return count


def apply_import(
    programme: Programme, checked: CheckedImport, *, by_person_id: int | None
) -> Applied:
    """Add and change what the checked import says; nothing is deleted. Runs inside
    confirm_import's unit of work, which commits (or rolls back) the whole import."""
    assert checked.ok, "only a checked import with no problems is applied"
    written = 0
    workstream_ids, person_ids = _workstream_ids(programme), _person_ids()
    added: dict[str, int] = defaultdict(int)
    changed: dict[str, int] = defaultdict(int)

    by_ref = {
        m.ref: m
        for m in db.session.scalars(select(Milestone).where(Milestone.programme_id == programme.id))
    }
    for item in checked.milestones:
        if item.action == UNCHANGED:
            continue
        record = item.record
        milestone = by_ref.get(record.ref)
        is_new = milestone is None
        if milestone is None:
            milestone = by_ref[record.ref] = Milestone(programme_id=programme.id, ref=record.ref)
            db.session.add(milestone)
        was_complete = not is_new and milestone.is_complete
        for field in _to_set(item, is_new):
            if field == "workstream":
                milestone.workstream_id = workstream_ids[record.workstream]
            elif field == "owner_email":
                milestone.owner_id = person_ids[record.owner_email]
            else:
                setattr(milestone, field, getattr(record, field))
        if milestone.is_complete and not was_complete:
            milestone.completed_by_id = by_person_id  # recorded complete by whoever imported it
        elif not milestone.is_complete:
            milestone.completed_by_id = None
        (added if is_new else changed)["milestones"] += 1
        written = _flushed(written)
    db.session.flush()  # new milestones get ids before links point at them

    lags_changed = any(i.action not in (NEW, UNCHANGED) for i in checked.dependencies)
    links = _stored_links(programme) if lags_changed else {}  # 12,500 records at 5,000
    for link_item in checked.dependencies:
        link = link_item.record
        if link_item.action == NEW:
            # The check before the preview, and again just now, refused cycles the same way
            # plan.add_dependency does (domain.network.path_between over the whole plan).
            before, after = by_ref[link.predecessor], by_ref[link.successor]
            dependency = Dependency(
                programme_id=programme.id,
                predecessor_id=before.id,
                successor_id=after.id,
                type=link.type,
                lag_days=link.lag_days,
            )
            db.session.add(dependency)
            # The milestones are set as already loaded, for the link's validation and audit
            # label: assigning them would add the link to each one's lists as well, making
            # every milestone linked one more record to flush; set after adding the link, so
            # adding it does not walk through them either.
            set_committed_value(dependency, "predecessor", before)
            set_committed_value(dependency, "successor", after)
            added["dependencies"] += 1
            written = _flushed(written)
        elif link_item.action != UNCHANGED:
            links[link.key].lag_days = link.lag_days
            changed["dependencies"] += 1
            written = _flushed(written)

    updates = _stored_updates(programme)
    for update_item in checked.status_updates:
        u = update_item.record
        if update_item.action == UNCHANGED:
            continue
        update = updates.get((u.workstream, u.week_start))
        if update is None:
            update = StatusUpdate(
                workstream_id=workstream_ids[u.workstream], week_start=u.week_start
            )
            db.session.add(update)
            fields = [c.field for c in STATUS_UPDATES.columns[2:]]
            added["status_updates"] += 1
        else:
            fields = [c.field for c in update_item.changes]
            changed["status_updates"] += 1
        for field in fields:
            if field == "author_email":
                update.author_id = person_ids[u.author_email] if u.author_email else None
            else:
                setattr(update, field, getattr(u, field))
        written = _flushed(written)
    db.session.flush()
    return Applied(dict(added), dict(changed))


def _stored_links(programme: Programme) -> dict[LinkKey, Dependency]:
    before, after = aliased(Milestone), aliased(Milestone)
    rows = db.session.execute(
        select(Dependency, before.ref, after.ref)
        .join(before, before.id == Dependency.predecessor_id)
        .join(after, after.id == Dependency.successor_id)
        .where(Dependency.programme_id == programme.id)
    )
    return {(p, s, d.type): d for d, p, s in rows}


def _stored_updates(programme: Programme) -> dict[tuple[str, date], StatusUpdate]:
    rows = db.session.execute(
        select(StatusUpdate, Workstream.code)
        .join(Workstream, Workstream.id == StatusUpdate.workstream_id)
        .where(Workstream.programme_id == programme.id)
    )
    return {(code, u.week_start): u for u, code in rows}


# The import's steps ----------------------------------------------------------------------


# An upload read into its sheets, and notes on what in it was not read.
Read = tuple[Sequence[tuple[Sheet, Table]], Sequence[str]]


def plan_stamp(programme: Programme) -> str:
    """Everything a check of an upload reads besides the file, as one value: the plan's
    version, renewed by every change to the programme's records, its workstreams or anyone
    in the tracker (tracker/audit.py), and today, for the date rules. The same stamp, the
    same check."""
    return f"{programme.id}/{programme.plan_version}/{clock.today().isoformat()}"


@unit_of_work
def check_import(
    actor: Viewer,
    programme: Programme,
    read: Callable[[], Read],
    budget: Budget | None = None,
    *,
    kept: KeptCheck | None = None,
) -> CheckedImport:
    """Every row of an upload (`read` reads it: tracker/spreadsheets/files.py) checked
    against the plan as it is now, for the preview. Nothing is changed. `budget` is the one
    the file is read with: the check stops listing problems at its number, and raises
    OverBudget when reading and checking together take longer than its seconds.

    `kept` is an earlier check of the same upload: if the plan is as it was then (the same
    plan_stamp), it stands, and the file is neither read nor checked again (at 5,000 rows
    that took a second or two each step)."""
    allow(can_edit_plan(actor, programme.id), ONLY_THE_PROGRAMME_OFFICE)
    if kept is not None and kept.checked.ok and kept.stamp == plan_stamp(programme):
        return kept.checked
    tables, notes = read()
    return check_upload(tables, stored_plan(programme), clock.today(), notes, budget)


@dataclass(frozen=True)
class Confirmed:
    """What confirming an upload did: `applied` is None when nothing was, because the file
    now has problems (`checked.problems`) or would now do something other than what the
    preview showed (the plan changed since)."""

    checked: CheckedImport
    applied: Applied | None = None


@unit_of_work
def confirm_import(
    actor: Viewer,
    programme: Programme,
    read: Callable[[], Read],
    *,
    budget: Budget | None = None,
    previewed: str,
    kept: KeptCheck | None = None,
) -> Confirmed:
    """Import the upload, all of it or nothing, if checking it again now still gives exactly
    the preview the person confirmed (`previewed`, CheckedImport.fingerprint); the preview's
    own check (`kept`) stands for checking it again while the plan is as it was then. The
    budget covers reading and checking, not applying."""
    checked = check_import(actor, programme, read, budget, kept=kept)
    if not checked.ok or checked.fingerprint() != previewed:
        return Confirmed(checked)
    on_duplicate(FieldError("", PLAN_CHANGED))
    applied = apply_import(programme, checked, by_person_id=actor.person_id)
    return Confirmed(checked, applied)


@unit_of_work
def cancel_import(actor: Viewer, programme: Programme) -> None:
    """Allow the pages to drop an upload waiting for its confirm. Nothing in the database
    changes: the upload waits in a file (tracker/spreadsheets/uploads.py)."""
    allow(can_edit_plan(actor, programme.id), ONLY_THE_PROGRAMME_OFFICE)
