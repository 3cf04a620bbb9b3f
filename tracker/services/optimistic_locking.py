"""Optimistic locking: a save based on an out-of-date copy is refused, not merged.

Each edit form carries the record's `version` and the moment it was opened (`opened_at`): the
page passes both to the service as `Seen`. If the record's version has moved on by the time
the form comes back, the save is refused with the changes made meanwhile (from the audit
trail), and the form is shown again with what the person typed and the new version, so saving
again is a deliberate choice. Two saves racing past this check are caught by the database
(the `version` column is SQLAlchemy's version_id_col); the unit of work reports both alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.models.base import utcnow


@dataclass(frozen=True)
class Seen:
    """What the person was looking at when they decided on the change: the record's version
    and when they opened the form (to list what changed since). Pages always send the
    version; an API client may leave it out (`required=False`), taking the risk."""

    version: int | None
    opened_at: str | None = None
    required: bool = True


@dataclass(frozen=True)
class ChangeMade:
    """One change someone else made meanwhile, as the conflict notice shows it."""

    occurred_at: datetime
    actor: str
    action: str
    field: str | None
    old_value: Any
    new_value: Any


@dataclass
class EditConflict(Exception):
    """Someone else saved the record after this form was opened."""

    current_version: int
    changes: list[ChangeMade]

    def __str__(self) -> str:
        return "Someone else changed this while you were editing it"


def opened_now() -> str:
    """The value for a form's hidden `opened_at` field."""
    return utcnow().isoformat(timespec="microseconds")


def _parse(opened_at: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(opened_at) if opened_at else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def changes_since(entity_type: str, entity_id: int, opened_at: str | None) -> list[ChangeMade]:
    """The audit events of one record after `opened_at` (the latest few when unknown)."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    since = _parse(opened_at)
    if since is not None:
        events = list(db.session.scalars(query.where(AuditEvent.occurred_at > since)))
    else:
        latest = query.order_by(None).order_by(AuditEvent.id.desc()).limit(10)
        events = list(db.session.scalars(latest))[::-1]
    return [
        ChangeMade(e.occurred_at, e.actor, e.action, e.field, e.old_value, e.new_value)
        for e in events
    ]


# The versioned records the current unit of work was checked against.
_watched: ContextVar[list[tuple[type, int, str | None]] | None] = ContextVar(
    "versions_checked", default=None
)


@contextlib.contextmanager
def watching() -> Iterator[list[tuple[type, int, str | None]]]:
    """Collect the records check_current compares, for lost_race (the unit of work)."""
    watched: list[tuple[type, int, str | None]] = []
    token = _watched.set(watched)
    try:
        yield watched
    finally:
        _watched.reset(token)


def lost_race(watched: list[tuple[type, int, str | None]]) -> EditConflict | None:
    """Saved by someone else between reading the record and writing it (StaleDataError at
    commit, after the rollback): the conflict as the database has it now."""
    for model, record_id, opened_at in watched:
        current = db.session.get(model, record_id, populate_existing=True)
        if current is not None:
            return EditConflict(
                current.version, changes_since(model.__name__, record_id, opened_at)
            )
    return None


def changed_since_opened(entity_type: str, entity_id: int, opened_at: str | None) -> None:
    """For a record with no version column (an issue, a decision): raise EditConflict when
    the audit trail shows any change to it after the form was opened."""
    changes = changes_since(entity_type, entity_id, opened_at)
    if changes:
        raise EditConflict(0, changes)


def check_current(record: Any, seen: Seen) -> None:
    """Raise EditConflict unless the change was based on the record's current version."""
    watched = _watched.get()
    if watched is not None:
        watched.append((type(record), record.id, seen.opened_at))
    if seen.version is None and not seen.required:
        return
    if seen.version != record.version:
        raise EditConflict(
            record.version, changes_since(type(record).__name__, record.id, seen.opened_at)
        )
