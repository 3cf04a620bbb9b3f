"""A programme's workstreams as its admins keep them: created, edited (code, name,
description, leads), put in order, retired and brought back.

Each change is one unit of work a programme admin makes (services/unit_of_work.py); the rules
and their words are in tracker/domain/programme_settings.py. A workstream is retired, never
deleted: it keeps its milestones, risks, issues and highlights, and leaves the dashboard, the
digest and the choices for new milestones (services/board.py `workstreams`). A workstream has
no version column: a stale edit form is caught from the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.programme_settings import (
    WorkstreamPlan,
    check_move,
    check_restore,
    check_retire,
    check_workstream,
    reordered,
)
from tracker.domain.terms import MilestoneStatus
from tracker.domain.validation import FieldError, raise_if
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Membership,
    Milestone,
    Person,
    Programme,
    Workstream,
    WorkstreamLead,
)
from tracker.services.memberships import members
from tracker.services.optimistic_locking import ChangeMade, EditConflict, Seen, changes_since
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

ONLY_ITS_ADMINS = "Only the programme's admins change its workstreams."
# The columns the edit form sets: a move or a retirement meanwhile is no conflict with it.
EDITED_FIELDS = ("code", "name", "description")


@dataclass(frozen=True)
class WorkstreamRow:
    """A workstream on the admin's list, with how many milestones it has and how many are
    still open."""

    workstream: Workstream
    milestones: int
    open: int

    @property
    def retired(self) -> bool:
        return self.workstream.retired_on is not None


def all_workstreams(programme: Programme) -> list[Workstream]:
    """Every workstream of the programme, retired ones too, in display order."""
    return list(
        db.session.scalars(
            select(Workstream)
            .where(Workstream.programme_id == programme.id)
            .options(selectinload(Workstream.lead_links).joinedload(WorkstreamLead.person))
            .order_by(Workstream.display_order, Workstream.code)
        )
    )


def workstream_rows(programme: Programme) -> list[WorkstreamRow]:
    """Every workstream with its milestone counts, in two queries."""
    counts = {
        row.workstream_id: (row.total, row.open or 0)
        for row in db.session.execute(
            select(
                Milestone.workstream_id,
                func.count().label("total"),
                func.sum((Milestone.status != MilestoneStatus.COMPLETE).cast(db.Integer)).label(
                    "open"
                ),
            )
            .where(Milestone.programme_id == programme.id)
            .group_by(Milestone.workstream_id)
        )
    }
    return [WorkstreamRow(ws, *counts.get(ws.id, (0, 0))) for ws in all_workstreams(programme)]


def lead_choices(programme: Programme) -> list[Membership]:
    """Who may lead a workstream: the programme's members, by name."""
    return members(programme)


def open_refs(workstream: Workstream) -> list[str]:
    """The references of the workstream's milestones that are not complete."""
    return list(
        db.session.scalars(
            select(Milestone.ref)
            .where(
                Milestone.programme_id == workstream.programme_id,
                Milestone.workstream_id == workstream.id,
                Milestone.status != MilestoneStatus.COMPLETE,
            )
            .order_by(Milestone.ref)
        )
    )


def workstream_problems(
    programme: Programme, plan: WorkstreamPlan, workstream: Workstream | None = None
) -> list[FieldError]:
    """What is wrong with a new workstream, or a change to `workstream`; nothing saved."""
    same_code = db.session.scalar(
        select(Workstream).where(
            Workstream.programme_id == programme.id, Workstream.code == plan.code
        )
    )
    taken_by = None
    if same_code is not None and (workstream is None or same_code.id != workstream.id):
        taken_by = same_code.name
    member_ids = set(
        db.session.scalars(
            select(Membership.person_id).where(Membership.programme_id == programme.id)
        )
    )
    strangers = [i for i in plan.lead_ids if i not in member_ids]
    names = {
        p.id: p.name
        for p in (
            db.session.scalars(select(Person).where(Person.id.in_(strangers))) if strangers else ()
        )
    }
    return check_workstream(
        plan,
        code_taken_by=taken_by,
        not_members=[names.get(i, f"Person {i}") for i in strangers],
    )


def _set_leads(workstream: Workstream, lead_ids: tuple[int, ...]) -> None:
    """Exactly these people lead the workstream: leads who stay keep their place, new ones
    follow. Each link is added or removed through the session, so the audit trail has it."""
    wanted = set(lead_ids)
    for link in list(workstream.lead_links):
        if link.person_id not in wanted:
            workstream.lead_links.remove(link)
            db.session.delete(link)
    have = {link.person_id for link in workstream.lead_links}
    position = max((link.position for link in workstream.lead_links), default=-1)
    for person_id in lead_ids:
        if person_id in have:
            continue
        position += 1
        person = db.session.get(Person, person_id)
        workstream.lead_links.append(WorkstreamLead(person=person, position=position))


def _may_change(actor: Viewer, programme: Programme, workstream: Workstream) -> None:
    allow(
        permissions.can_administer_programme(actor, programme.id)
        and workstream.programme_id == programme.id,
        ONLY_ITS_ADMINS,
    )


def _code_taken(code: str) -> None:
    on_duplicate(FieldError("code", f"Someone else used {code} at the same moment: choose another"))


@unit_of_work
def create_workstream(actor: Viewer, programme: Programme, plan: WorkstreamPlan) -> Workstream:
    """A new workstream, after the others."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    _code_taken(plan.code)
    raise_if(workstream_problems(programme, plan), entity="workstream")
    last = db.session.scalar(
        select(func.max(Workstream.display_order)).where(Workstream.programme_id == programme.id)
    )
    workstream = Workstream(
        programme_id=programme.id,
        code=plan.code,
        name=plan.name,
        description=plan.description,
        display_order=(last or 0) + 1,
    )
    db.session.add(workstream)
    _set_leads(workstream, plan.lead_ids)
    db.session.flush()
    return workstream


def _lead_changes(workstream: Workstream, opened_at: str | None) -> list[ChangeMade]:
    """Leads added or removed after the form was opened (a link has no id of its own, so it
    is found by its workstream)."""
    try:
        since = datetime.fromisoformat(opened_at) if opened_at else None
    except ValueError:
        since = None
    if since is None:
        return []
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == WorkstreamLead.__name__,
            AuditEvent.workstream_id == workstream.id,
            AuditEvent.occurred_at > since,
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    return [
        ChangeMade(e.occurred_at, e.actor, f"lead {e.action}", "leads", None, e.entity_label)
        for e in events
    ]


@unit_of_work
def edit_workstream(
    actor: Viewer,
    programme: Programme,
    workstream: Workstream,
    seen: Seen,
    plan: WorkstreamPlan,
) -> None:
    """Change a workstream's code, name, description and leads, unless someone else changed
    one of them after the form was opened. Its milestones keep their references."""
    _may_change(actor, programme, workstream)
    meanwhile = [
        c
        for c in changes_since(Workstream.__name__, workstream.id, seen.opened_at)
        if c.field in EDITED_FIELDS
    ] + _lead_changes(workstream, seen.opened_at)
    if meanwhile:
        raise EditConflict(0, sorted(meanwhile, key=lambda c: c.occurred_at))
    _code_taken(plan.code)
    raise_if(workstream_problems(programme, plan, workstream), entity=workstream.code)
    workstream.code = plan.code
    workstream.name = plan.name
    workstream.description = plan.description
    _set_leads(workstream, plan.lead_ids)


@unit_of_work
def move_workstream(
    actor: Viewer, programme: Programme, workstream: Workstream, direction: str
) -> None:
    """One place up or down the programme's list (the dashboard's, the digest's order)."""
    _may_change(actor, programme, workstream)
    found = all_workstreams(programme)
    codes = [ws.code for ws in found]
    raise_if(check_move(codes, workstream.code, direction), entity=workstream.code)
    by_code = {ws.code: ws for ws in found}
    # Numbered afresh from 1, so equal numbers (two workstreams at 0) cannot stop the move.
    for number, code in enumerate(reordered(codes, workstream.code, direction), start=1):
        if by_code[code].display_order != number:
            by_code[code].display_order = number


@unit_of_work
def retire_workstream(
    actor: Viewer, programme: Programme, workstream: Workstream, today: date
) -> None:
    """Retire a workstream whose milestones are all complete: it keeps its history."""
    _may_change(actor, programme, workstream)
    raise_if(
        check_retire(workstream.code, workstream.retired_on, open_refs(workstream)),
        entity=workstream.code,
    )
    workstream.retired_on = today


@unit_of_work
def restore_workstream(actor: Viewer, programme: Programme, workstream: Workstream) -> None:
    """Bring a retired workstream back onto the dashboard, the digest and the choices."""
    _may_change(actor, programme, workstream)
    raise_if(check_restore(workstream.code, workstream.retired_on), entity=workstream.code)
    workstream.retired_on = None
