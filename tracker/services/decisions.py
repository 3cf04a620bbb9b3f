"""The decision log: what the transition board and other forums decided; reading with search
and filters, and the programme office's changes.

Each change is one unit of work (services/unit_of_work.py): it takes the acting person first,
checks they may record decisions (the routes check first too), what they saw, and the rules,
and commits. A decision has no version column, so a stale form is caught from the audit trail
(optimistic_locking.changed_since_opened)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.raid import DECISION_PREFIX, next_ref
from tracker.domain.text import strip_bidi
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_date_in_window,
    check_text,
    check_title,
)
from tracker.domain.validation import format_date as long_date
from tracker.extensions import db
from tracker.models import Decision, Milestone, Person, Programme
from tracker.services.optimistic_locking import Seen, changed_since_opened
from tracker.services.risks import known, milestones_by_ref, unknown_milestones_error
from tracker.services.schedule import date_window
from tracker.services.text_search import words_like
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

DECISIONS_ADMIN = "Only the programme office records decisions."
TAKEN = FieldError("", "Someone else added one at the same moment. Save again to add yours.")


def _text(value: str | None) -> str:
    return (value or "").strip()


@dataclass(frozen=True)
class DecisionFilter:
    text: str = ""
    forum: str | None = None
    decided_from: date | None = None
    decided_to: date | None = None
    milestone: str | None = None


def decision_log(programme: Programme, f: DecisionFilter) -> list[Decision]:
    """The decisions the filter keeps, newest first."""
    query = (
        select(Decision)
        .where(Decision.programme_id == programme.id)
        .options(joinedload(Decision.owner), selectinload(Decision.milestones))
        .order_by(Decision.decided_on.desc(), Decision.ref.desc())
    )
    if f.forum:
        query = query.where(func.lower(Decision.forum) == f.forum.casefold())
    if f.decided_from:
        query = query.where(Decision.decided_on >= f.decided_from)
    if f.decided_to:
        query = query.where(Decision.decided_on <= f.decided_to)
    if f.milestone:
        query = query.where(Decision.milestones.any(Milestone.ref == f.milestone.upper()))
    query = words_like(query, f.text, Decision.ref, Decision.forum, Decision.decision)
    return list(db.session.scalars(query))


def forums(programme: Programme) -> list[str]:
    """The forums named in the decision log so far."""
    return sorted(
        set(
            db.session.scalars(
                select(Decision.forum).where(Decision.programme_id == programme.id).distinct()
            )
        )
    )


def decision_or_none(programme: Programme, ref: str) -> Decision | None:
    return db.session.scalar(
        select(Decision)
        .where(Decision.programme_id == programme.id, Decision.ref == ref.upper())
        .options(selectinload(Decision.milestones))
    )


@dataclass(frozen=True)
class DecisionPlan:
    decided_on: date | None
    forum: str
    decision: str
    owner_id: int | None
    milestone_refs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # No bidirectional controls in a forum's name (tracker/domain/text.py), before any check.
        object.__setattr__(self, "forum", strip_bidi(self.forum))


def decision_problems(
    programme: Programme, plan: DecisionPlan, today: date
) -> tuple[list[FieldError], list[Milestone]]:
    errors = []
    if plan.decided_on is None:
        errors.append(FieldError("decided_on", "Enter the date of the decision"))
    elif plan.decided_on not in (window := date_window(programme)):
        errors += check_date_in_window("decided_on", plan.decided_on, window)
    elif plan.decided_on > today:
        errors.append(
            FieldError(
                "decided_on",
                f"The date decided, {long_date(plan.decided_on)}, is in the future: a "
                f"decision in the log has been taken, so enter today ({long_date(today)}) "
                "or earlier",
            )
        )
    if not _text(plan.forum):
        errors.append(FieldError("forum", "Say which forum decided, like 'Transition board'"))
    if not _text(plan.decision):
        errors.append(FieldError("decision", "Say what was decided"))
    errors += check_title("forum", plan.forum, "forum's name", 120) + check_text(
        "decision", plan.decision
    )
    if plan.owner_id is not None and db.session.get(Person, plan.owner_id) is None:
        errors.append(FieldError("owner", "Choose the person who owns the decision, or nobody"))
    milestones, unknown = milestones_by_ref(programme, plan.milestone_refs)
    if unknown:
        errors.append(unknown_milestones_error("milestones", unknown))
    return errors, milestones


def _apply_decision(decision: Decision, plan: DecisionPlan, milestones: list[Milestone]) -> None:
    decision.decided_on = known(plan.decided_on, "decided_on")
    decision.forum = plan.forum.strip()
    decision.decision = plan.decision.strip()
    decision.owner_id = plan.owner_id
    if [m.id for m in decision.milestones] != [m.id for m in milestones]:
        decision.milestones = sorted(milestones, key=lambda m: m.ref)


@unit_of_work
def create_decision(
    actor: Viewer, programme: Programme, plan: DecisionPlan, today: date
) -> Decision:
    allow(permissions.can_record_decision(actor, programme.id), DECISIONS_ADMIN)
    on_duplicate(TAKEN)
    errors, milestones = decision_problems(programme, plan, today)
    if errors:
        raise ValidationError(errors)
    refs = db.session.scalars(select(Decision.ref).where(Decision.programme_id == programme.id))
    decision = Decision(programme_id=programme.id, ref=next_ref(DECISION_PREFIX, refs))
    _apply_decision(decision, plan, milestones)
    db.session.add(decision)
    return decision


@unit_of_work
def update_decision(
    actor: Viewer,
    programme: Programme,
    decision: Decision,
    seen: Seen,
    plan: DecisionPlan,
    today: date,
) -> None:
    allow(permissions.can_record_decision(actor, programme.id), DECISIONS_ADMIN)
    changed_since_opened("Decision", decision.id, seen.opened_at)
    errors, milestones = decision_problems(programme, plan, today)
    if errors:
        raise ValidationError(errors)
    _apply_decision(decision, plan, milestones)
