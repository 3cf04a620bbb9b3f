"""The JSON API's reads that the pages' services do not already offer, a page at a time.

The API (tracker/api/) asks for a page by number and size; what it gets back is a Page:
the rows of that page and how many there are in all. The queries are here, with the rest of
the app's database work, so the API itself only reads requests and writes answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, joinedload

from tracker.domain.notation import format_predecessor
from tracker.domain.permissions import Viewer
from tracker.extensions import db
from tracker.models import Dependency, Milestone, Programme, Risk, StatusUpdate, Workstream

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, which page it is, and how many items there are."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def page_of_list(items: Sequence[T], page: int, per_page: int) -> Page[T]:
    """A page of a list already in memory (the schedule is worked out whole anyway)."""
    start = (page - 1) * per_page
    return Page(list(items[start : start + per_page]), page, per_page, len(items))


def _page_of_query(
    query: Select[*tuple[Any, ...]], page: int, per_page: int, *, scalars: bool = True
) -> Page[Any]:
    """One page of a query's results (ordered by the query), with the total count."""
    counted = query.order_by(None).subquery()
    count: Select[int] = select(func.count()).select_from(counted)
    total: int | None = db.session.scalar(count)
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    rows: list[Any] = list(result.scalars() if scalars else result)
    return Page(rows, page, per_page, total or 0)


def programmes(viewer: Viewer, page: int, per_page: int) -> Page[Programme]:
    """The programmes the caller may see (members and instance administrators)."""
    query = select(Programme)
    if not viewer.instance_admin:
        query = query.where(Programme.id.in_(list(viewer.memberships)))
    return _page_of_query(
        query.options(joinedload(Programme.current_baseline)).order_by(
            Programme.name, Programme.id
        ),
        page,
        per_page,
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


class DependencyLink(NamedTuple):
    """A link between two milestones, by reference."""

    id: int
    predecessor: str
    successor: str
    type: str
    lag_days: int

    @property
    def notation(self) -> str:
        """As the plan's predecessor column writes it: GOV-03FS+5."""
        return format_predecessor(self.predecessor, self.type, self.lag_days)


def dependencies(programme: Programme, page: int, per_page: int) -> Page[DependencyLink]:
    """Links in the order they were made."""
    predecessor, successor = aliased(Milestone), aliased(Milestone)
    found = _page_of_query(
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
        page,
        per_page,
        scalars=False,
    )
    return Page([DependencyLink(*row) for row in found.items], page, per_page, found.total)


def risks(
    programme: Programme,
    page: int,
    per_page: int,
    *,
    status: str | None = None,
    workstream_code: str | None = None,
) -> Page[Risk]:
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
    return _page_of_query(query, page, per_page)


def status_updates(
    programme: Programme,
    today: date,
    page: int,
    per_page: int,
    *,
    workstream_code: str | None = None,
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
    return _page_of_query(query, page, per_page)
