"""Optimistic locking for forms: a save based on an out-of-date copy is refused, not merged.

Each edit form carries the record's `version` and the moment it was opened (`opened_at`).
If the record's version has moved on by the time the form comes back, the save is refused
with the changes made meanwhile (from the audit trail), and the form is shown again with what
the person typed and the new version, so saving again is a deliberate choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEvent
from tracker.models.base import utcnow


@dataclass
class EditConflict(Exception):
    """Someone else saved the record after this form was opened."""

    current_version: int
    changes: list[AuditEvent]

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


def changes_since(entity_type: str, entity_id: int, opened_at: str | None) -> list[AuditEvent]:
    """The audit events of one record after `opened_at` (the latest few when unknown)."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    since = _parse(opened_at)
    if since is not None:
        return list(db.session.scalars(query.where(AuditEvent.occurred_at > since)))
    latest = list(db.session.scalars(query.order_by(None).order_by(AuditEvent.id.desc()).limit(10)))
    return latest[::-1]


def ensure_current(
    entity_type: str, entity_id: int, version: int, submitted: int | None, opened_at: str | None
) -> None:
    """Raise EditConflict unless the form was based on the record's current version."""
    if submitted != version:
        raise EditConflict(version, changes_since(entity_type, entity_id, opened_at))
