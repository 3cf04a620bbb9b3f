"""Reading and changing the risk register.

Reads run a fixed number of queries whatever the register's size. Each change is one unit of
work (services/unit_of_work.py): it takes the acting person first, checks their rights again
(the routes check first), the version of the risk they saw and the rules, and commits; a
problem names the form field, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.raid import (
    RISK_PREFIX,
    RiskFilter,
    RiskRow,
    next_ref,
    refs_by_cell,
    risk_row,
    select_risks,
)
from tracker.domain.risks import Band, Cell, cells_by_score, heatmap, parse_bands
from tracker.domain.text import strip_bidi
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_date_in_window,
    check_impact_days,
    check_risk,
    check_score,
    check_text,
    raise_if,
)
from tracker.domain.validation import format_date as long_date
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Milestone,
    Person,
    Programme,
    Risk,
    RiskAction,
    RiskReview,
    Workstream,
)
from tracker.services.optimistic_locking import Seen, check_current
from tracker.services.schedule import date_window
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

T = TypeVar("T")
# The note on the scores recorded just before a review when no review had recorded them.
STARTING_POINT = "Scores going into this review."


NOT_YOURS = "Only the programme office, the risk's owner and its workstream's lead change a risk."
TAKEN = FieldError("", "Someone else added a risk at the same moment. Save again to add yours.")


def _may_edit(actor: Viewer, risk: Risk, seen: Seen | None = None) -> None:
    allow(
        permissions.can_edit_risk(actor, risk.programme_id, risk.owner_id, risk.workstream_id),
        NOT_YOURS,
    )
    if seen is not None:
        check_current(risk, seen)


def configured_bands() -> tuple[Band, ...]:
    """The bands in RISK_BANDS (config.py; docs/raid.md)."""
    return parse_bands(current_app.config["RISK_BANDS"])


# --- reading ------------------------------------------------------------------------------


def row_for(risk: Risk, today: date, bands: Sequence[Band] | None = None) -> RiskRow:
    return risk_row(
        id=risk.id,
        ref=risk.ref,
        title=risk.title,
        owner=risk.owner.name,
        owner_id=risk.owner_id,
        workstream=risk.workstream.code if risk.workstream else None,
        consequence=risk.consequence,
        likelihood=risk.likelihood,
        target_consequence=risk.target_consequence,
        target_likelihood=risk.target_likelihood,
        status=risk.status,
        raised_on=risk.raised_on,
        review_on=risk.review_on,
        reviewed=[r.score for r in risk.reviews],
        today=today,
        bands=bands if bands is not None else configured_bands(),
        milestones=[m.ref for m in risk.milestones],
        description=risk.description or "",
    )


def register(programme: Programme, today: date) -> list[RiskRow]:
    """Every risk of the programme, open and closed, in four queries."""
    risks = db.session.scalars(
        select(Risk)
        .where(Risk.programme_id == programme.id)
        .options(
            joinedload(Risk.owner),
            joinedload(Risk.workstream),
            selectinload(Risk.milestones),
            selectinload(Risk.reviews),
        )
    )
    bands = configured_bands()
    return [row_for(r, today, bands) for r in risks]


@dataclass(frozen=True)
class Heatmap:
    """The open risks on the 5 x 5 grid, the grid's cells as a table, and each cell's refs."""

    grid: list[list[Cell]]
    cells: list[Cell]
    refs_by_cell: dict[tuple[int, int], list[str]]


def open_risks_heatmap(programme: Programme, today: date) -> Heatmap:
    rows = select_risks(register(programme, today), RiskFilter(status="open"))
    grid = heatmap(((r.consequence, r.likelihood) for r in rows), configured_bands())
    return Heatmap(grid, cells_by_score(grid), refs_by_cell(rows))


def risk_or_none(programme: Programme, ref: str) -> Risk | None:
    return db.session.scalar(
        select(Risk)
        .where(Risk.programme_id == programme.id, Risk.ref == ref.upper())
        .options(
            joinedload(Risk.owner),
            joinedload(Risk.workstream),
            selectinload(Risk.milestones).joinedload(Milestone.owner),
            selectinload(Risk.actions).joinedload(RiskAction.owner),
            selectinload(Risk.reviews),
        )
    )


def risk_history(risk: Risk, limit: int = 200) -> list[AuditEvent]:
    """The risk's audit trail with its actions' and reviews', newest first. Actions and
    reviews are found by id and, for deleted ones, by their label ("R03 action: ...")."""
    own = (AuditEvent.entity_type == "Risk") & (AuditEvent.entity_id == risk.id)
    # Ids are per table: an action and a review of different risks can share one.
    actions = (AuditEvent.entity_type == "RiskAction") & (
        AuditEvent.entity_id.in_([a.id for a in risk.actions])
        | AuditEvent.entity_label.like(f"{risk.ref} action:%")
    )
    reviews = (AuditEvent.entity_type == "RiskReview") & (
        AuditEvent.entity_id.in_([r.id for r in risk.reviews])
        | AuditEvent.entity_label.like(f"{risk.ref} review %")
    )
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.programme_id == risk.programme_id, own | actions | reviews)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def milestones_by_ref(
    programme: Programme, refs: Sequence[str]
) -> tuple[list[Milestone], list[str]]:
    """(the milestones found, in the order given; the refs that are not in the programme)."""
    if not refs:
        return [], []
    found = {
        m.ref: m
        for m in db.session.scalars(
            select(Milestone).where(Milestone.programme_id == programme.id, Milestone.ref.in_(refs))
        )
    }
    return [found[r] for r in refs if r in found], [r for r in refs if r not in found]


def is_milestone_ref(programme: Programme, ref: str) -> bool:
    return (
        db.session.scalar(
            select(Milestone.id).where(
                Milestone.programme_id == programme.id, Milestone.ref == ref.upper()
            )
        )
        is not None
    )


def unknown_milestones_error(field_name: str, unknown: Sequence[str]) -> FieldError:
    words = ", ".join(unknown)
    verb = "is not a milestone" if len(unknown) == 1 else "are not milestones"
    return FieldError(field_name, f"{words} {verb} in this programme: check the reference")


def people() -> list[Person]:
    return list(db.session.scalars(select(Person).order_by(Person.name)))


def _workstream_ids(programme: Programme) -> set[int]:
    return set(
        db.session.scalars(select(Workstream.id).where(Workstream.programme_id == programme.id))
    )


def _text(value: str | None) -> str:
    return (value or "").strip()


def known(value: T | None, field_name: str) -> T:
    """A value the checks have already required: refused by name, never a crash, if not."""
    if value is None:
        raise ValidationError([FieldError(field_name, "This is required")])
    return value


# --- changing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskPlan:
    """What the risk form says a risk should be."""

    title: str
    description: str
    owner_id: int | None
    workstream_id: int | None
    consequence: int | None
    likelihood: int | None
    target_consequence: int | None
    target_likelihood: int | None
    mitigation: str
    raised_on: date | None
    review_on: date | None
    milestone_refs: list[str] = field(default_factory=list)
    # Working days its milestones slip if it happens (schedule risk analysis); None: none.
    impact_days: int | None = None

    def __post_init__(self) -> None:
        # No bidirectional controls in a title (tracker/domain/text.py), before any check.
        object.__setattr__(self, "title", strip_bidi(self.title))


LEAD_SCOPE = (
    "You can only keep risks you own or that sit in a workstream you lead: choose yourself as "
    "the owner, or one of your workstreams"
)


def risk_problems(
    programme: Programme, plan: RiskPlan, viewer: Viewer, status: str = "open"
) -> tuple[list[FieldError], list[Milestone]]:
    """Every problem with the plan at once, and the milestones it links to."""
    errors = check_risk(
        title=plan.title,
        consequence=plan.consequence,
        likelihood=plan.likelihood,
        target_consequence=plan.target_consequence,
        target_likelihood=plan.target_likelihood,
        raised_on=plan.raised_on,
        review_on=plan.review_on,
        status=status,
        window=date_window(programme),
    )
    errors += check_text("description", plan.description) + check_text(
        "mitigation", plan.mitigation
    )
    errors += check_impact_days(plan.impact_days)
    if plan.owner_id is None or db.session.get(Person, plan.owner_id) is None:
        errors.append(FieldError("owner", "Choose the person who owns the risk"))
    if plan.workstream_id is not None and plan.workstream_id not in _workstream_ids(programme):
        errors.append(FieldError("workstream", "Choose one of this programme's workstreams"))
    elif plan.owner_id is not None and not permissions.can_edit_risk(
        viewer, programme.id, plan.owner_id, plan.workstream_id
    ):
        errors.append(FieldError("owner", LEAD_SCOPE))
    milestones, unknown = milestones_by_ref(programme, plan.milestone_refs)
    if unknown:
        errors.append(unknown_milestones_error("milestones", unknown))
    return errors, milestones


def _apply(risk: Risk, plan: RiskPlan, milestones: list[Milestone]) -> None:
    risk.title = plan.title.strip()
    risk.description = _text(plan.description)
    risk.owner_id = known(plan.owner_id, "owner_id")
    risk.workstream_id = plan.workstream_id
    risk.consequence = known(plan.consequence, "consequence")
    risk.likelihood = known(plan.likelihood, "likelihood")
    risk.target_consequence = known(plan.target_consequence, "target_consequence")
    risk.target_likelihood = known(plan.target_likelihood, "target_likelihood")
    risk.mitigation = _text(plan.mitigation)
    risk.raised_on = known(plan.raised_on, "raised_on")
    risk.review_on = plan.review_on
    risk.impact_days = plan.impact_days
    if [m.id for m in risk.milestones] != [m.id for m in milestones]:
        risk.milestones = sorted(milestones, key=lambda m: m.ref)


@unit_of_work
def create_risk(actor: Viewer, programme: Programme, plan: RiskPlan) -> Risk:
    """A new open risk with the next free reference (R08 after R07)."""
    allow(
        permissions.can_add_risk(actor, programme.id),
        "Only the programme office and workstream leads raise risks.",
    )
    on_duplicate(TAKEN)
    errors, milestones = risk_problems(programme, plan, actor)
    if errors:
        raise ValidationError(errors)
    refs = db.session.scalars(select(Risk.ref).where(Risk.programme_id == programme.id))
    risk = Risk(programme_id=programme.id, ref=next_ref(RISK_PREFIX, refs), status="open")
    _apply(risk, plan, milestones)
    db.session.add(risk)
    return risk


@unit_of_work
def update_risk(
    actor: Viewer, programme: Programme, risk: Risk, seen: Seen, plan: RiskPlan
) -> None:
    _may_edit(actor, risk, seen)
    errors, milestones = risk_problems(programme, plan, actor, status=risk.status)
    if errors:
        raise ValidationError(errors)
    _apply(risk, plan, milestones)


def review_problems(
    risk: Risk,
    *,
    consequence: int | None,
    likelihood: int | None,
    note: str | None,
    next_review_on: date | None,
    today: date,
) -> list[FieldError]:
    errors = check_score("consequence", consequence) + check_score("likelihood", likelihood)
    if not _text(note):
        errors.append(FieldError("note", "Say what the review found, even if nothing changed"))
    errors += check_text("note", note)
    if next_review_on is None:
        errors.append(FieldError("review_on", "Enter the date of the next review"))
    elif next_review_on not in (window := date_window(risk.programme)):
        errors += check_date_in_window("review_on", next_review_on, window, "next review date")
    elif next_review_on < today:
        errors.append(
            FieldError(
                "review_on",
                f"The next review must be today or later, not {long_date(next_review_on)}",
            )
        )
    if risk.status != "open":
        errors.append(FieldError("status", f"{risk.ref} is closed: reopen it to review it"))
    return errors


@unit_of_work
def record_review(
    actor: Viewer,
    risk: Risk,
    seen: Seen,
    *,
    consequence: int | None,
    likelihood: int | None,
    note: str | None,
    next_review_on: date | None,
    today: date,
) -> RiskReview:
    """A review: the scores it settled on, a note and the next review date. The risk takes the
    new scores. When the scores going into the review were never recorded at a review (a risk
    not reviewed before, or one whose scores were edited since), they are recorded first, on
    the same day, so the trend has something to compare with."""
    _may_edit(actor, risk, seen)
    errors = review_problems(
        risk,
        consequence=consequence,
        likelihood=likelihood,
        note=note,
        next_review_on=next_review_on,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    last = risk.reviews[-1] if risk.reviews else None
    if last is None or (last.consequence, last.likelihood) != (risk.consequence, risk.likelihood):
        risk.reviews.append(
            RiskReview(
                reviewed_on=today,
                consequence=risk.consequence,
                likelihood=risk.likelihood,
                note=STARTING_POINT,
            )
        )
    review = RiskReview(
        reviewed_on=today,
        consequence=consequence,
        likelihood=likelihood,
        note=_text(note),
        reviewer_id=actor.person_id,
    )
    risk.reviews.append(review)
    risk.consequence = known(consequence, "consequence")
    risk.likelihood = known(likelihood, "likelihood")
    risk.review_on = next_review_on
    return review


@unit_of_work
def close_risk(actor: Viewer, risk: Risk, seen: Seen, note: str | None) -> None:
    _may_edit(actor, risk, seen)
    if risk.status == "closed":
        raise ValidationError([FieldError("closed_note", f"{risk.ref} is already closed")])
    if not _text(note):
        raise ValidationError(
            [FieldError("closed_note", "Say why the risk is closed, like what removed it")]
        )
    raise_if(check_text("closed_note", note))
    risk.status = "closed"
    risk.closed_note = _text(note)


@unit_of_work
def reopen_risk(actor: Viewer, risk: Risk, seen: Seen) -> None:
    _may_edit(actor, risk, seen)
    if risk.status != "closed":
        raise ValidationError([FieldError("status", f"{risk.ref} is already open")])
    risk.status = "open"
    risk.closed_note = None  # the audit trail keeps it


def action_problems(
    risk: Risk, *, description: str | None, owner_id: int | None, due_on: date | None
) -> list[FieldError]:
    errors = check_text("description", description)
    if not _text(description):
        errors.append(FieldError("description", "Say what the action is"))
    if owner_id is None or db.session.get(Person, owner_id) is None:
        errors.append(FieldError("owner", "Choose who will do it"))
    if due_on is None:
        errors.append(FieldError("due_on", "Enter the date it is due"))
    elif due_on not in (window := date_window(risk.programme)):
        errors += check_date_in_window("due_on", due_on, window, "action's due date")
    elif due_on < risk.raised_on:
        errors.append(
            FieldError(
                "due_on",
                f"The due date cannot be before the risk was raised, {long_date(risk.raised_on)}",
            )
        )
    return errors


@unit_of_work
def add_action(
    actor: Viewer,
    risk: Risk,
    *,
    description: str | None,
    owner_id: int | None,
    due_on: date | None,
) -> RiskAction:
    _may_edit(actor, risk)
    errors = action_problems(risk, description=description, owner_id=owner_id, due_on=due_on)
    if errors:
        raise ValidationError(errors)
    action = RiskAction(description=_text(description), owner_id=owner_id, due_on=due_on)
    risk.actions.append(action)
    return action


@unit_of_work
def complete_action(actor: Viewer, risk: Risk, action_id: int | None, today: date) -> RiskAction:
    _may_edit(actor, risk)
    action = next((a for a in risk.actions if a.id == action_id), None)
    if action is None:
        raise ValidationError([FieldError("action_id", f"That action is not one of {risk.ref}'s")])
    if action.done_on is not None:
        raise ValidationError(
            [FieldError("action_id", f"That action was done on {long_date(action.done_on)}")]
        )
    action.done_on = today
    return action
