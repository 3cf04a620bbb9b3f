"""Who belongs to a programme, and with what role (tracker/models/people.py Membership).

`join` and `leave` are building blocks the seed, new programmes, invitations and the users
pages share (the caller's unit of work commits); `change_membership` is the programme
admin's change of someone's role and the workstreams they lead in one programme.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.terms import Role
from tracker.domain.validation import FieldError, ValidationError, check_role, raise_if
from tracker.extensions import db
from tracker.models import Membership, Person, Programme, Workstream, WorkstreamLead
from tracker.services.optimistic_locking import Seen, check_current
from tracker.services.unit_of_work import allow, unit_of_work

ONLY_ITS_ADMINS = "Only the programme's admins change who belongs to it."


def membership_of(person_id: int, programme_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.person_id == person_id, Membership.programme_id == programme_id
        )
    )


def members(programme: Programme) -> list[Membership]:
    """Everyone in the programme, by name, with their person and account loaded."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.person)
            .where(Membership.programme_id == programme.id)
            .options(joinedload(Membership.person).joinedload(Person.user))
            .order_by(Person.name, Person.email)
        )
    )


def memberships_of(person: Person) -> list[Membership]:
    """Every programme the person belongs to, by programme name."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.programme)
            .where(Membership.person_id == person.id)
            .options(joinedload(Membership.programme))
            .order_by(Programme.name)
        )
    )


def join(person: Person, programme: Programme, role: str) -> Membership:
    """Make `person` a member of `programme` with `role` (changing the role if they are one)."""
    raise_if(check_role(role), entity="membership")
    membership = None
    if person.id is not None and programme.id is not None:
        membership = membership_of(person.id, programme.id)
    if membership is None:
        membership = Membership(person=person, programme=programme, role=role)
        db.session.add(membership)
    elif membership.role != role:
        membership.role = role
    return membership


def set_led_in(person: Person, programme: Programme, workstreams: Iterable[Workstream]) -> None:
    """Make `person` a lead of exactly these workstreams of `programme`; other programmes'
    stay as they are. Each link is added or removed through the session, so each reaches
    the audit trail."""
    wanted = {ws.id: ws for ws in workstreams}
    stray = [ws for ws in wanted.values() if ws.programme_id != programme.id]
    if stray:
        raise ValidationError(
            [
                FieldError(
                    "workstreams",
                    f"{', '.join(ws.code for ws in stray)} is not a workstream of {programme.name}",
                )
            ]
        )
    links = db.session.scalars(
        select(WorkstreamLead)
        .join(Workstream, Workstream.id == WorkstreamLead.workstream_id)
        .where(WorkstreamLead.person_id == person.id, Workstream.programme_id == programme.id)
    ).all()
    for link in links:
        if link.workstream_id not in wanted:
            db.session.delete(link)
    current = {link.workstream_id for link in links}
    for ws_id, workstream in wanted.items():
        if ws_id not in current:
            db.session.add(WorkstreamLead(workstream=workstream, person=person, position=9))
    db.session.flush()


def programme_workstreams(programme: Programme, ids: Iterable[int]) -> list[Workstream]:
    """The programme's workstreams with these ids, in the order given; any other id is an
    error naming it."""
    wanted = list(dict.fromkeys(ids))
    found = {
        ws.id: ws
        for ws in db.session.scalars(
            select(Workstream).where(
                Workstream.programme_id == programme.id, Workstream.id.in_(wanted)
            )
        )
    }
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            [FieldError("workstreams", f"{programme.name} has no workstream {', '.join(missing)}")]
        )
    return [found[i] for i in wanted]


@dataclass(frozen=True)
class MembershipChange:
    role: str | None  # None: no longer a member
    led_workstream_ids: tuple[int, ...] | None = None  # None: leave them as they are


def membership_problems(
    actor: Viewer, programme: Programme, person_id: int | None, change: MembershipChange
) -> list[FieldError]:
    """Everything wrong with the change at once, nothing changed (`person_id` None: someone
    new): the role, the workstreams named, and nobody removing their own admin role."""
    errors: list[FieldError] = []
    own = actor.person_id is not None and actor.person_id == person_id
    if own and not actor.instance_admin and change.role != Role.ADMIN:
        errors.append(
            FieldError("role", "You cannot remove your own admin role: ask another admin")
        )
    elif change.role is not None:
        errors += check_role(change.role)
    if change.role is not None and change.led_workstream_ids:
        try:
            programme_workstreams(programme, change.led_workstream_ids)
        except ValidationError as refused:
            errors += refused.errors
    return errors


@unit_of_work
def change_membership(
    actor: Viewer,
    programme: Programme,
    person: Person,
    change: MembershipChange,
    *,
    seen: Seen | None = None,
) -> Membership | None:
    """A programme admin sets someone's role in the programme (None removes them, and the
    workstreams they lead there), and, when given, exactly which of its workstreams they
    lead. Nobody removes their own admin role; an instance administrator stays one."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    membership = membership_of(person.id, programme.id)
    if seen is not None and membership is not None:
        check_current(membership, seen)
    raise_if(membership_problems(actor, programme, person.id, change), entity="membership")
    if change.role is None:
        set_led_in(person, programme, [])
        if membership is not None:
            db.session.delete(membership)
        return None
    membership = join(person, programme, change.role)
    if change.led_workstream_ids is not None:
        set_led_in(person, programme, programme_workstreams(programme, change.led_workstream_ids))
    return membership
