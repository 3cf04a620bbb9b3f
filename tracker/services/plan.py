"""Changes to the plan that need more than one record to check: dependencies above all."""

from __future__ import annotations

from sqlalchemy import select

from tracker.domain.network import path_between
from tracker.domain.notation import format_predecessor
from tracker.domain.validation import FieldError, ValidationError, check_dependency
from tracker.extensions import db
from tracker.models import Dependency, Milestone


def add_dependency(
    predecessor: Milestone, successor: Milestone, type: str = "FS", lag_days: int = 0
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
