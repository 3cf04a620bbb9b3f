"""Every change to audited records is written to the audit trail in the same transaction.

A session listener does it, so no code path (page, API, import, CLI, seed) can forget.
Validation runs in the same place: nothing invalid reaches the database, whoever saves it.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, update
from sqlalchemy.orm import MANYTOONE, UOWTransaction
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import History

from tracker.domain import plan_health
from tracker.domain.validation import ValidationError
from tracker.models import (
    ApiToken,
    AuditEvent,
    Baseline,
    CalendarClosure,
    CalendarFeed,
    Decision,
    Dependency,
    GoLiveTarget,
    Invitation,
    Issue,
    IssuedPack,
    Membership,
    Milestone,
    Person,
    Programme,
    Risk,
    RiskAction,
    RiskReview,
    SavedTemplate,
    Scenario,
    StatusUpdate,
    User,
    Workstream,
    WorkstreamLead,
)
from tracker.models.base import utcnow


@dataclass(frozen=True)
class Actor:
    name: str
    user_id: int | None = None


SYSTEM = Actor("system")
_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Attribute the changes made inside the block to `actor`."""
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def start_acting(actor: Actor) -> Token[Actor | None]:
    """Like acting_as, for code that cannot wrap a block (a request's start and end)."""
    return _actor.set(actor)


def stop_acting(token: Token[Actor | None]) -> None:
    _actor.reset(token)


def current_actor() -> Actor:
    return _actor.get() or SYSTEM


AUDITED: tuple[type, ...] = (
    Programme,
    GoLiveTarget,
    CalendarClosure,
    Workstream,
    WorkstreamLead,
    Milestone,
    Dependency,
    Baseline,
    Risk,
    RiskAction,
    RiskReview,
    Issue,
    Decision,
    StatusUpdate,
    Person,
    User,
    ApiToken,
    CalendarFeed,
    Membership,
    Invitation,
    SavedTemplate,
    Scenario,
    IssuedPack,
)
# Audited, but not part of the plan: changing one leaves the programme's plan version (and so
# every cached schedule) as it is. A scenario is hypothetical by definition.
# Nor is an issued board pack: a paper about the plan.
NOT_THE_PLAN: tuple[type, ...] = (Scenario, IssuedPack)
NOT_AUDITED_FIELDS = {
    "id",
    "plan_version",
    "created_at",
    "updated_at",
    "version",
    "last_sign_in_at",
    "last_used_at",
    "based_on",  # a scenario's copy of the plan it was made on: derived, and large
}
HIDDEN_FIELDS = {"password_hash", "token_digest", "token"}
# Foreign keys are recorded as what they point at, in words people recognise.
REFERENCES: dict[str, tuple[type, str]] = {
    "owner_id": (Person, "name"),
    "completed_by_id": (Person, "name"),
    "author_id": (Person, "name"),
    "person_id": (Person, "name"),
    "set_by_id": (Person, "name"),
    "taken_by_id": (Person, "name"),
    "workstream_id": (Workstream, "code"),
    "predecessor_id": (Milestone, "ref"),
    "successor_id": (Milestone, "ref"),
    "current_baseline_id": (Baseline, "label"),
    "invited_by_id": (Person, "name"),
    "saved_by_id": (Person, "name"),
    "forecast_by_id": (Person, "name"),
    "reviewer_id": (Person, "name"),
    "risk_id": (Risk, "ref"),
    "made_from_id": (Programme, "name"),
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


@dataclass
class _Pending:
    obj: Any
    action: str
    field: str | None = None
    old: Any = None
    new: Any = None
    entity_id: int | None = None
    programme_id: int | None = None
    workstream_id: int | None = None
    label: str = ""


def _scope(obj: Any) -> tuple[int | None, int | None]:
    """The programme and workstream a record belongs to, for filtering history."""
    if isinstance(obj, Programme):
        return obj.id, None
    if isinstance(obj, Workstream):
        return obj.programme_id, obj.id
    if isinstance(obj, WorkstreamLead):
        ws = obj.workstream
        return (ws.programme_id if ws else None), obj.workstream_id
    if isinstance(obj, Dependency):
        succ = obj.successor
        return obj.programme_id, (succ.workstream_id if succ else None)
    if isinstance(obj, StatusUpdate):
        ws = obj.workstream
        return (ws.programme_id if ws else None), obj.workstream_id
    if isinstance(obj, RiskAction | RiskReview):
        risk = obj.risk
        return (risk.programme_id, risk.workstream_id) if risk else (None, None)
    return getattr(obj, "programme_id", None), getattr(obj, "workstream_id", None)


def _label(obj: Any) -> str:
    try:
        return str(obj.audit_label)[:300]
    except Exception:  # a half-built object must not stop the save
        return type(obj).__name__


def _validate(session: OrmSession) -> None:
    # session.dirty is worked out afresh at each read: read it once, not once a record.
    dirty = session.dirty
    for obj in [*session.new, *dirty]:
        validate = getattr(obj, "validate", None)
        if validate is None or (obj in dirty and not session.is_modified(obj)):
            continue
        errors = validate()
        if errors:
            raise ValidationError(errors, entity=_label(obj))


def _before_flush(session: OrmSession, flush_context: UOWTransaction, instances: Any) -> None:
    _validate(session)
    pending: list[_Pending] = session.info.setdefault("audit_pending", [])
    for obj in session.new:
        if isinstance(obj, AUDITED):
            pending.append(_Pending(obj, "create"))
    for obj in session.dirty:
        if not isinstance(obj, AUDITED) or not session.is_modified(obj):
            continue
        state = inspect(obj)
        changed: dict[str, tuple[Any, Any]] = {}
        for attr in state.mapper.column_attrs:
            key = attr.key
            if key in NOT_AUDITED_FIELDS:
                continue
            history: History = state.attrs[key].history
            if history.has_changes():
                old = history.deleted[0] if history.deleted else None
                changed[key] = (old, history.added[0] if history.added else None)
        # `milestone.owner = person` changes owner_id only during the flush, so look at
        # many-to-one relationships too; the column still holds the old key.
        for rel in state.mapper.relationships:
            if rel.direction is not MANYTOONE or len(rel.local_columns) != 1:
                continue
            history = state.attrs[rel.key].history
            if not history.added:
                continue
            key = next(iter(rel.local_columns)).key
            if key is None or key in NOT_AUDITED_FIELDS:
                continue
            new_obj = history.added[0]
            old_id = changed[key][0] if key in changed else state.attrs[key].value
            changed[key] = (old_id, new_obj)
        for key, (old, new) in changed.items():
            if _key(old) == _key(new) and not (old is None) ^ (new is None):
                continue
            pending.append(_Pending(obj, "update", key, old, new))
        # Links kept in a plain association table (a risk's milestones) have no object of
        # their own to audit: record the list before and after on the record that holds them.
        for rel in state.mapper.relationships:
            if rel.secondary is None:
                continue
            history = state.attrs[rel.key].history
            if not (history.added or history.deleted):
                continue
            before = [*history.unchanged, *history.deleted]
            after = [*history.unchanged, *history.added]
            pending.append(_Pending(obj, "update", rel.key, _labels(before), _labels(after)))
    for obj in session.deleted:
        if isinstance(obj, AUDITED):
            programme_id, workstream_id = _scope(obj)
            pending.append(
                _Pending(
                    obj,
                    "delete",
                    entity_id=getattr(obj, "id", None),
                    programme_id=programme_id,
                    workstream_id=workstream_id,
                    label=_label(obj),
                )
            )


def _labels(records: list[Any]) -> str:
    return ", ".join(sorted(str(getattr(r, "ref", None) or _label(r)) for r in records)) or "none"


def _key(value: Any) -> Any:
    """A record stands for its primary key when comparing old and new values."""
    return value.id if hasattr(value, "_sa_instance_state") else value


def _describe(session: OrmSession, field: str | None, value: Any) -> str | None:
    if field in HIDDEN_FIELDS:
        return None if value is None else "(set)"
    if field in REFERENCES and value is not None:
        model, attr = REFERENCES[field]
        target = value if isinstance(value, model) else session.get(model, value)
        if target is not None:
            return str(getattr(target, attr))
    if hasattr(value, "_sa_instance_state"):
        return _label(value)
    if field == "health_thresholds" and isinstance(value, dict):
        return plan_health.describe_stored(value)
    return _text(value)


def _after_flush(session: OrmSession, flush_context: UOWTransaction) -> None:
    pending: list[_Pending] = session.info.pop("audit_pending", [])
    if not pending:
        return
    actor = current_actor()
    now = utcnow()
    # A record of a deleted programme or workstream cannot point at it any more.
    gone_programmes = {
        p.entity_id for p in pending if p.action == "delete" and isinstance(p.obj, Programme)
    }
    gone_workstreams = {
        p.entity_id for p in pending if p.action == "delete" and isinstance(p.obj, Workstream)
    }
    rows = []
    for item in pending:
        if item.action != "delete":
            item.entity_id = getattr(item.obj, "id", None)
            item.programme_id, item.workstream_id = _scope(item.obj)
            item.label = _label(item.obj)
        rows.append(
            {
                "occurred_at": now,
                "programme_id": None if item.programme_id in gone_programmes else item.programme_id,
                "user_id": actor.user_id,
                "actor": actor.name,
                "entity_type": type(item.obj).__name__,
                "entity_id": item.entity_id,
                "entity_label": item.label,
                "action": item.action,
                "field": item.field,
                "old_value": _describe(session, item.field, item.old),
                "new_value": _describe(session, item.field, item.new),
                "workstream_id": None
                if item.workstream_id in gone_workstreams
                else item.workstream_id,
            }
        )
    session.connection().execute(insert(AuditEvent), rows)
    _new_plan_versions(session, pending, gone_programmes)


def _new_plan_versions(
    session: OrmSession, pending: list[_Pending], gone_programmes: set[int | None]
) -> None:
    """Give each changed programme a new plan version, so cached schedules are recomputed
    (services/board.py), in every worker. Versions are random, never counted up: a change
    that is rolled back must not leave its number for a later, different change to reuse."""
    changed = {
        item.programme_id
        for item in pending
        if item.programme_id is not None
        and item.programme_id not in gone_programmes
        and not isinstance(item.obj, NOT_THE_PLAN)
    }
    everyone = any(isinstance(item.obj, Person) for item in pending)  # owners' names
    if not changed and not everyone:
        return
    bump = update(Programme).values(plan_version=secrets.token_hex(8))
    if not everyone:
        bump = bump.where(Programme.id.in_(changed))
    session.connection().execute(bump)


def _after_rollback(session: OrmSession) -> None:
    session.info.pop("audit_pending", None)


def install(session_class: type[OrmSession]) -> None:
    """Attach validation and auditing to every session of this class (once)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_soft_rollback", lambda s, t: _after_rollback(s))
