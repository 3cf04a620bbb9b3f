"""Reading programmes and their workstreams."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.domain.permissions import Viewer, can_see_programme
from tracker.domain.terms import MilestoneStatus
from tracker.extensions import db
from tracker.models import Milestone, Programme, Workstream, WorkstreamLead


def list_programmes(viewer: Viewer | None = None) -> list[Programme]:
    """Every programme by name; given a viewer, only those they may see. (The CLI and the
    digest's sender pass none: they act for the whole instance.)"""
    query = select(Programme).order_by(Programme.name)
    if viewer is not None and not viewer.instance_admin:
        query = query.where(Programme.id.in_(list(viewer.memberships)))
    return list(db.session.scalars(query))


def get_programme_or_404(slug: str) -> Programme:
    """The programme named in the address. Someone who may not see it is told there is no
    such programme, as if it did not exist (the viewer of the request: security.py and the
    API set it before any view runs; no viewer at all is refused)."""
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    viewer = g.get("viewer")
    if programme is None or viewer is None or not can_see_programme(viewer, programme.id):
        abort(404, description=f"There is no programme called '{slug}'.")
    return programme


@dataclass(frozen=True)
class WorkstreamSummary:
    workstream: Workstream
    total: int
    complete: int

    @property
    def percent_complete(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 0


def workstream_summaries(programme: Programme) -> list[WorkstreamSummary]:
    """Each workstream with its leads and milestone counts, in two queries; retired ones
    (services/workstreams.py) are left out."""
    workstreams = db.session.scalars(
        select(Workstream)
        .where(Workstream.programme_id == programme.id, Workstream.retired_on.is_(None))
        .options(selectinload(Workstream.lead_links).joinedload(WorkstreamLead.person))
        .order_by(Workstream.display_order, Workstream.code)
    ).all()
    counts = {
        row.workstream_id: (row.total, row.complete or 0)
        for row in db.session.execute(
            select(
                Milestone.workstream_id,
                func.count().label("total"),
                func.sum((Milestone.status == MilestoneStatus.COMPLETE).cast(db.Integer)).label(
                    "complete"
                ),
            )
            .where(Milestone.programme_id == programme.id)
            .group_by(Milestone.workstream_id)
        )
    }
    return [WorkstreamSummary(ws, *counts.get(ws.id, (0, 0))) for ws in workstreams]


def workstream_ids(programme: Programme) -> frozenset[int]:
    return frozenset(
        db.session.scalars(select(Workstream.id).where(Workstream.programme_id == programme.id))
    )


@dataclass(frozen=True)
class ProgrammeSummary:
    programme: Programme
    total: int
    complete: int

    @property
    def percent_complete(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 0


def programme_summaries(found: list[Programme]) -> list[ProgrammeSummary]:
    """Each programme with its milestone counts, in one query whatever the number."""
    counts = {
        row.programme_id: (row.total, row.complete or 0)
        for row in db.session.execute(
            select(
                Milestone.programme_id,
                func.count().label("total"),
                func.sum((Milestone.status == MilestoneStatus.COMPLETE).cast(db.Integer)).label(
                    "complete"
                ),
            ).group_by(Milestone.programme_id)
        )
    }
    return [ProgrammeSummary(p, *counts.get(p.id, (0, 0))) for p in found]


def leads_in(viewer: Viewer, programme: Programme) -> bool:
    """Whether the viewer leads a workstream of this programme (no query when they lead none)."""
    return bool(viewer.led_workstream_ids and viewer.led_workstream_ids & workstream_ids(programme))


def programmes_led(viewer: Viewer) -> frozenset[int]:
    """The ids of the programmes in which the viewer leads a workstream."""
    if not viewer.led_workstream_ids:
        return frozenset()
    return frozenset(
        db.session.scalars(
            select(Workstream.programme_id)
            .where(Workstream.id.in_(viewer.led_workstream_ids))
            .distinct()
        )
    )
