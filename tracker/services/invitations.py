"""Inviting someone into a programme by email: a single-use link, valid for 7 days, that sets
their password and signs them in (tracker/models/access.py Invitation).

Only a SHA-256 digest of the link's token is stored, as for API tokens: the token is in the
email alone. Resending makes a new token and a new expiry, so an older email's link stops
working; revoking, accepting, expiry and the person leaving the programme each end it too.
Every way a link stops working looks the same to whoever holds it (open_invitation None).

The email is sent inside the unit of work, after every check and a flush, before it
commits: when the relay fails the change is refused ("nothing was saved") and rolled back,
so no invitation is left that nobody received. The one case left open is the commit failing
after the relay took the message: that email's link then says it is no longer valid, which
is safe, and the admin is told the change failed.

The changes are units of work taking the acting person first (invite, resend, revoke), but
accept takes none: the token is the proof, as the password is for signing in.
"""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from tracker.audit import Actor, acting_as
from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.terms import Role
from tracker.domain.validation import FieldError, ValidationError, check_password, raise_if
from tracker.extensions import db
from tracker.models import Invitation, Membership, Person, Programme, User
from tracker.models.base import utcnow
from tracker.services import calendar_feeds
from tracker.services.accounts import create_user, hash_password
from tracker.services.digest_delivery import RelayUnavailable, relay
from tracker.services.unit_of_work import allow, rehearsing, unit_of_work

VALID_FOR = timedelta(days=7)
# 32 random bytes: 43 URL-safe characters, far beyond guessing.
TOKEN_BYTES = 32

ONLY_ITS_ADMINS = "Only the programme's admins invite people to it."
NOT_SENT = (
    "The email could not be sent (the mail server did not take it): nothing was saved. "
    "Try again later."
)
NO_LONGER_VALID = (
    "This invitation link is no longer valid: ask the programme office to send a new one."
)
PASSWORDS_DIFFER = "The two passwords do not match"


class InvitationInvalid(Exception):
    """The link is unknown, used, revoked or expired, or its person has left the programme
    (or can already sign in): all alike to whoever holds it."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A token for a link, and the digest that is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, digest(token)


def one_line(text: str | None) -> str:
    """Text for an email header or a one-line field: whitespace, line breaks included, made
    single spaces (a line break in a header would start another header)."""
    return " ".join((text or "").split())


# --- reading -------------------------------------------------------------------------------


def is_open(invitation: Invitation) -> bool:
    """Neither accepted nor revoked (it may have expired)."""
    return invitation.accepted_at is None and invitation.revoked_at is None


def open_invitations(programme: Programme) -> dict[int, Invitation]:
    """Each person's latest open invitation to the programme, by person id."""
    found: dict[int, Invitation] = {}
    for invitation in db.session.scalars(
        select(Invitation)
        .where(
            Invitation.programme_id == programme.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.created_at, Invitation.id)
    ):
        found[invitation.person_id] = invitation
    return found


def invitations_of(programme: Programme, person: Person) -> list[Invitation]:
    """Every invitation of the person to the programme, the latest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.programme_id == programme.id, Invitation.person_id == person.id)
            .options(joinedload(Invitation.invited_by))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def open_invitations_of(programme: Programme, person: Person) -> list[Invitation]:
    return [i for i in invitations_of(programme, person) if is_open(i)]


def invitation_in(programme: Programme, invitation_id: int) -> Invitation | None:
    """The programme's invitation with this id (None for another programme's)."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.programme_id != programme.id:
        return None
    return invitation


@dataclass(frozen=True)
class OpenInvitation:
    """What the accept page shows: the programme and role, to someone not signed in."""

    invitation_id: int
    person_name: str
    email: str
    programme_name: str
    programme_slug: str
    role_label: str
    expires_at: datetime


def open_invitation(token: str) -> OpenInvitation | None:
    """The invitation this link's token opens, or None when it opens none (whatever why)."""
    found = _usable(token)
    if found is None:
        return None
    invitation, membership = found
    return OpenInvitation(
        invitation_id=invitation.id,
        person_name=invitation.person.name,
        email=invitation.person.email,
        programme_name=invitation.programme.name,
        programme_slug=invitation.programme.slug,
        role_label=Role(membership.role).label,
        expires_at=invitation.expires_at,
    )


def _usable(token: str) -> tuple[Invitation, Membership] | None:
    if not token or len(token) > 100:
        return None
    invitation = db.session.scalar(
        select(Invitation)
        .where(Invitation.token_digest == digest(token))
        .options(joinedload(Invitation.person).joinedload(Person.user))
        .options(joinedload(Invitation.programme))
    )
    if invitation is None or not is_open(invitation) or invitation.expires_at <= utcnow():
        return None
    membership = db.session.scalar(
        select(Membership).where(
            Membership.person_id == invitation.person_id,
            Membership.programme_id == invitation.programme_id,
        )
    )
    user = invitation.person.user
    if membership is None or (user is not None and (user.password_hash or not user.is_active)):
        return None
    return invitation, membership


# --- the email -----------------------------------------------------------------------------


def link(endpoint: str, **values: Any) -> str:
    """An absolute link on APP_BASE_URL, as calendar feeds build theirs: the email is read
    away from the request that sent it."""
    return calendar_feeds.absolute_links().build(endpoint, values, force_external=True)


def _message(to: Person, subject: str, template: str, **context: Any) -> EmailMessage:
    sender = current_app.config["MAIL_FROM"]
    msg = EmailMessage()
    msg["Subject"] = one_line(subject)
    msg["From"] = formataddr(("Transition tracker", sender))
    msg["To"] = formataddr((one_line(to.name), to.email))
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid("invitation", domain=sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render_template(f"email/{template}.txt", **context))
    msg.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    return msg


def _send(msg: EmailMessage, field: str) -> None:
    """Through the relay, or refuse the change: the unit of work then saves nothing."""
    if rehearsing():  # only checking: the change is rolled back, so nothing is sent
        return
    try:
        with relay() as smtp:
            smtp.send_message(msg)
    except (RelayUnavailable, smtplib.SMTPException, OSError) as exc:
        current_app.logger.warning("invitation email to %s not sent: %s", msg["To"], exc)
        raise ValidationError([FieldError(field, NOT_SENT)], entity="invitation") from exc


def _context(programme: Programme, person: Person, role: str, inviter: Person | None) -> Any:
    return {
        "programme": one_line(programme.name),
        "person": one_line(person.name),
        "role": Role(role).label,
        "inviter": one_line(inviter.name) if inviter else "The programme office",
    }


def _send_invitation(
    programme: Programme,
    person: Person,
    role: str,
    inviter: Person | None,
    token: str,
    expires_at: datetime,
    field: str,
) -> None:
    _send(
        _message(
            person,
            f"You are invited to {programme.name} in Transition tracker",
            "invitation",
            **_context(programme, person, role, inviter),
            link=link("people.accept_invitation", token=token),
            expires_at=expires_at,
            added=False,
        ),
        field,
    )


def send_added(
    programme: Programme, person: Person, role: str, inviter: Person | None, field: str = ""
) -> None:
    """To someone who can sign in already: they have been added, with a sign-in link."""
    _send(
        _message(
            person,
            f"You have been added to {programme.name} in Transition tracker",
            "invitation",
            **_context(programme, person, role, inviter),
            link=link("auth.sign_in", next=f"/p/{programme.slug}/"),
            expires_at=None,
            added=True,
        ),
        field,
    )


# --- the changes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """What was emailed, for the page's message: an invitation, or (`added`) word that
    someone who can sign in already has been added."""

    name: str
    email: str
    added: bool
    expires_at: datetime | None = None


def can_sign_in(person: Person) -> bool:
    return person.user is not None and bool(person.user.password_hash)


def _membership(programme: Programme, person: Person) -> Membership:
    membership = db.session.scalar(
        select(Membership).where(
            Membership.person_id == person.id, Membership.programme_id == programme.id
        )
    )
    if membership is None:
        raise ValidationError(
            [FieldError("", f"{person.name} is not a member of {programme.name}")],
            entity="invitation",
        )
    return membership


def _inviter(actor: Viewer) -> Person | None:
    return db.session.get(Person, actor.person_id) if actor.person_id is not None else None


def invite_member(actor: Viewer, programme: Programme, person: Person, field: str = "") -> Sent:
    """The building block of invite and of adding a person: the caller's unit of work commits
    (or, when the email cannot be sent, rolls back). Someone who can sign in already is
    told they have been added instead: no link, no invitation."""
    membership = _membership(programme, person)
    user = person.user
    if user is not None and not user.is_active:
        raise ValidationError(
            [
                FieldError(
                    field,
                    f"{person.name}'s account is deactivated: an instance administrator "
                    "reactivates it first",
                )
            ],
            entity="invitation",
        )
    inviter = _inviter(actor)
    if can_sign_in(person):
        send_added(programme, person, membership.role, inviter, field)
        return Sent(person.name, person.email, added=True)
    waiting = open_invitations_of(programme, person)
    if waiting:
        raise ValidationError(
            [
                FieldError(
                    field,
                    f"{person.name} has been invited already: resend that invitation instead",
                )
            ],
            entity="invitation",
        )
    token, token_digest = new_token()
    now = utcnow()
    invitation = Invitation(
        programme=programme,
        person=person,
        role=membership.role,
        token_digest=token_digest,
        invited_by=inviter,
        created_at=now,
        sent_at=now,
        times_sent=1,
        expires_at=now + VALID_FOR,
    )
    db.session.add(invitation)
    db.session.flush()  # every rule and constraint checked before the email goes
    _send_invitation(
        programme, person, membership.role, inviter, token, invitation.expires_at, field
    )
    return Sent(person.name, person.email, added=False, expires_at=invitation.expires_at)


@unit_of_work
def invite(actor: Viewer, programme: Programme, person_id: int) -> Sent:
    """Email a member of the programme a link that sets their password (or, when they can
    sign in already, word that they have been added)."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    person = db.session.get(Person, person_id)
    if person is None:
        raise ValidationError([FieldError("", "There is no such person")], entity="invitation")
    return invite_member(actor, programme, person)


def _lock(invitation: Invitation) -> None:
    """Lock the row until the commit (SELECT ... FOR UPDATE) and read its state afresh."""
    db.session.refresh(
        invitation,
        ["accepted_at", "revoked_at", "expires_at", "token_digest", "times_sent"],
        with_for_update=True,
    )


def _open_one(programme: Programme, invitation_id: int) -> Invitation:
    invitation = invitation_in(programme, invitation_id)
    if invitation is None:
        raise ValidationError(
            [FieldError("", f"{programme.name} has no invitation {invitation_id}")],
            entity="invitation",
        )
    # Held until the commit, so an acceptance at the same moment comes first or after.
    _lock(invitation)
    name = invitation.person.name
    if invitation.accepted_at is not None:
        raise ValidationError(
            [FieldError("", f"{name} has accepted the invitation already")], entity="invitation"
        )
    if invitation.revoked_at is not None:
        raise ValidationError(
            [FieldError("", f"{name}'s invitation was revoked: invite them again instead")],
            entity="invitation",
        )
    return invitation


@unit_of_work
def resend(actor: Viewer, programme: Programme, invitation_id: int) -> Sent:
    """A new link (the older email's stops working) valid for another 7 days."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    invitation = _open_one(programme, invitation_id)
    person = invitation.person
    membership = _membership(programme, person)
    if can_sign_in(person):
        raise ValidationError(
            [FieldError("", f"{person.name} has a password already: they can sign in")],
            entity="invitation",
        )
    token, token_digest = new_token()
    now = utcnow()
    invitation.token_digest = token_digest
    invitation.role = membership.role
    invitation.sent_at = now
    invitation.times_sent += 1
    invitation.expires_at = now + VALID_FOR
    db.session.flush()
    _send_invitation(
        programme, person, membership.role, _inviter(actor), token, invitation.expires_at, ""
    )
    return Sent(person.name, person.email, added=False, expires_at=invitation.expires_at)


@unit_of_work
def revoke(actor: Viewer, programme: Programme, invitation_id: int) -> Invitation:
    """The link stops working at once."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ITS_ADMINS)
    invitation = _open_one(programme, invitation_id)
    invitation.revoked_at = utcnow()
    return invitation


def revoke_open(person: Person, programme: Programme | None = None) -> None:
    """Every open invitation of the person (to this programme, or to any): when they leave
    it, or their address changes. The caller's unit of work commits."""
    query = select(Invitation).where(
        Invitation.person_id == person.id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
    )
    if programme is not None:
        query = query.where(Invitation.programme_id == programme.id)
    now = utcnow()
    for invitation in db.session.scalars(query):
        invitation.revoked_at = now


@dataclass(frozen=True)
class Accepted:
    user: User
    programme_slug: str
    programme_name: str


@unit_of_work
def accept(token: str, password: str, password_again: str) -> Accepted:
    """Set the invited person's password (making their account if they have none) and mark
    the invitation accepted: its link never works again. No actor: the token is the proof.
    Raises InvitationInvalid when the link opens nothing, ChangeRefused for the passwords."""
    found = _usable(token)
    if found is None:
        raise InvitationInvalid(NO_LONGER_VALID)
    invitation, _membership_now = found
    # Two uses of one link at once: the second waits here for the first (PostgreSQL) and
    # then finds it accepted, so the link still works once.
    _lock(invitation)
    if not is_open(invitation) or invitation.expires_at <= utcnow():
        raise InvitationInvalid(NO_LONGER_VALID)
    person = invitation.person
    errors = check_password(password, person.email, field="password")
    if password and password != password_again:
        errors.append(FieldError("password_again", PASSWORDS_DIFFER))
    raise_if(errors, entity="invitation")
    user = person.user
    with acting_as(Actor(person.name, user.id if user is not None else None)):
        if user is None:
            user = create_user(person.email, password)
        else:
            user.password_hash = hash_password(password)
        now = utcnow()
        invitation.accepted_at = now
        db.session.flush()
    # Accepting signs them in: a statement, as sign-in records it (accounts.authenticate).
    db.session.execute(
        update(User).where(User.id == user.id).values(last_sign_in_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(user, ["last_sign_in_at"])
    return Accepted(user, invitation.programme.slug, invitation.programme.name)
