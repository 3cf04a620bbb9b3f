"""What leads do to their milestones week by week: complete, forecast, block, start, and the
programme office's reopen; and each workstream's weekly highlight.

Each change is one unit of work (tracker/services/unit_of_work.py): it takes the acting
person, the version of the milestone they saw and what they typed; checks the permission, the
version and the rules; and commits. Validation errors name the form field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from tracker.audit import current_actor
from tracker.domain import permissions
from tracker.domain.highlights import check_highlight
from tracker.domain.my_work import week_start
from tracker.domain.permissions import Viewer
from tracker.domain.terms import ROLE_LABELS, MilestoneStatus, Role
from tracker.domain.text import listed
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_completion,
    check_evidence,
    check_forecast,
    check_reason,
    check_text,
    raise_if,
)
from tracker.extensions import db
from tracker.models import AuditEvent, Milestone, StatusUpdate, Workstream
from tracker.models.base import utcnow
from tracker.services.optimistic_locking import EditConflict, Seen, changes_since, check_current
from tracker.services.schedule import date_window
from tracker.services.unit_of_work import allow, unit_of_work


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def not_theirs(actor: Viewer, workstream: Workstream, doing: str) -> str:
    """Why this person may not change the workstream's progress, in their own terms: "You
    lead FIN and PRC, not PEO: only a lead of PEO or a programme admin can update PEO-04"."""
    only = f"only a lead of {workstream.code} or a programme admin can {doing}"
    role = actor.role_in(workstream.programme_id)
    if role == Role.LEAD:
        led = list(
            db.session.scalars(
                select(Workstream.code)
                .where(
                    Workstream.programme_id == workstream.programme_id,
                    Workstream.id.in_(actor.led_workstream_ids),
                )
                .order_by(Workstream.display_order, Workstream.code)
            )
        )
        if led:
            return f"You lead {listed(led)}, not {workstream.code}: {only}."
        return f"You lead no workstream in this programme: {only}."
    if role in (Role.BOARD, Role.VIEWER):
        label = ROLE_LABELS[Role(role)].lower()
        return f"You are a {label} here, who reads the plan and changes nothing: {only}."
    return f"You are not a member of this programme: {only}."


def _may_update(actor: Viewer, milestone: Milestone, seen: Seen) -> None:
    if not permissions.can_update_progress(actor, milestone.programme_id, milestone.workstream_id):
        allow(False, not_theirs(actor, milestone.workstream, f"update {milestone.ref}"))
    check_current(milestone, seen)


@unit_of_work
def complete(
    actor: Viewer,
    milestone: Milestone,
    seen: Seen,
    *,
    completed_on: date | None,
    evidence_text: str | None,
    evidence_url: str | None,
    today: date,
) -> None:
    _may_update(actor, milestone, seen)
    if milestone.status == MilestoneStatus.COMPLETE:
        raise ValidationError([FieldError("status", f"{milestone.ref} is already complete")])
    raise_if(
        check_completion(completed_on, today, date_window(milestone.programme))
        + check_evidence(milestone.is_key, evidence_text, evidence_url)
    )
    milestone.status = MilestoneStatus.COMPLETE.value
    milestone.completed_on = completed_on
    milestone.completed_by_id = actor.person_id
    milestone.evidence_text = _text(evidence_text)
    milestone.evidence_url = _text(evidence_url)
    milestone.blocked_reason = None
    # Done is done: a forecast for it no longer means anything.
    milestone.forecast_date = None
    milestone.forecast_reason = None
    milestone.forecast_by_id = None


@unit_of_work
def set_forecast(
    actor: Viewer,
    milestone: Milestone,
    seen: Seen,
    *,
    forecast_date: date | None,
    reason: str | None,
    today: date,
) -> None:
    _may_update(actor, milestone, seen)
    _not_complete(milestone, "forecast")
    raise_if(
        check_forecast(forecast_date, reason, today, date_window(milestone.programme))
        + check_text("forecast_reason", reason)
    )
    milestone.forecast_date = forecast_date
    milestone.forecast_reason = _text(reason)
    milestone.forecast_by_id = actor.person_id if forecast_date is not None else None


@unit_of_work
def clear_forecast(actor: Viewer, milestone: Milestone, seen: Seen) -> None:
    _may_update(actor, milestone, seen)
    milestone.forecast_date = None
    milestone.forecast_reason = None
    milestone.forecast_by_id = None


@unit_of_work
def block(actor: Viewer, milestone: Milestone, seen: Seen, *, reason: str | None) -> None:
    _may_update(actor, milestone, seen)
    _not_complete(milestone, "block")
    raise_if(check_reason("blocked_reason", reason, "it is blocked"))
    milestone.status = MilestoneStatus.BLOCKED.value
    milestone.blocked_reason = _text(reason)


@unit_of_work
def unblock(actor: Viewer, milestone: Milestone, seen: Seen) -> None:
    _may_update(actor, milestone, seen)
    if milestone.status != MilestoneStatus.BLOCKED:
        raise ValidationError([FieldError("status", f"{milestone.ref} is not blocked")])
    milestone.status = MilestoneStatus.IN_PROGRESS.value
    milestone.blocked_reason = None


@unit_of_work
def start(actor: Viewer, milestone: Milestone, seen: Seen) -> None:
    _may_update(actor, milestone, seen)
    if milestone.status != MilestoneStatus.NOT_STARTED:
        raise ValidationError([FieldError("status", f"{milestone.ref} has already started")])
    milestone.status = MilestoneStatus.IN_PROGRESS.value


@unit_of_work
def reopen(actor: Viewer, milestone: Milestone, seen: Seen, *, reason: str | None) -> None:
    """Undo a completion (the programme office only). The reason goes in the audit trail."""
    if not permissions.can_reopen(actor, milestone.programme_id):
        allow(False, only_admins(actor, milestone.programme_id, "reopen a milestone"))
    check_current(milestone, seen)
    if milestone.status != MilestoneStatus.COMPLETE:
        raise ValidationError([FieldError("status", f"{milestone.ref} is not complete")])
    raise_if(check_reason("reason", reason, "it is being reopened"))
    milestone.status = MilestoneStatus.IN_PROGRESS.value
    milestone.completed_on = None
    milestone.completed_by_id = None
    note(milestone, "reopen", _text(reason) or "")


def only_admins(actor: Viewer, programme_id: int, doing: str) -> str:
    """ "Only a programme admin can reopen a milestone: you are a workstream lead here." """
    role = actor.role_in(programme_id)
    if role is None:
        return f"Only a programme admin can {doing}: you are not a member of this programme."
    return f"Only a programme admin can {doing}: you are a {ROLE_LABELS[Role(role)].lower()} here."


def note(milestone: Milestone, action: str, text: str) -> None:
    """A line in the audit trail that is not a field change, such as why it was reopened."""
    actor = current_actor()
    db.session.execute(
        insert(AuditEvent).values(
            occurred_at=utcnow(),
            programme_id=milestone.programme_id,
            user_id=actor.user_id,
            actor=actor.name,
            entity_type="Milestone",
            entity_id=milestone.id,
            entity_label=milestone.audit_label,
            action=action,
            field="reason",
            new_value=text,
            workstream_id=milestone.workstream_id,
        )
    )


def _not_complete(milestone: Milestone, what: str) -> None:
    if milestone.status == MilestoneStatus.COMPLETE:
        raise ValidationError(
            [FieldError("status", f"{milestone.ref} is complete: there is nothing to {what}")]
        )


def highlight_for_week(workstream: Workstream, today: date) -> StatusUpdate | None:
    """This week's highlight for the workstream, if written yet."""
    return db.session.scalar(
        select(StatusUpdate).where(
            StatusUpdate.workstream_id == workstream.id,
            StatusUpdate.week_start == week_start(today),
        )
    )


# Why the week is not green, said where the board reads it (docs/forecast-effect.md).
@unit_of_work
def save_highlight(
    actor: Viewer,
    workstream: Workstream,
    seen: Seen | None = None,
    *,
    today: date,
    rag: str | None,
    achievements: str | None,
    next_steps: str | None,
    issues: str | None,
) -> StatusUpdate:
    """Write or rewrite this week's highlight; earlier weeks are never touched. The page
    passes the version it showed (`seen`; no version when there was no highlight yet): a
    save over someone else's, or a first highlight written by someone else meanwhile, is
    refused as a conflict, never merged. Without `seen` (a script) it is not checked."""
    if not permissions.can_write_highlight(actor, workstream.programme_id, workstream.id):
        allow(False, not_theirs(actor, workstream, "write its weekly highlight"))
    update = highlight_for_week(workstream, today)
    if update is not None and seen is not None:
        check_current(update, seen)
    raise_if(
        check_highlight(rag, achievements, next_steps, issues)
        + check_text("achievements", achievements)
        + check_text("next_steps", next_steps)
        + check_text("issues", issues)
    )
    fields = {
        "rag": rag or "",
        "achievements": (achievements or "").strip(),
        "next_steps": (next_steps or "").strip(),
        "issues": (issues or "").strip(),
        "author_id": actor.person_id,
    }
    if update is not None:
        for name, value in fields.items():
            setattr(update, name, value)
        return update
    return _first_highlight(workstream, week_start(today), seen, fields)


def _first_highlight(
    workstream: Workstream, week: date, seen: Seen | None, fields: Mapping[str, object]
) -> StatusUpdate:
    """The week's first highlight. When someone else's first highlight is saved at the same
    moment (the unique key on workstream and week), theirs stands and this one is refused
    as a conflict showing it; a script (no `seen`) rewrites it instead."""
    update = StatusUpdate(workstream=workstream, week_start=week, **fields)
    try:
        with db.session.begin_nested():
            db.session.add(update)
    except IntegrityError:
        theirs = db.session.scalar(
            select(StatusUpdate).where(
                StatusUpdate.workstream_id == workstream.id, StatusUpdate.week_start == week
            )
        )
        if theirs is None:  # not a lost race: something else was wrong
            raise
        if seen is not None:
            raise EditConflict(
                theirs.version,
                changes_since(StatusUpdate.__name__, theirs.id, seen.opened_at),
            ) from None
        for name, value in fields.items():
            setattr(theirs, name, value)
        return theirs
    return update
