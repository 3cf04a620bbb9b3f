"""The API's reads that the pages' services do not already offer, a page at a time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, joinedload

from tracker.api.params import Page, page_numbers
from tracker.extensions import db
from tracker.models import Dependency, Milestone, Programme, Risk, StatusUpdate, Workstream


def page_of(query: Select[*tuple[Any, ...]], scalars: bool = True) -> Page[Any]:
    """One page of a query's results (ordered by the query), with the total count."""
    page, per_page = page_numbers()
    counted = query.order_by(None).subquery()
    count: Select[int] = select(func.count()).select_from(counted)
    total: int | None = db.session.scalar(count)
    query = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(query)
    rows: list[Any] = list(result.scalars() if scalars else result)
    return Page(rows, page, per_page, total or 0)


def programmes() -> Page[Programme]:
    return page_of(
        select(Programme)
        .options(joinedload(Programme.current_baseline))
        .order_by(Programme.name, Programme.id)
    )


def milestones_by_ref(programme: Programme, refs: Iterable[str]) -> dict[str, Milestone]:
    """The stored milestones of one page, with what the API shows of them, in one query."""
    wanted = list(refs)
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(Milestone)
        .where(Milestone.programme_id == programme.id, Milestone.ref.in_(wanted))
        .options(joinedload(Milestone.completed_by))
    )
    return {m.ref: m for m in rows}


def dependencies(programme: Programme) -> Page[Any]:
    """Links by id: (id, predecessor ref, successor ref, type, lag)."""
    predecessor, successor = aliased(Milestone), aliased(Milestone)
    return page_of(
        select(
            Dependency.id,
            predecessor.ref,
            successor.ref,
            Dependency.type,
            Dependency.lag_days,
        )
        .join(predecessor, predecessor.id == Dependency.predecessor_id)
        .join(successor, successor.id == Dependency.successor_id)
        .where(Dependency.programme_id == programme.id)
        .order_by(Dependency.id),
        scalars=False,
    )


def risks(programme: Programme, status: str | None, workstream_code: str | None) -> Page[Risk]:
    """Open risks first, highest current score first, then by reference."""
    query = (
        select(Risk)
        .where(Risk.programme_id == programme.id)
        .options(joinedload(Risk.owner), joinedload(Risk.workstream))
        .order_by(
            (Risk.status == "open").desc(),
            (Risk.consequence * Risk.likelihood).desc(),
            Risk.ref,
        )
    )
    if status is not None:
        query = query.where(Risk.status == status)
    if workstream_code is not None:
        query = query.where(
            Risk.workstream_id.in_(
                select(Workstream.id).where(
                    Workstream.programme_id == programme.id, Workstream.code == workstream_code
                )
            )
        )
    return page_of(query)


def status_updates(
    programme: Programme, today: date, workstream_code: str | None
) -> Page[StatusUpdate]:
    """Weekly highlights up to this week, newest week first, workstreams in their order."""
    query = (
        select(StatusUpdate)
        .join(Workstream, Workstream.id == StatusUpdate.workstream_id)
        .where(Workstream.programme_id == programme.id, StatusUpdate.week_start <= today)
        .options(joinedload(StatusUpdate.author), joinedload(StatusUpdate.workstream))
        .order_by(StatusUpdate.week_start.desc(), Workstream.display_order, Workstream.code)
    )
    if workstream_code is not None:
        query = query.where(Workstream.code == workstream_code)
    return page_of(query)
