"""Changes to the plan that need more than one record to check: dependencies above all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import select

from tracker.domain.go_live_moves import check_new_go_live
from tracker.domain.network import path_between
from tracker.domain.notation import format_predecessor
from tracker.domain.terms import MilestoneKind, MilestoneStatus
from tracker.domain.text import strip_bidi
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_dependency,
    check_milestone,
    check_text,
    check_three_point,
    check_title,
    go_live_window,
    raise_if,
)
from tracker.extensions import db
from tracker.models import (
    Baseline,
    BaselineItem,
    Dependency,
    GoLiveTarget,
    Milestone,
    Person,
    Programme,
    Workstream,
)
from tracker.services.schedule import date_window


def add_dependency(
    predecessor: Milestone, successor: Milestone, type: str = "FS", lag_days: int | None = 0
) -> Dependency:
    """Link two milestones of one programme, refusing self-links, duplicates and cycles."""
    errors = check_dependency(
        predecessor=predecessor.ref, successor=successor.ref, type=type, lag_days=lag_days
    )
    if errors:
        raise ValidationError(errors, entity="dependency")
    if predecessor.programme_id != successor.programme_id:
        raise ValidationError(
            [
                FieldError(
                    "successor",
                    f"{successor.ref} is in another programme; both milestones of a "
                    "dependency must be in the same programme",
                )
            ],
            entity="dependency",
        )
    programme_links = db.session.execute(
        select(Dependency.predecessor_id, Dependency.successor_id, Dependency.type).where(
            Dependency.programme_id == predecessor.programme_id
        )
    ).all()
    if any(p == predecessor.id and s == successor.id and t == type for p, s, t in programme_links):
        raise ValidationError(
            [
                FieldError(
                    "predecessor",
                    f"{format_predecessor(predecessor.ref, type, 0)} -> {successor.ref}: "
                    f"{successor.ref} already depends on {predecessor.ref} ({type})",
                )
            ],
            entity="dependency",
        )
    chain = path_between(((p, s) for p, s, _ in programme_links), successor.id, predecessor.id)
    if chain is not None:
        refs: dict[int, str] = {
            id_: ref
            for id_, ref in db.session.execute(
                select(Milestone.id, Milestone.ref).where(Milestone.id.in_(chain))
            )
        }
        cycle = " -> ".join(refs[m] for m in [*chain, successor.id])
        raise ValidationError(
            [FieldError("predecessor", f"This link would create a cycle: {cycle}")],
            entity="dependency",
        )
    link = Dependency(
        programme_id=successor.programme_id,
        predecessor=predecessor,
        successor=successor,
        type=type,
        lag_days=lag_days,
    )
    db.session.add(link)
    return link


# The programme office's other plan edits: milestones, links, baselines, go-live target.


@dataclass(frozen=True)
class MilestonePlan:
    """What the programme office sets on a milestone: its place in the plan, not its progress
    (status, completion and forecast are the lead's)."""

    title: str
    description: str
    workstream_id: int | None
    owner_id: int | None
    kind: str | None
    planned_start: date | None
    due_date: date | None
    is_key: bool
    # Its own three-point estimate for schedule risk analysis, in working days (optimistic,
    # most likely, pessimistic; all None: none). None leaves the stored one as it is, for
    # callers that do not set it (the API, the import).
    three_point: tuple[int | None, int | None, int | None] | None = None

    def __post_init__(self) -> None:
        # No bidirectional controls in a title (tracker/domain/text.py), before any check.
        object.__setattr__(self, "title", strip_bidi(self.title))

    def start(self) -> date | None:
        """A point milestone stores no start; one typed equal to its due date is dropped."""
        if self.kind == MilestoneKind.POINT and self.planned_start == self.due_date:
            return None
        return self.planned_start


def people() -> list[Person]:
    """Everyone who may own a milestone, by name."""
    return list(db.session.scalars(select(Person).order_by(Person.name)))


def programme_milestones(programme: Programme) -> list[Milestone]:
    return list(
        db.session.scalars(
            select(Milestone).where(Milestone.programme_id == programme.id).order_by(Milestone.ref)
        )
    )


def milestone_problems(
    programme: Programme,
    plan: MilestonePlan,
    *,
    ref: str | None = None,
    milestone: Milestone | None = None,
) -> list[FieldError]:
    """What is wrong with a new milestone (`ref`) or a change to `milestone`; nothing saved.

    Field names are the form's, so each message can sit next to its field."""
    errors = check_milestone(
        ref=milestone.ref if milestone is not None else ref,
        title=plan.title,
        kind=plan.kind,
        planned_start=plan.start(),
        due_date=plan.due_date,
        status=milestone.status if milestone is not None else MilestoneStatus.NOT_STARTED.value,
        completed_on=milestone.completed_on if milestone is not None else None,
        blocked_reason=milestone.blocked_reason if milestone is not None else None,
        forecast_date=milestone.forecast_date if milestone is not None else None,
        forecast_reason=milestone.forecast_reason if milestone is not None else None,
        is_key=plan.is_key,
        evidence_text=milestone.evidence_text if milestone is not None else None,
        evidence_url=milestone.evidence_url if milestone is not None else None,
        window=date_window(programme),
    )
    errors += check_text("description", plan.description)
    # The estimate given, or the stored one against the (perhaps new) kind.
    estimate = plan.three_point
    if estimate is None and milestone is not None:
        estimate = (milestone.optimistic_days, milestone.likely_days, milestone.pessimistic_days)
    errors += check_three_point(plan.kind, *(estimate or (None, None, None)))
    workstream = db.session.get(Workstream, plan.workstream_id) if plan.workstream_id else None
    if workstream is None or workstream.programme_id != programme.id:
        errors.append(FieldError("workstream", "Choose the workstream it belongs to"))
    elif workstream.retired_on is not None and (
        milestone is None or milestone.workstream_id != workstream.id
    ):
        errors.append(
            FieldError("workstream", f"{workstream.code} is retired: choose another workstream")
        )
    if plan.owner_id is None or db.session.get(Person, plan.owner_id) is None:
        errors.append(FieldError("owner", "Choose the person who owns it"))
    if milestone is None and ref and not any(e.field == "ref" for e in errors):
        existing = db.session.scalar(
            select(Milestone).where(Milestone.programme_id == programme.id, Milestone.ref == ref)
        )
        if existing is not None:
            errors.append(
                FieldError("ref", f"{ref} is already used, by “{existing.title}”: choose another")
            )
    return errors


def _apply(milestone: Milestone, plan: MilestonePlan) -> None:
    # Only after milestone_problems() found nothing, so every required value is there.
    assert plan.workstream_id and plan.owner_id and plan.kind and plan.due_date
    milestone.title = plan.title.strip()
    milestone.description = plan.description.strip()
    milestone.workstream_id = plan.workstream_id
    milestone.owner_id = plan.owner_id
    milestone.kind = plan.kind
    milestone.planned_start = plan.start()
    milestone.due_date = plan.due_date
    milestone.is_key = plan.is_key
    if plan.three_point is not None:
        (
            milestone.optimistic_days,
            milestone.likely_days,
            milestone.pessimistic_days,
        ) = plan.three_point


def create_milestone(programme: Programme, ref: str, plan: MilestonePlan) -> Milestone:
    """A new milestone in the programme, not started; ValidationError says what is wrong."""
    raise_if(milestone_problems(programme, plan, ref=ref), entity="milestone")
    milestone = Milestone(programme_id=programme.id, ref=ref)
    _apply(milestone, plan)
    db.session.add(milestone)
    db.session.flush()
    return milestone


def update_milestone(milestone: Milestone, plan: MilestonePlan) -> None:
    """Change a milestone's place in the plan; its progress is left as the lead set it."""
    raise_if(milestone_problems(milestone.programme, plan, milestone=milestone), milestone.ref)
    _apply(milestone, plan)


def milestone_links(milestone: Milestone) -> list[Dependency]:
    """Every link into and out of a milestone: what goes with it when it is deleted."""
    return sorted(
        [*milestone.predecessor_links, *milestone.successor_links],
        key=lambda link: (link.predecessor.ref, link.successor.ref, link.type),
    )


def delete_milestone(milestone: Milestone) -> list[Dependency]:
    """Delete a milestone and its links, each one recorded in the audit trail.

    Baselines keep their copy of its dates. The programme's go-live milestone stays: the
    schedule is measured to it."""
    programme = milestone.programme
    if programme.go_live_ref == milestone.ref:
        raise ValidationError(
            [
                FieldError(
                    "ref",
                    f"{milestone.ref} is the programme's go-live milestone, which every "
                    "forecast is measured to, so it cannot be deleted",
                )
            ],
            entity=milestone.ref,
        )
    # Loading the links first makes the delete cascade to each through the session, so
    # each reaches the audit trail (the database would otherwise remove them unrecorded).
    links = milestone_links(milestone)
    db.session.delete(milestone)
    db.session.flush()
    return links


def dependency_or_404(programme: Programme, dependency_id: int) -> Dependency:
    link = db.session.get(Dependency, dependency_id)
    if link is None or link.programme_id != programme.id:
        abort(404, description="There is no such link in this programme.")
    return link


def remove_dependency(link: Dependency) -> None:
    db.session.delete(link)
    db.session.flush()


def go_live_history(programme: Programme) -> list[tuple[GoLiveTarget, str | None]]:
    """Every go-live target the programme has had, newest first, with who set it."""
    rows = db.session.execute(
        select(GoLiveTarget, Person.name)
        .outerjoin(Person, Person.id == GoLiveTarget.set_by_id)
        .where(GoLiveTarget.programme_id == programme.id)
        .order_by(GoLiveTarget.set_on.desc(), GoLiveTarget.id.desc())
    )
    return [(target, name) for target, name in rows]


def baselines(programme: Programme) -> list[tuple[Baseline, str | None]]:
    """The programme's baselines, newest first, with who took them."""
    rows = db.session.execute(
        select(Baseline, Person.name)
        .outerjoin(Person, Person.id == Baseline.taken_by_id)
        .where(Baseline.programme_id == programme.id)
        .order_by(Baseline.taken_at.desc(), Baseline.id.desc())
    )
    return [(baseline, name) for baseline, name in rows]


def take_baseline(
    programme: Programme,
    label: str,
    *,
    note: str = "",
    make_current: bool = True,
    taken_by_id: int | None = None,
) -> Baseline:
    """Snapshot every milestone's planned dates, and the go-live target, under a label."""
    label = strip_bidi(label or "").strip()
    if not label:
        raise ValidationError(
            [FieldError("label", "Enter a label, like 'Plan for go-live 1 April 2022'")],
            entity="baseline",
        )
    raise_if(check_title("label", label, "label") + check_text("note", note), entity="baseline")
    taken = db.session.scalar(
        select(Baseline.id).where(Baseline.programme_id == programme.id, Baseline.label == label)
    )
    if taken is not None:
        raise ValidationError(
            [FieldError("label", f"There is already a baseline called “{label}”: choose another")],
            entity="baseline",
        )
    baseline = Baseline(
        programme_id=programme.id,
        label=label,
        note=(note or "").strip(),
        go_live_date=programme.go_live_date,
        taken_by_id=taken_by_id,
    )
    milestones = db.session.scalars(
        select(Milestone).where(Milestone.programme_id == programme.id).order_by(Milestone.ref)
    )
    for m in milestones:
        baseline.items.append(
            BaselineItem(
                milestone_id=m.id,
                ref=m.ref,
                title=m.title,
                planned_start=m.planned_start,
                due_date=m.due_date,
            )
        )
    db.session.add(baseline)
    db.session.flush()
    if make_current:
        programme.current_baseline = baseline
        db.session.flush()
    return baseline


def change_go_live(
    programme: Programme,
    target_date: date | None,
    reason: str,
    *,
    today: date,
    set_by_id: int | None = None,
) -> GoLiveTarget:
    """Move the go-live target, keeping the old one in the history with the reason."""
    errors = check_new_go_live(
        target_date, programme.go_live_date, go_live_window(programme.start_date), reason
    )
    raise_if(errors, entity="go-live target")
    assert target_date is not None
    programme.go_live_date = target_date
    target = GoLiveTarget(
        programme_id=programme.id,
        target_date=target_date,
        set_on=today,
        reason=reason.strip(),
        set_by_id=set_by_id,
    )
    db.session.add(target)
    db.session.flush()
    return target
