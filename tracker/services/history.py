"""Reading the programme-wide audit trail: a page of changes, newest first, and the choices
for its filters. Every function runs a fixed number of queries, however many events match.

The trail is written by tracker/audit.py and only ever read here: nothing edits it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from math import ceil
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from tracker.clock import LONDON
from tracker.extensions import db
from tracker.models import AuditEvent, Milestone, Person, Programme, Risk, User, Workstream

# Fields recorded as a bare id (they are not in tracker/audit.py's REFERENCES, or were not
# when recorded): what the id is of. id_names looks the names up.
ID_FIELDS: dict[str, str] = {
    "forecast_by_id": "person",
    "reviewer_id": "person",
    "owner_id": "person",
    "completed_by_id": "person",
    "author_id": "person",
    "person_id": "person",
    "set_by_id": "person",
    "taken_by_id": "person",
    "invited_by_id": "person",
    "saved_by_id": "person",
    "user_id": "user",
    "risk_id": "risk",
    "programme_id": "programme",
    "made_from_id": "programme",
}

PER_PAGE = 50
# People and user accounts belong to the instance, not to one programme, so their events
# carry no programme; they are part of every programme's history.
SHARED_TYPES = ("Person",)
# User account events (roles, passwords reset, accounts switched off) are for admins only.
ACCOUNT_TYPE = "User"


@dataclass(frozen=True)
class HistoryPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int
    # Milestone id -> its current ref, for the milestones on this page that still exist.
    milestone_refs: dict[int, str] = field(default_factory=dict)
    # (kind, id) -> name, for values recorded as a bare id (words.value_words).
    names: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.events else 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.events) - 1 if self.events else 0

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class Someone:
    """A person (or a program, such as "seed" or "cli") who appears in the trail."""

    key: str  # the user id for a user account, the actor's name otherwise
    name: str


@dataclass(frozen=True)
class HistoryChoices:
    people: list[Someone]
    workstreams: list[Workstream]
    entity_types: list[str]


def person_key(user_id: int | None, actor: str) -> str:
    """How a filter names someone: a user by id (names change), anyone else by name."""
    return str(user_id) if user_id is not None else actor


def split_person_key(key: str) -> tuple[int | None, str | None]:
    """(user_id, actor) for a key made by person_key."""
    return (int(key), None) if key.isdigit() else (None, key)


def london_day_start(day: date) -> datetime:
    """The moment a London calendar day begins, in UTC (23:00 the evening before in summer)."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def _in_programme(programme: Programme, *, with_accounts: bool) -> ColumnElement[bool]:
    shared = SHARED_TYPES + ((ACCOUNT_TYPE,) if with_accounts else ())
    scope = or_(
        AuditEvent.programme_id == programme.id,
        and_(AuditEvent.programme_id.is_(None), AuditEvent.entity_type.in_(shared)),
    )
    if not with_accounts:
        scope = and_(scope, AuditEvent.entity_type != ACCOUNT_TYPE)
    return scope


def programme_history(
    programme: Programme,
    *,
    with_accounts: bool = False,
    user_id: int | None = None,
    actor: str | None = None,
    workstream_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    entity_type: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> HistoryPage:
    """One page of the programme's changes, newest first, in at most three queries.

    `actor` picks changes made by someone without a user account (seed, cli) or whose account
    has gone; `date_from` and `date_to` are London calendar days, both included.
    User account events are left out unless `with_accounts` (admins only).
    """
    conditions = [_in_programme(programme, with_accounts=with_accounts)]
    if user_id is not None:
        conditions.append(AuditEvent.user_id == user_id)
    if actor is not None:
        conditions += [AuditEvent.user_id.is_(None), AuditEvent.actor == actor]
    if workstream_id is not None:
        conditions.append(AuditEvent.workstream_id == workstream_id)
    if date_from is not None:
        conditions.append(AuditEvent.occurred_at >= london_day_start(date_from))
    if date_to is not None:
        conditions.append(AuditEvent.occurred_at < london_day_start(date_to + timedelta(days=1)))
    if entity_type is not None:
        conditions.append(AuditEvent.entity_type == entity_type)

    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    pages = max(1, ceil(total / per_page))
    page = min(max(page, 1), pages)
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(*conditions)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    milestone_ids = {
        e.entity_id for e in events if e.entity_type == "Milestone" and e.entity_id is not None
    }
    refs: dict[int, str] = {}
    if milestone_ids:
        refs = {
            row.id: row.ref
            for row in db.session.execute(
                select(Milestone.id, Milestone.ref).where(
                    Milestone.programme_id == programme.id, Milestone.id.in_(milestone_ids)
                )
            )
        }
    return HistoryPage(events, total, page, per_page, refs, id_names(events))


# What each kind of id names, as (the id column, the name column); a user by their person.
_NAMED: dict[str, tuple[Any, Any]] = {
    "person": (Person.id, Person.name),
    "risk": (Risk.id, Risk.ref),
    "programme": (Programme.id, Programme.name),
}


def id_names(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """The names behind values recorded as a bare id ("12" for a person), for
    words.value_words: one query per kind of id that appears, however many events."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        kind = ID_FIELDS.get(e.field or "")
        if kind is None:
            continue
        for value in (e.old_value, e.new_value):
            if value and value.isdigit():
                wanted.setdefault(kind, set()).add(int(value))
    names: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        rows: Sequence[Any]
        if kind == "user":
            rows = db.session.execute(
                select(User.id, Person.name)
                .join(Person, Person.id == User.person_id)
                .where(User.id.in_(ids))
            ).all()
        else:
            key, name = _NAMED[kind]
            rows = db.session.execute(select(key, name).where(key.in_(ids))).all()
        names.update({(kind, str(row[0])): str(row[1]) for row in rows})
    return names


def history_choices(programme: Programme, *, with_accounts: bool = False) -> HistoryChoices:
    """Who, which workstream and what kind of record the filters offer, in four queries:
    only the people and kinds of record that appear in the programme's trail."""
    scope = _in_programme(programme, with_accounts=with_accounts)
    user_ids = select(AuditEvent.user_id).where(scope, AuditEvent.user_id.is_not(None)).distinct()
    users = db.session.execute(
        select(User.id, Person.name)
        .join(Person, Person.id == User.person_id)
        .where(User.id.in_(user_ids))
        .order_by(Person.name, User.id)
    ).all()
    others = db.session.scalars(
        select(AuditEvent.actor)
        .where(scope, AuditEvent.user_id.is_(None))
        .distinct()
        .order_by(AuditEvent.actor)
    ).all()
    people = [Someone(person_key(row.id, row.name), row.name) for row in users]
    people += [Someone(person_key(None, name), name) for name in others]
    workstreams = list(
        db.session.scalars(
            select(Workstream)
            .where(Workstream.programme_id == programme.id)
            .order_by(Workstream.display_order, Workstream.code)
        )
    )
    entity_types = sorted(
        db.session.scalars(select(AuditEvent.entity_type).where(scope).distinct()).all()
    )
    return HistoryChoices(people, workstreams, entity_types)
