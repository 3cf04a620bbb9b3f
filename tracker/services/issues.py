"""The issue log: what has happened, its impact and the action being taken; reading with
search and filters, and changes.

Each change is one unit of work (services/unit_of_work.py): it takes the acting person first,
checks their rights (the routes check first too), what they saw, and the rules, and commits; a
problem names the form field. An issue has no version column, so a stale form is caught from
the audit trail (optimistic_locking.changed_since_opened)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.raid import ISSUE_PREFIX, next_ref
from tracker.domain.text import strip_bidi
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_date_in_window,
    check_text,
    check_title,
    raise_if,
)
from tracker.domain.validation import format_date as long_date
from tracker.extensions import db
from tracker.models import Issue, Person, Programme, Risk, Workstream
from tracker.services.optimistic_locking import Seen, changed_since_opened
from tracker.services.risks import known
from tracker.services.schedule import date_window
from tracker.services.text_search import words_like
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

ISSUE_NOT_YOURS = (
    "Only the programme office, the issue's owner and its workstream's lead change it."
)
# Two people adding at the same moment take the same next reference.
TAKEN = FieldError("", "Someone else added one at the same moment. Save again to add yours.")


def _may_edit_issue(actor: Viewer, issue: Issue) -> None:
    allow(
        permissions.can_edit_issue(actor, issue.programme_id, issue.owner_id, issue.workstream_id),
        ISSUE_NOT_YOURS,
    )


def _text(value: str | None) -> str:
    return (value or "").strip()


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
    query = words_like(
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

    def __post_init__(self) -> None:
        # No bidirectional controls in a title (tracker/domain/text.py), before any check.
        object.__setattr__(self, "title", strip_bidi(self.title))


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
    elif plan.raised_on not in (window := date_window(programme)):
        errors += check_date_in_window("raised_on", plan.raised_on, window)
    elif plan.raised_on > today:
        errors.append(
            FieldError(
                "raised_on",
                f"The date raised, {long_date(plan.raised_on)}, is in the future: an issue has "
                f"happened, so enter today ({long_date(today)}) or earlier",
            )
        )
    if plan.owner_id is None or db.session.get(Person, plan.owner_id) is None:
        errors.append(FieldError("owner", "Choose the person who owns the issue"))
    workstream = db.session.get(Workstream, plan.workstream_id) if plan.workstream_id else None
    if plan.workstream_id is not None and (
        workstream is None or workstream.programme_id != programme.id
    ):
        errors.append(FieldError("workstream", "Choose one of this programme's workstreams"))
    elif plan.owner_id is not None and not permissions.can_edit_issue(
        viewer, programme.id, plan.owner_id, plan.workstream_id
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
        permissions.can_add_issue(actor, programme.id),
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
    changed_since_opened("Issue", issue.id, seen.opened_at)
    errors = issue_problems(programme, plan, actor, today)
    if errors:
        raise ValidationError(errors)
    _apply_issue(issue, plan)


@unit_of_work
def close_issue(
    actor: Viewer, issue: Issue, seen: Seen, closed_on: date | None, today: date
) -> None:
    _may_edit_issue(actor, issue)
    changed_since_opened("Issue", issue.id, seen.opened_at)
    if issue.status == "closed":
        raise ValidationError([FieldError("closed_on", f"{issue.ref} is already closed")])
    if closed_on is None:
        raise ValidationError([FieldError("closed_on", "Enter the date the issue was resolved")])
    programme = db.session.get(Programme, issue.programme_id)
    assert programme is not None  # the foreign key
    raise_if(check_date_in_window("closed_on", closed_on, date_window(programme)))
    if closed_on < issue.raised_on:
        raise ValidationError(
            [
                FieldError(
                    "closed_on",
                    f"The date resolved, {long_date(closed_on)}, is before the issue was "
                    f"raised, {long_date(issue.raised_on)}",
                )
            ]
        )
    if closed_on > today:
        raise ValidationError(
            [
                FieldError(
                    "closed_on",
                    f"The date resolved, {long_date(closed_on)}, is in the future: enter today "
                    f"({long_date(today)}) or earlier",
                )
            ]
        )
    issue.status = "closed"
    issue.closed_on = closed_on


@unit_of_work
def reopen_issue(actor: Viewer, issue: Issue) -> None:
    _may_edit_issue(actor, issue)
    if issue.status != "closed":
        raise ValidationError([FieldError("status", f"{issue.ref} is already open")])
    issue.status = "open"
    issue.closed_on = None
