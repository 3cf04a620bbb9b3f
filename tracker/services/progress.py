"""What leads do to their milestones week by week: complete, forecast, block, start, and the
programme office's reopen. Each function changes the milestone and leaves the commit to the
caller; validation errors name the form field."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from tracker.audit import current_actor
from tracker.domain.my_work import week_start
from tracker.domain.terms import MilestoneStatus
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_completion,
    check_forecast,
    check_rag,
    check_reason,
    raise_if,
)
from tracker.extensions import db
from tracker.models import AuditEvent, Milestone, StatusUpdate, Workstream
from tracker.models.base import utcnow


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def complete(
    milestone: Milestone,
    *,
    completed_on: date | None,
    evidence_text: str | None,
    evidence_url: str | None,
    by_person_id: int | None,
    today: date,
) -> None:
    if milestone.status == MilestoneStatus.COMPLETE:
        raise ValidationError([FieldError("status", f"{milestone.ref} is already complete")])
    errors = check_completion(completed_on, today)
    evidence_text, evidence_url = _text(evidence_text), _text(evidence_url)
    if milestone.is_key and not (evidence_text or evidence_url):
        errors.append(
            FieldError(
                "evidence_text",
                "Give evidence of completion: this is a key milestone the board tracks",
            )
        )
    raise_if(errors)
    milestone.status = MilestoneStatus.COMPLETE.value
    milestone.completed_on = completed_on
    milestone.completed_by_id = by_person_id
    milestone.evidence_text = evidence_text
    milestone.evidence_url = evidence_url
    milestone.blocked_reason = None
    # Done is done: a forecast for it no longer means anything.
    milestone.forecast_date = None
    milestone.forecast_reason = None


def set_forecast(
    milestone: Milestone, *, forecast_date: date | None, reason: str | None, today: date
) -> None:
    _not_complete(milestone, "forecast")
    raise_if(check_forecast(forecast_date, reason, today))
    milestone.forecast_date = forecast_date
    milestone.forecast_reason = _text(reason)


def clear_forecast(milestone: Milestone) -> None:
    milestone.forecast_date = None
    milestone.forecast_reason = None


def block(milestone: Milestone, *, reason: str | None) -> None:
    _not_complete(milestone, "block")
    raise_if(check_reason("blocked_reason", reason, "it is blocked"))
    milestone.status = MilestoneStatus.BLOCKED.value
    milestone.blocked_reason = _text(reason)


def unblock(milestone: Milestone) -> None:
    if milestone.status != MilestoneStatus.BLOCKED:
        raise ValidationError([FieldError("status", f"{milestone.ref} is not blocked")])
    milestone.status = MilestoneStatus.IN_PROGRESS.value
    milestone.blocked_reason = None


def start(milestone: Milestone) -> None:
    if milestone.status != MilestoneStatus.NOT_STARTED:
        raise ValidationError([FieldError("status", f"{milestone.ref} has already started")])
    milestone.status = MilestoneStatus.IN_PROGRESS.value


def reopen(milestone: Milestone, *, reason: str | None) -> None:
    """Undo a completion (the programme office only). The reason goes in the audit trail."""
    if milestone.status != MilestoneStatus.COMPLETE:
        raise ValidationError([FieldError("status", f"{milestone.ref} is not complete")])
    raise_if(check_reason("reason", reason, "it is being reopened"))
    milestone.status = MilestoneStatus.IN_PROGRESS.value
    milestone.completed_on = None
    milestone.completed_by_id = None
    note(milestone, "reopen", _text(reason) or "")


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


def save_highlight(
    workstream: Workstream,
    *,
    today: date,
    rag: str | None,
    achievements: str | None,
    next_steps: str | None,
    issues: str | None,
    author_id: int | None,
) -> StatusUpdate:
    """Write or rewrite this week's highlight; earlier weeks are never touched."""
    if not rag:
        raise ValidationError([FieldError("rag", "Choose red, amber or green for this week")])
    raise_if(check_rag("rag", rag))
    update = highlight_for_week(workstream, today)
    if update is None:
        update = StatusUpdate(workstream=workstream, week_start=week_start(today), rag=rag)
        db.session.add(update)
    update.rag = rag or ""
    update.achievements = (achievements or "").strip()
    update.next_steps = (next_steps or "").strip()
    update.issues = (issues or "").strip()
    update.author_id = author_id
    return update
