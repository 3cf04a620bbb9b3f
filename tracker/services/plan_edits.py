"""The programme office's changes to the plan, each one unit of work: milestones, links,
baselines, the go-live target and the baseline slip is measured against.

Each takes the acting person first and checks they may edit the plan
(permissions.can_edit_plan), then the version they saw where the record has one, then the
plan's rules (services/plan.py, tracker/domain/validation.py), and commits once
(services/unit_of_work.py). The building blocks in services/plan.py do the checking and the
changing; imports and the seed use those inside their own unit of work."""

from __future__ import annotations

from datetime import date

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.terms import ROLE_LABELS, Role
from tracker.domain.validation import FieldError, ValidationError
from tracker.models import Baseline, Dependency, GoLiveTarget, Milestone, Programme
from tracker.services import baselines, plan
from tracker.services.optimistic_locking import EditConflict, Seen, changes_since, check_current
from tracker.services.plan import MilestonePlan
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

ONLY_THE_OFFICE = "Only the programme office changes the plan."


def only_the_office(actor: Viewer, programme_id: int) -> str:
    """ "Only the programme office changes the plan. You are a workstream lead here: ..." """
    role = actor.role_in(programme_id)
    if role == Role.LEAD:
        return (
            f"{ONLY_THE_OFFICE} You are a workstream lead here: you update the progress of "
            "your workstreams' milestones, and ask the programme office to change their dates."
        )
    if role in (Role.BOARD, Role.VIEWER):
        label = ROLE_LABELS[Role(role)].lower()
        return f"{ONLY_THE_OFFICE} You are a {label} here, who reads the plan and changes nothing."
    return ONLY_THE_OFFICE


def _may_edit(actor: Viewer, programme_id: int) -> None:
    if not permissions.can_edit_plan(actor, programme_id):
        allow(False, only_the_office(actor, programme_id))


@unit_of_work
def add_milestone(
    actor: Viewer, programme: Programme, ref: str, changes: MilestonePlan
) -> Milestone:
    _may_edit(actor, programme.id)
    # The same reference saved by someone else between the check and the commit.
    on_duplicate(FieldError("ref", f"{ref} is already used: choose another"))
    return plan.create_milestone(programme, ref, changes)


@unit_of_work
def edit_milestone(actor: Viewer, milestone: Milestone, seen: Seen, changes: MilestonePlan) -> None:
    _may_edit(actor, milestone.programme_id)
    check_current(milestone, seen)
    plan.update_milestone(milestone, changes)


@unit_of_work
def delete_milestone(actor: Viewer, milestone: Milestone) -> list[Dependency]:
    """The milestone and its links; returns the links that went with it."""
    _may_edit(actor, milestone.programme_id)
    return plan.delete_milestone(milestone)


@unit_of_work
def link(
    actor: Viewer, predecessor: Milestone, successor: Milestone, type: str, lag_days: int | None
) -> Dependency:
    """`successor` now depends on `predecessor`. Problems with this milestone's end of the
    link are the choice of predecessor's, as the form asks only for that."""
    _may_edit(actor, successor.programme_id)
    _may_edit(actor, predecessor.programme_id)
    # The same link saved by someone else between the check and the commit.
    on_duplicate(
        FieldError(
            "predecessor",
            f"{successor.ref} already depends on {predecessor.ref} ({type}): "
            "someone else added it just now",
        )
    )
    try:
        return plan.add_dependency(predecessor, successor, type, lag_days)
    except ValidationError as exc:
        raise ValidationError(
            [
                FieldError("predecessor" if e.field == "successor" else e.field, e.message)
                for e in exc.errors
            ],
            exc.entity,
        ) from exc


@unit_of_work
def unlink(actor: Viewer, dependency: Dependency) -> None:
    _may_edit(actor, dependency.programme_id)
    plan.remove_dependency(dependency)


@unit_of_work
def take_baseline(
    actor: Viewer, programme: Programme, label: str, *, note: str, make_current: bool
) -> Baseline:
    _may_edit(actor, programme.id)
    # The same label taken by someone else between the check and the commit.
    on_duplicate(
        FieldError(
            "label",
            f"There is already a baseline called “{(label or '').strip()}”: choose another",
        )
    )
    return plan.take_baseline(
        programme, label, note=note, make_current=make_current, taken_by_id=actor.person_id
    )


@unit_of_work
def move_go_live(
    actor: Viewer,
    programme: Programme,
    seen: Seen,
    target_date: date | None,
    reason: str,
    *,
    today: date,
) -> GoLiveTarget:
    """Move the go-live target, unless someone else moved it after the form was opened (the
    programme has no version column: its audit trail says)."""
    _may_edit(actor, programme.id)
    moved = [
        c
        for c in changes_since("Programme", programme.id, seen.opened_at)
        if c.field == "go_live_date"
    ]
    if moved:
        raise EditConflict(0, moved)
    return plan.change_go_live(
        programme, target_date, reason, today=today, set_by_id=actor.person_id
    )


@unit_of_work
def choose_baseline(actor: Viewer, programme: Programme, baseline: Baseline) -> None:
    """Measure slip against `baseline` from now on."""
    _may_edit(actor, programme.id)
    baselines.choose(programme, baseline)
