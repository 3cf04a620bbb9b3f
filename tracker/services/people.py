"""A programme's people directory (its members: name, job title, email, role, the workstreams
they lead, whether they can sign in) and what its admins change there: adding someone
(and inviting them), editing their details, role and workstreams, removing them.

A person is one record across every programme (tracker/models/people.py Person): a name
or job title changed here is changed everywhere they appear. Their email address is their
identity and, once they have an account, their sign-in: it is changed here only while they
have none (changing it revokes their open invitations, which went to the old address).

The changes are units of work taking the acting person first (add_person, edit_person),
allowed to the programme's admins (can_administer_programme); roles and workstreams go
through memberships.change_membership, invitations through services/invitations.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select

from tracker.clock import LONDON
from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.terms import Role
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_email,
    check_title,
    format_date,
    normalise_email,
    raise_if,
)
from tracker.extensions import db
from tracker.models import Invitation, Membership, Person, Programme, User, Workstream
from tracker.models.base import utcnow
from tracker.models.plan import WorkstreamLead
from tracker.services import invitations, memberships
from tracker.services.accounts import NAME_LIMIT
from tracker.services.invitations import Sent, one_line
from tracker.services.optimistic_locking import EditConflict, Seen, changes_since, check_current
from tracker.services.unit_of_work import allow, unit_of_work

ONLY_ITS_ADMINS = "Only the programme's admins manage its people."
JOB_TITLE_LIMIT = 200


# --- the directory -------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """Whether a member can sign in, in the directory's words."""

    key: str  # signed_in, can_sign_in, invited, expired, no_password, no_account, deactivated
    label: str
    colour: str  # an NHS.UK tag colour


def sign_in_state(user: User | None, invitation: Invitation | None, now: datetime) -> SignIn:
    if user is not None and not user.is_active:
        return SignIn("deactivated", "Deactivated", "grey")
    if user is not None and user.password_hash:
        if user.last_sign_in_at is not None:
            return SignIn("signed_in", "Signed in before", "green")
        return SignIn("can_sign_in", "Can sign in, has not yet", "blue")
    if invitation is not None:
        if invitation.expires_at > now:
            expires = format_date(invitation.expires_at.astimezone(LONDON).date())
            return SignIn("invited", f"Invited, expires {expires}", "yellow")
        return SignIn("expired", "Invitation expired", "orange")
    if user is not None:
        return SignIn("no_password", "No password yet", "white")
    return SignIn("no_account", "No account", "white")


@dataclass(frozen=True)
class Member:
    """One row of the directory."""

    membership: Membership
    person: Person
    led: list[Workstream]  # in this programme
    invitation: Invitation | None  # their latest open one to this programme
    sign_in: SignIn

    @property
    def role_label(self) -> str:
        return Role(self.membership.role).label

    @property
    def may_be_invited(self) -> bool:
        return self.sign_in.key in ("no_account", "no_password")


def _led_in(programme: Programme) -> dict[int, list[Workstream]]:
    led: dict[int, list[Workstream]] = {}
    for person_id, workstream in db.session.execute(
        select(WorkstreamLead.person_id, Workstream)
        .join(Workstream, Workstream.id == WorkstreamLead.workstream_id)
        .where(Workstream.programme_id == programme.id)
        .order_by(Workstream.display_order, Workstream.code)
    ):
        led.setdefault(person_id, []).append(workstream)
    return led


def directory(programme: Programme) -> list[Member]:
    """Every member of the programme by name, in three queries."""
    now = utcnow()
    led = _led_in(programme)
    waiting = invitations.open_invitations(programme)
    return [
        _member(m, led.get(m.person_id, []), waiting.get(m.person_id), now)
        for m in memberships.members(programme)
    ]


def _member(
    membership: Membership, led: list[Workstream], invitation: Invitation | None, now: datetime
) -> Member:
    person = membership.person
    return Member(membership, person, led, invitation, sign_in_state(person.user, invitation, now))


def member_or_none(programme: Programme, person_id: int) -> Member | None:
    """A member of this programme, or None (someone else's, or nobody)."""
    membership = memberships.membership_of(person_id, programme.id)
    if membership is None:
        return None
    waiting = invitations.open_invitations_of(programme, membership.person)
    invitation = waiting[0] if waiting else None
    return _member(membership, _led_in(programme).get(person_id, []), invitation, utcnow())


@dataclass(frozen=True)
class Record:
    """One invitation as a person's page lists it."""

    sent_at: datetime
    invited_by: str
    times_sent: int
    outcome: str  # accepted, revoked, expired or open
    outcome_at: datetime  # when it was accepted or revoked, or expires or expired


def history(programme: Programme, person: Person) -> list[Record]:
    """Every invitation of the person to the programme, the latest first, with its outcome."""
    now = utcnow()
    records = []
    for i in invitations.invitations_of(programme, person):
        if i.accepted_at is not None:
            outcome, at = "accepted", i.accepted_at
        elif i.revoked_at is not None:
            outcome, at = "revoked", i.revoked_at
        else:
            outcome, at = ("expired" if i.expires_at <= now else "open"), i.expires_at
        by = i.invited_by.name if i.invited_by else "Unknown"
        records.append(Record(i.sent_at or i.created_at, by, i.times_sent, outcome, at))
    return records


def workstream_choices(programme: Programme, person: Person | None = None) -> list[Workstream]:
    """The programme's workstreams someone may be made a lead of: those not retired, and any
    retired one they lead already (so saving does not drop it unseen)."""
    query = select(Workstream).where(Workstream.programme_id == programme.id)
    current: ColumnElement[bool] = Workstream.retired_on.is_(None)
    if person is not None and person.id is not None:
        led = select(WorkstreamLead.workstream_id).where(WorkstreamLead.person_id == person.id)
        current = or_(current, Workstream.id.in_(led))
    return list(
        db.session.scalars(query.where(current).order_by(Workstream.display_order, Workstream.code))
    )


# --- the rules -----------------------------------------------------------------------------


def check_details(name: str, job_title: str) -> list[FieldError]:
    errors = []
    if not name:
        errors.append(FieldError("name", "Enter their full name"))
    errors += check_title("name", name, "full name", NAME_LIMIT)
    return errors + check_title("job_title", job_title, "job title", JOB_TITLE_LIMIT)


def person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == normalise_email(email)))


# --- adding someone ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPerson:
    name: str
    email: str
    role: str
    job_title: str = ""
    led_workstream_ids: tuple[int, ...] = ()
    send_invitation: bool = True


@dataclass(frozen=True)
class Added:
    """What the page says afterwards: who was added, the name kept when it differed from
    the one typed, and what was emailed (None: nothing)."""

    name: str
    email: str
    kept_name: str | None
    sent: Sent | None


@unit_of_work
def add_person(actor: Viewer, programme: Programme, new: NewPerson) -> Added:
    """Add someone to the programme with a role (and the workstreams they lead), and email
    them an invitation when asked. Someone already named anywhere (an owner in a plan, a
    member of another programme) is the same person: found by email, their stored name is
    kept. When the email cannot be sent nothing is saved, not even the person."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    name, job_title, email = one_line(new.name), one_line(new.job_title), normalise_email(new.email)
    email_errors = check_email(email)
    person = None if email_errors else person_by_email(email)
    joining = memberships.MembershipChange(new.role, tuple(new.led_workstream_ids))
    errors = email_errors + check_details(name, job_title)
    errors += memberships.membership_problems(
        actor, programme, person.id if person else None, joining
    )
    if person is not None and memberships.membership_of(person.id, programme.id) is not None:
        errors.append(
            FieldError(
                "email",
                f"{person.name} ({email}) is in {programme.name} already: "
                "change their role on their page",
            )
        )
    raise_if(errors, entity="person")
    kept_name = None
    if person is None:
        person = Person(name=name, email=email, job_title=job_title)
        db.session.add(person)
        db.session.flush()
    else:
        if person.name != name:
            kept_name = person.name
        if job_title and not person.job_title:
            person.job_title = job_title
    memberships.change_membership(actor, programme, person, joining)
    sent = None
    if new.send_invitation:
        sent = invitations.invite_member(actor, programme, person, field="send_invitation")
    return Added(person.name, person.email, kept_name, sent)


# --- editing someone -----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonChange:
    name: str
    job_title: str
    role: str | None  # None: remove them from the programme
    led_workstream_ids: tuple[int, ...] = ()
    email: str | None = None  # None: unchanged (always, once they have an account)


@dataclass(frozen=True)
class Edited:
    name: str
    removed: bool


@unit_of_work
def edit_person(
    actor: Viewer, programme: Programme, person: Person, seen: Seen, change: PersonChange
) -> Edited:
    """A member's name, job title (and email, while they have no account), their role in the
    programme and the workstreams they lead there; or their removal from it (their open
    invitations to it are revoked). Refused when the membership or the person changed
    since the form was opened."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    membership = memberships.membership_of(person.id, programme.id)
    if membership is None:
        raise ValidationError(
            [FieldError("", f"{person.name} is no longer a member of {programme.name}")],
            entity="person",
        )
    check_current(membership, seen)
    # The person has no version: what the audit trail shows since the form was opened.
    meanwhile = changes_since("Person", person.id, seen.opened_at) if seen.opened_at else []
    if meanwhile:
        raise EditConflict(membership.version, meanwhile)
    name, job_title = one_line(change.name), one_line(change.job_title)
    errors = check_details(name, job_title)
    email = normalise_email(change.email) if change.email is not None else person.email
    if email != person.email:
        errors += _check_new_email(person, email)
    moving = memberships.MembershipChange(change.role, tuple(change.led_workstream_ids))
    errors += memberships.membership_problems(actor, programme, person.id, moving)
    raise_if(errors, entity="person")
    if email != person.email:
        invitations.revoke_open(person)
        person.email = email
    if person.name != name:
        person.name = name
    if person.job_title != job_title:
        person.job_title = job_title
    memberships.change_membership(actor, programme, person, moving, seen=seen)
    if change.role is None:
        invitations.revoke_open(person, programme)
    return Edited(name, removed=change.role is None)


def _check_new_email(person: Person, email: str) -> list[FieldError]:
    if person.user is not None:
        return [FieldError("email", "Their email address is their sign-in: it stays as it is")]
    errors = check_email(email)
    if not errors:
        other = person_by_email(email)
        if other is not None and other.id != person.id:
            errors.append(FieldError("email", f"{email} is {other.name}'s email address already"))
    return errors
