"""Reading what the board's pages show beside the schedule: workstreams, leads, highlights,
risks, a milestone's links and history. Every function runs a fixed number of queries."""

from __future__ import annotations

import threading
from datetime import date

from cachetools import LRUCache
from flask import abort, current_app, g
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock
from tracker.domain.figures import RiskLine
from tracker.domain.risks import band_for, parse_bands
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Dependency,
    Milestone,
    Person,
    Programme,
    Risk,
    StatusUpdate,
    Workstream,
    WorkstreamLead,
)
from tracker.services.schedule import ProgrammeSchedule, programme_schedule

TOP_RISKS = 5


class _ScheduleCache:
    """Schedules by (programme, plan version, today), shared by the requests of a process: a
    cachetools LRUCache behind a lock (it is not thread-safe by itself).

    The plan version lives in the database and changes with every change to the programme
    (tracker/audit.py), so a change made through any worker is seen by the next request in
    every worker. A computed schedule is never modified (its explanations are filled in when
    read, always alike: scheduling/explain.py), so sharing it between threads is safe.

    One schedule per programme: a new version replaces the one before, which no request asks
    for again. Kept, superseded schedules (tens of thousands of objects each, at thousands
    of milestones) only made every full garbage collection longer.
    """

    def __init__(self, size: int = 32) -> None:
        self._items: LRUCache[int, tuple[str, date, ProgrammeSchedule | None]] = LRUCache(size)
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str, date]) -> tuple[bool, ProgrammeSchedule | None]:
        programme_id, version, day = key
        with self._lock:
            held = self._items.get(programme_id)
        if held is not None and held[:2] == (version, day):
            return True, held[2]
        return False, None

    def put(self, key: tuple[int, str, date], schedule: ProgrammeSchedule | None) -> None:
        programme_id, version, day = key
        with self._lock:
            self._items[programme_id] = (version, day, schedule)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


schedules = _ScheduleCache()


def plan_version(programme: Programme) -> str:
    """The programme's plan version as the database has it now, read once per request (the
    programme object may predate the last change)."""
    versions = g.setdefault("plan_versions", {})
    if programme.id not in versions:
        versions[programme.id] = (
            db.session.scalar(select(Programme.plan_version).where(Programme.id == programme.id))
            or ""
        )
    return str(versions[programme.id])


def schedule_for(programme: Programme) -> ProgrammeSchedule | None:
    """The programme's schedule: worked out once per plan version and day, then reused."""
    cache = g.setdefault("schedules", {})
    if programme.id not in cache:
        key = (programme.id, plan_version(programme), clock.today())
        found, schedule = schedules.get(key)
        if not found:
            schedule = programme_schedule(programme)
            schedules.put(key, schedule)
        cache[programme.id] = schedule
    return cache[programme.id]


def workstreams(programme: Programme, *, include_retired: bool = False) -> list[Workstream]:
    """The programme's workstreams in display order; a retired one (services/workstreams.py)
    only when asked for: it has left the dashboard, the digest and new milestones' choices."""
    query = select(Workstream).where(Workstream.programme_id == programme.id)
    if not include_retired:
        query = query.where(Workstream.retired_on.is_(None))
    return list(
        db.session.scalars(
            query.options(
                selectinload(Workstream.lead_links).joinedload(WorkstreamLead.person)
            ).order_by(Workstream.display_order, Workstream.code)
        )
    )


def workstream_or_404(programme: Programme, code: str) -> Workstream:
    found = db.session.scalar(
        select(Workstream)
        .where(Workstream.programme_id == programme.id, Workstream.code == code.upper())
        .options(selectinload(Workstream.lead_links).joinedload(WorkstreamLead.person))
    )
    if found is None:
        abort(404, description=f"There is no workstream '{code}' in this programme.")
    return found


def latest_highlights(programme: Programme, today: date) -> dict[int, StatusUpdate]:
    """Each workstream's most recent weekly highlight up to today, by workstream id."""
    latest = (
        select(StatusUpdate.workstream_id, func.max(StatusUpdate.week_start).label("week"))
        .join(Workstream, Workstream.id == StatusUpdate.workstream_id)
        .where(Workstream.programme_id == programme.id, StatusUpdate.week_start <= today)
        .group_by(StatusUpdate.workstream_id)
        .subquery()
    )
    updates = db.session.scalars(
        select(StatusUpdate)
        .join(
            latest,
            (latest.c.workstream_id == StatusUpdate.workstream_id)
            & (latest.c.week == StatusUpdate.week_start),
        )
        .options(joinedload(StatusUpdate.author))
    )
    return {u.workstream_id: u for u in updates}


def highlights(workstream: Workstream, today: date) -> list[StatusUpdate]:
    """A workstream's weekly highlights up to today, newest first."""
    return list(
        db.session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.workstream_id == workstream.id, StatusUpdate.week_start <= today)
            .options(joinedload(StatusUpdate.author))
            .order_by(StatusUpdate.week_start.desc())
        )
    )


def top_risks(programme: Programme, today: date, limit: int = TOP_RISKS) -> list[RiskLine]:
    return risk_lines(programme, today)[:limit]


def risk_lines(programme: Programme, today: date) -> list[RiskLine]:
    """Open risks, highest current score first, banded by RISK_BANDS."""
    bands = parse_bands(current_app.config["RISK_BANDS"])
    risks = db.session.scalars(
        select(Risk)
        .where(Risk.programme_id == programme.id, Risk.status == "open")
        .options(joinedload(Risk.owner), joinedload(Risk.workstream))
    )
    lines = []
    for r in risks:
        band = band_for(r.consequence * r.likelihood, bands)
        lines.append(
            RiskLine(
                id=r.id,
                ref=r.ref,
                title=r.title,
                owner=r.owner.name,
                workstream=r.workstream.code if r.workstream else None,
                score=r.consequence * r.likelihood,
                target_score=r.target_consequence * r.target_likelihood,
                band=band.name,
                review_on=r.review_on,
                review_overdue=r.review_on is not None and r.review_on < today,
                rag=band.rag,
            )
        )
    return sorted(lines, key=lambda r: (-r.score, r.ref))


def leads(programme: Programme) -> list[Person]:
    """Everyone who leads a workstream in the programme, by name."""
    return list(
        db.session.scalars(
            select(Person)
            .join(WorkstreamLead, WorkstreamLead.person_id == Person.id)
            .join(Workstream, Workstream.id == WorkstreamLead.workstream_id)
            .where(Workstream.programme_id == programme.id)
            .distinct()
            .order_by(Person.name)
        )
    )


def owners(programme: Programme) -> list[Person]:
    """Everyone who owns a milestone in the programme, by name."""
    return list(
        db.session.scalars(
            select(Person)
            .join(Milestone, Milestone.owner_id == Person.id)
            .where(Milestone.programme_id == programme.id)
            .distinct()
            .order_by(Person.name)
        )
    )


def workstreams_led_by(programme: Programme, person_id: int) -> frozenset[str]:
    return frozenset(
        db.session.scalars(
            select(Workstream.code)
            .join(WorkstreamLead, WorkstreamLead.workstream_id == Workstream.id)
            .where(Workstream.programme_id == programme.id, WorkstreamLead.person_id == person_id)
        )
    )


def refs_owned_by(programme: Programme, person_id: int) -> frozenset[str]:
    return frozenset(
        db.session.scalars(
            select(Milestone.ref).where(
                Milestone.programme_id == programme.id, Milestone.owner_id == person_id
            )
        )
    )


def milestone_or_404(programme: Programme, ref: str, *, links: bool = True) -> Milestone:
    """One milestone of the programme; with `links`, its predecessors and successors too (the
    milestone's page shows them; the forms that change its progress do not)."""
    query = (
        select(Milestone)
        .where(Milestone.programme_id == programme.id, Milestone.ref == ref.upper())
        .options(
            joinedload(Milestone.owner),
            joinedload(Milestone.completed_by),
            joinedload(Milestone.workstream),
        )
    )
    if links:
        query = query.options(
            selectinload(Milestone.predecessor_links).joinedload(Dependency.predecessor),
            selectinload(Milestone.successor_links).joinedload(Dependency.successor),
        )
    found = db.session.scalar(query)
    if found is None:
        abort(404, description=f"There is no milestone '{ref}' in this programme.")
    return found


def milestone_history(milestone: Milestone, limit: int = 200) -> list[AuditEvent]:
    """A milestone's audit trail with the links to and from it, newest first.

    A link's label reads "PEO-08 -> PEO-09" or "PEO-08SS+2 -> PEO-09": the predecessor's
    ref, then " -> " or the link type (F or S) straight after it; the successor's ref ends it.
    """
    ref = milestone.ref
    links = (AuditEvent.entity_type == "Dependency") & (
        AuditEvent.entity_label.like(f"{ref} -> %")
        | AuditEvent.entity_label.like(f"{ref}F%")
        | AuditEvent.entity_label.like(f"{ref}S%")
        | AuditEvent.entity_label.like(f"% -> {ref}")
    )
    own = (AuditEvent.entity_type == "Milestone") & (AuditEvent.entity_id == milestone.id)
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.programme_id == milestone.programme_id, own | links)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def history(entity_type: str, entity_id: int, limit: int = 200) -> list[AuditEvent]:
    """The audit trail of one record, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
