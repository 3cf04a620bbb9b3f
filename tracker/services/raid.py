"""The issue log and the decision log: reading with search and filters, and changes.

Each change is one unit of work (services/unit_of_work.py): it takes the acting person first,
checks their rights (the routes check first too), what they saw, and the rules, and commits; a
problem names the form field. Neither record has a version column, so a stale form is caught
from the audit trail: any change to the record after the form was opened (`stale_since`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload, selectinload

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.raid import DECISION_PREFIX, ISSUE_PREFIX, next_ref
from tracker.domain.validation import FieldError, ValidationError, check_text, check_title
from tracker.domain.validation import format_date as long_date
from tracker.extensions import db
from tracker.models import Decision, Issue, Milestone, Person, Programme, Risk, Workstream
from tracker.services.optimistic_locking import EditConflict, Seen, changes_since
from tracker.services.risks import known, milestones_by_ref, unknown_milestones_error
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

Q = TypeVar("Q", bound=Select[Any])


ISSUE_NOT_YOURS = (
    "Only the programme office, the issue's owner and its workstream's lead change it."
)
DECISIONS_ADMIN = "Only the programme office records decisions."
# Two people adding at the same moment take the same next reference.
TAKEN = FieldError("", "Someone else added one at the same moment. Save again to add yours.")


def _may_edit_issue(actor: Viewer, issue: Issue) -> None:
    allow(permissions.can_edit_issue(actor, issue.owner_id, issue.workstream_id), ISSUE_NOT_YOURS)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _words_like(query: Q, text: str, *columns: InstrumentedAttribute[str]) -> Q:
    """Every word of `text` in one of the columns, ignoring case."""
    for word in text.split():
        escaped = word.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
        )
    return query


def stale_since(entity_type: str, entity_id: int, opened_at: str | None) -> None:
    """Raise EditConflict when the record changed after the form was opened."""
    changes = changes_since(entity_type, entity_id, opened_at)
    if changes:
        raise EditConflict(0, changes)


# --- issues -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueFilter:
    status: str | None = "open"  # None: open and closed
    workstream: str | None = None  # a code, or "none" for programme-wide issues
    text: str = ""


def issue_log(programme: Programme, f: IssueFilter) -> list[Issue]:
    """The issues the filter keeps, most recently raised first."""
    query = (
        select(Issue)
        .where(Issue.programme_id == programme.id)
        .options(joinedload(Issue.owner), joinedload(Issue.workstream), joinedload(Issue.risk))
        .order_by(Issue.raised_on.desc(), Issue.ref.desc())
    )
    if f.status:
        query = query.where(Issue.status == f.status)
    if f.workstream == "none":
        query = query.where(Issue.workstream_id.is_(None))
    elif f.workstream:
        query = query.join(Workstream, Workstream.id == Issue.workstream_id).where(
            Workstream.code == f.workstream
        )
    query = _words_like(
        query, f.text, Issue.ref, Issue.title, Issue.description, Issue.impact, Issue.action
    )
    return list(db.session.scalars(query))


def issue_or_none(programme: Programme, ref: str) -> Issue | None:
    return db.session.scalar(
        select(Issue).where(Issue.programme_id == programme.id, Issue.ref == ref.upper())
    )


def programme_risks(programme: Programme) -> list[Risk]:
    return list(
        db.session.scalars(select(Risk).where(Risk.programme_id == programme.id).order_by(Risk.ref))
    )


@dataclass(frozen=True)
class IssuePlan:
    title: str
    description: str
    raised_on: date | None
    owner_id: int | None
    workstream_id: int | None
    impact: str
    action: str
    risk_id: int | None


ISSUE_SCOPE = (
    "You can only keep issues you own or that sit in a workstream you lead: choose yourself "
    "as the owner, or one of your workstreams"
)


def issue_problems(
    programme: Programme, plan: IssuePlan, viewer: Viewer, today: date
) -> list[FieldError]:
    errors = []
    if not _text(plan.title):
        errors.append(FieldError("title", "Enter a title: what has happened, in a line"))
    errors += check_title("title", plan.title)
    for name in ("description", "impact", "action"):
        errors += check_text(name, getattr(plan, name))
    if plan.raised_on is None:
        errors.append(FieldError("raised_on", "Enter the date the issue was raised"))
    elif plan.raised_on > today:
        errors.append(
            FieldError("raised_on", "An issue has happened: the date cannot be in the future")
        )
    if plan.owner_id is None or db.session.get(Person, plan.owner_id) is None:
        errors.append(FieldError("owner", "Choose the person who owns the issue"))
    workstream = db.session.get(Workstream, plan.workstream_id) if plan.workstream_id else None
    if plan.workstream_id is not None and (
        workstream is None or workstream.programme_id != programme.id
    ):
        errors.append(FieldError("workstream", "Choose one of this programme's workstreams"))
    elif plan.owner_id is not None and not permissions.can_edit_issue(
        viewer, plan.owner_id, plan.workstream_id
    ):
        errors.append(FieldError("owner", ISSUE_SCOPE))
    risk = db.session.get(Risk, plan.risk_id) if plan.risk_id else None
    if plan.risk_id is not None and (risk is None or risk.programme_id != programme.id):
        errors.append(FieldError("risk", "Choose one of this programme's risks"))
    return errors


def _apply_issue(issue: Issue, plan: IssuePlan) -> None:
    issue.title = plan.title.strip()
    issue.description = _text(plan.description)
    issue.raised_on = known(plan.raised_on, "raised_on")
    issue.owner_id = known(plan.owner_id, "owner_id")
    issue.workstream_id = plan.workstream_id
    issue.impact = _text(plan.impact)
    issue.action = _text(plan.action)
    issue.risk_id = plan.risk_id


@unit_of_work
def create_issue(actor: Viewer, programme: Programme, plan: IssuePlan, today: date) -> Issue:
    allow(
        permissions.can_add_issue(actor),
        "Only the programme office and workstream leads add issues.",
    )
    on_duplicate(TAKEN)
    errors = issue_problems(programme, plan, actor, today)
    if errors:
        raise ValidationError(errors)
    refs = db.session.scalars(select(Issue.ref).where(Issue.programme_id == programme.id))
    issue = Issue(programme_id=programme.id, ref=next_ref(ISSUE_PREFIX, refs), status="open")
    _apply_issue(issue, plan)
    db.session.add(issue)
    return issue


@unit_of_work
def update_issue(
    actor: Viewer, programme: Programme, issue: Issue, seen: Seen, plan: IssuePlan, today: date
) -> None:
    _may_edit_issue(actor, issue)
    stale_since("Issue", issue.id, seen.opened_at)
    errors = issue_problems(programme, plan, actor, today)
    if errors:
        raise ValidationError(errors)
    _apply_issue(issue, plan)


@unit_of_work
def close_issue(
    actor: Viewer, issue: Issue, seen: Seen, closed_on: date | None, today: date
) -> None:
    _may_edit_issue(actor, issue)
    stale_since("Issue", issue.id, seen.opened_at)
    if issue.status == "closed":
        raise ValidationError([FieldError("closed_on", f"{issue.ref} is already closed")])
    if closed_on is None:
        raise ValidationError([FieldError("closed_on", "Enter the date the issue was resolved")])
    if closed_on < issue.raised_on:
        raise ValidationError(
            [
                FieldError(
                    "closed_on",
                    f"The issue cannot close before it was raised, {long_date(issue.raised_on)}",
                )
            ]
        )
    if closed_on > today:
        raise ValidationError([FieldError("closed_on", "The date cannot be in the future")])
    issue.status = "closed"
    issue.closed_on = closed_on


@unit_of_work
def reopen_issue(actor: Viewer, issue: Issue) -> None:
    _may_edit_issue(actor, issue)
    if issue.status != "closed":
        raise ValidationError([FieldError("status", f"{issue.ref} is already open")])
    issue.status = "open"
    issue.closed_on = None


# --- decisions ------------------------------------------------------------------------------


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
    query = _words_like(query, f.text, Decision.ref, Decision.forum, Decision.decision)
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


def decision_problems(
    programme: Programme, plan: DecisionPlan, today: date
) -> tuple[list[FieldError], list[Milestone]]:
    errors = []
    if plan.decided_on is None:
        errors.append(FieldError("decided_on", "Enter the date of the decision"))
    elif plan.decided_on > today:
        errors.append(
            FieldError(
                "decided_on",
                "A decision in the log has been taken: the date cannot be in the future",
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
    allow(permissions.can_record_decision(actor), DECISIONS_ADMIN)
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
    allow(permissions.can_record_decision(actor), DECISIONS_ADMIN)
    stale_since("Decision", decision.id, seen.opened_at)
    errors, milestones = decision_problems(programme, plan, today)
    if errors:
        raise ValidationError(errors)
    _apply_decision(decision, plan, milestones)
