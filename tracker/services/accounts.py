"""User accounts: sign-in checks, and what admins do to accounts (in the app or the CLI).

Each change is one unit of work (tracker/services/unit_of_work.py) taking the acting person
first: sign_in; change_password and set_digest_wanted (a person's own account only);
create_account, change_account, deactivate_account, reactivate_account and reset_password
(admins: can_manage_users). The CLI acts as the programme office (tracker/cli/common.py) and
names accounts by email address; the pages pass the account they looked up. The other
functions are reads, or building blocks those use (they leave the commit to the caller).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.domain import permissions
from tracker.domain.permissions import NotAllowed, Viewer
from tracker.domain.terms import Role
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_email,
    check_password,
    normalise_email,
    raise_if,
)
from tracker.extensions import db
from tracker.models import Person, Programme, User, Workstream, WorkstreamLead
from tracker.models.base import utcnow
from tracker.services.programmes import list_programmes
from tracker.services.unit_of_work import allow, unit_of_work

# scrypt, werkzeug's default: memory-hard, so offline guessing is expensive.
HASH_METHOD = "scrypt"
# Checked against when the email has no account, so a wrong email takes as long as a
# wrong password and timing does not reveal who has an account.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16), method=HASH_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def user_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).join(User.person).where(Person.email == normalise_email(email))
    )


def user_or_error(email: str) -> User:
    user = user_by_email(email)
    if user is None:
        raise ValidationError([FieldError("email", f"There is no account for {email}")])
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Records the sign-in (the
    caller commits: sign_in)."""
    user = user_by_email(email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    matches = check_password_hash(stored, password)
    if user is None or not user.password_hash or not matches or not user.is_active:
        return None
    user.last_sign_in_at = utcnow()
    return user


@unit_of_work
def sign_in(email: str, password: str) -> User | None:
    """The sign-in page's one change: the active user with this email and password, or None,
    with the moment of the sign-in saved. Nobody is acting yet (the password is what is
    checked), so this alone takes no actor."""
    return authenticate(email, password)


def own_account(actor: Viewer) -> User:
    """The acting person's own account: what they change on their account pages."""
    user = None
    if actor.person_id is not None:
        user = db.session.scalar(select(User).where(User.person_id == actor.person_id))
    if user is None or not user.is_active:
        raise NotAllowed("Sign in to change your account.")
    return user


def load_user(user_id: str) -> User | None:
    """The user for a session cookie's id ("<id>.<token>"), if still active and current."""
    number, _, token = user_id.partition(".")
    if not number.isdigit():
        return None
    user = db.session.get(User, int(number))
    if user is None or not user.is_active or not secrets.compare_digest(token, user.session_token):
        return None
    return user


def viewer_for(user: User) -> Viewer:
    led = frozenset(
        db.session.scalars(
            select(WorkstreamLead.workstream_id).where(WorkstreamLead.person_id == user.person_id)
        )
    )
    return Viewer(role=user.role, person_id=user.person_id, led_workstream_ids=led)


def check_role(role: str) -> list[FieldError]:
    if role not in {r.value for r in Role}:
        return [FieldError("role", f"'{role}' must be admin, lead or board")]
    return []


def generate_password() -> str:
    """A temporary password to hand over once; about 100 bits."""
    return secrets.token_urlsafe(15)


def create_user(
    email: str,
    role: str,
    password: str,
    name: str | None = None,
    workstreams: Iterable[Workstream] = (),
) -> User:
    """A new account, for a person already named in a plan or a new one."""
    email = normalise_email(email)
    errors = check_email(email) + check_role(role) + check_password(password, email)
    person = db.session.scalar(select(Person).where(Person.email == email))
    if person is not None and person.user is not None:
        errors.append(FieldError("email", f"{email} already has an account"))
    if person is None and not (name and name.strip()):
        errors.append(FieldError("name", f"Enter the name of {email}: nobody has that email yet"))
    raise_if(errors, entity="account")
    if person is None:
        person = Person(name=(name or "").strip(), email=email)
        db.session.add(person)
    elif name and name.strip():
        person.name = name.strip()
    user = User(person=person, role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    set_led_workstreams(person, workstreams)
    return user


def set_led_workstreams(person: Person, workstreams: Iterable[Workstream]) -> None:
    """Make `person` a lead of exactly these workstreams (in any programme)."""
    wanted = {ws.id: ws for ws in workstreams}
    current = set(
        db.session.scalars(
            select(WorkstreamLead.workstream_id).where(WorkstreamLead.person_id == person.id)
        )
    )
    gone = current - set(wanted)
    if gone:
        # One by one through the session, so each removal reaches the audit trail.
        for link in db.session.scalars(
            select(WorkstreamLead).where(
                WorkstreamLead.person_id == person.id, WorkstreamLead.workstream_id.in_(gone)
            )
        ):
            db.session.delete(link)
    for ws_id in set(wanted) - current:
        db.session.add(WorkstreamLead(workstream=wanted[ws_id], person=person, position=9))
    db.session.flush()


def workstreams_by_code(codes: Iterable[str], programme: Programme) -> list[Workstream]:
    codes = [c.strip().upper() for c in codes if c.strip()]
    found = {
        ws.code: ws
        for ws in db.session.scalars(
            select(Workstream).where(
                Workstream.programme_id == programme.id, Workstream.code.in_(codes)
            )
        )
    }
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(
            [
                FieldError(
                    "workstream",
                    f"{programme.name} has no workstream {', '.join(missing)}",
                )
            ]
        )
    return [found[c] for c in codes]


def set_role(user: User, role: str) -> None:
    raise_if(check_role(role), entity="account")
    user.role = role


def deactivate(user: User) -> None:
    """Stops the account signing in; its history stays."""
    user.is_active = False


def reactivate(user: User) -> None:
    user.is_active = True


def set_password(user: User, password: str) -> None:
    """Also signs the account out of every other session (see User.get_id)."""
    raise_if(check_password(password, user.email), entity="account")
    user.password_hash = hash_password(password)


@unit_of_work
def change_password(actor: Viewer, current: str, new: str) -> User:
    """A person changes their own password, knowing the current one. Every other session of
    theirs is signed out (see User.get_id); the caller renews its own."""
    user = own_account(actor)
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise ValidationError([FieldError("current_password", "Your current password is wrong")])
    if current == new:
        raise ValidationError(
            [FieldError("new_password", "Choose a new password different from the current one")]
        )
    raise_if(check_password(new, user.email, field="new_password"))
    user.password_hash = hash_password(new)
    return user


@unit_of_work
def set_digest_wanted(actor: Viewer, wanted: bool) -> User:
    """A person opts in to (or out of) the weekly status email."""
    user = own_account(actor)
    user.digest_opt_out = not wanted
    return user


# What admins see and do on the users pages and in `flask users ...`.


@dataclass(frozen=True)
class Account:
    """A user with the workstreams their person leads, for the list of users."""

    user: User
    led: list[Workstream]


_WORKSTREAM_ORDER = (Programme.name, Workstream.display_order, Workstream.code)


def list_accounts() -> list[Account]:
    """Every account by name, with the workstreams each leads, in two queries."""
    users = db.session.scalars(select(User).join(User.person).order_by(Person.name, Person.email))
    led: dict[int, list[Workstream]] = {}
    for person_id, workstream in db.session.execute(
        select(WorkstreamLead.person_id, Workstream)
        .join(Workstream, WorkstreamLead.workstream_id == Workstream.id)
        .join(Workstream.programme)
        .join(User, User.person_id == WorkstreamLead.person_id)
        .options(contains_eager(Workstream.programme))
        .order_by(*_WORKSTREAM_ORDER)
    ):
        led.setdefault(person_id, []).append(workstream)
    return [Account(user, led.get(user.person_id, [])) for user in users]


def _workstreams_in_order() -> Select[Workstream]:
    return (
        select(Workstream)
        .join(Workstream.programme)
        .options(contains_eager(Workstream.programme))
        .order_by(*_WORKSTREAM_ORDER)
    )


def all_workstreams() -> list[Workstream]:
    """Every programme's workstreams, programme by programme, with the programme loaded."""
    return list(db.session.scalars(_workstreams_in_order()))


def led_workstreams(person: Person) -> list[Workstream]:
    return list(
        db.session.scalars(
            _workstreams_in_order()
            .join(WorkstreamLead, WorkstreamLead.workstream_id == Workstream.id)
            .where(WorkstreamLead.person_id == person.id)
        )
    )


def workstreams_by_id(ids: Iterable[int]) -> list[Workstream]:
    wanted = list(dict.fromkeys(ids))
    found = {
        ws.id: ws for ws in db.session.scalars(select(Workstream).where(Workstream.id.in_(wanted)))
    }
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            [FieldError("workstreams", f"There is no workstream {', '.join(missing)}")]
        )
    return [found[i] for i in wanted]


def set_led_workstreams_in(
    person: Person, programme: Programme, workstreams: Iterable[Workstream]
) -> None:
    """Make `person` a lead of exactly these workstreams of `programme`; other programmes'
    workstreams they lead stay as they are."""
    elsewhere = [ws for ws in led_workstreams(person) if ws.programme_id != programme.id]
    set_led_workstreams(person, [*elsewhere, *workstreams])


def get_user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id, description="There is no such user account.")


def check_an_admin_remains(user: User, role: str, active: bool) -> list[FieldError]:
    """Nobody could manage accounts in the app if the last active admin went."""
    if not (user.is_admin and user.is_active) or (role == Role.ADMIN and active):
        return []
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id)
    )
    if others:
        return []
    field = "role" if active else "account"
    return [
        FieldError(
            field, f"{user.email} is the only active admin: make someone else an admin first"
        )
    ]


def reset_to_temporary_password(user: User) -> str:
    """A new generated password, to show once; the old one stops working."""
    password = generate_password()
    set_password(user, password)
    return password


# --- What admins do to accounts: one unit of work each ---------------------------------

NOT_AN_ADMIN = "Only the programme office manages user accounts."


@dataclass(frozen=True)
class ByCode:
    """Workstreams named by code in one programme, as the CLI's --workstream and --programme
    name them (`programme` None: the only programme there is)."""

    codes: tuple[str, ...]
    programme: str | None = None


# Which workstreams someone leads: by id, every programme's (the users pages' checkboxes),
# or by code within one programme (the CLI).
Leads = Sequence[int] | ByCode


def _may_manage(actor: Viewer) -> None:
    allow(permissions.can_manage_users(actor), NOT_AN_ADMIN)


def resolve_account(user: User | str) -> User:
    """The account itself (the pages look it up first, for a 404) or its email (the CLI)."""
    return user if isinstance(user, User) else user_or_error(user)


def _is_self(actor: Viewer, user: User) -> bool:
    return actor.person_id is not None and actor.person_id == user.person_id


def programme_by_slug(slug: str | None) -> Programme:
    """The programme named, or the only one there is (the CLI's --programme)."""
    programmes = list_programmes()
    choices = ", ".join(p.slug for p in programmes) or "none"
    if slug:
        for programme in programmes:
            if programme.slug == slug:
                return programme
        raise ValidationError(
            [FieldError("programme", f"There is no programme '{slug}'; choose from {choices}")]
        )
    if len(programmes) == 1:
        return programmes[0]
    raise ValidationError(
        [FieldError("programme", f"Say which programme with --programme: one of {choices}")]
    )


def _workstreams(leads: Leads) -> tuple[Programme | None, list[Workstream]]:
    """The workstreams meant, and the programme they were named in (None: by id)."""
    if isinstance(leads, ByCode):
        programme = programme_by_slug(leads.programme)
        return programme, workstreams_by_code(leads.codes, programme)
    return None, workstreams_by_id(leads)


@unit_of_work
def create_account(
    actor: Viewer,
    email: str,
    role: str,
    password: str,
    *,
    name: str | None = None,
    leads: Leads = (),
) -> User:
    """A new account, for a person already named in a plan or a new one, leading exactly
    these workstreams."""
    _may_manage(actor)
    _, workstreams = _workstreams(leads) if leads else (None, [])
    return create_user(email, role, password, name=name, workstreams=workstreams)


@unit_of_work
def change_account(actor: Viewer, user: User | str, role: str, leads: Leads | None = None) -> User:
    """Set the role and, when given, the workstreams led: by id exactly those; by code
    exactly those of that programme (other programmes' stay). Nobody removes their own
    admin role, and the last active admin stays one."""
    _may_manage(actor)
    user = resolve_account(user)
    errors = check_role(role)
    if not errors and _is_self(actor, user) and role != Role.ADMIN:
        errors.append(
            FieldError("role", "You cannot remove your own admin role: ask another admin to do it")
        )
    if not errors:
        errors = check_an_admin_remains(user, role, user.is_active)
    raise_if(errors, entity="account")
    set_role(user, role)
    if leads is not None:
        programme, workstreams = _workstreams(leads)
        if programme is None:
            set_led_workstreams(user.person, workstreams)
        else:
            set_led_workstreams_in(user.person, programme, workstreams)
    return user


@unit_of_work
def deactivate_account(actor: Viewer, user: User | str) -> User:
    """Stop the account signing in (at once: its sessions end); its history stays. Not the
    admin's own account, nor the last active admin; an inactive account stays as it is."""
    _may_manage(actor)
    user = resolve_account(user)
    if _is_self(actor, user):
        raise ValidationError(
            [
                FieldError(
                    "account", "You cannot deactivate your own account: ask another admin to do it"
                )
            ],
            entity="account",
        )
    if user.is_active:
        raise_if(check_an_admin_remains(user, user.role, active=False), entity="account")
        deactivate(user)
    return user


@unit_of_work
def reactivate_account(actor: Viewer, user: User | str) -> User:
    """Let a deactivated account sign in again."""
    _may_manage(actor)
    user = resolve_account(user)
    reactivate(user)
    return user


@dataclass(frozen=True)
class PasswordReset:
    user: User
    password: str  # to show once


@unit_of_work
def reset_password(actor: Viewer, user: User | str, password: str | None = None) -> PasswordReset:
    """Set a new password (a generated one when none is given), signing the account out
    everywhere. Not the admin's own: that is changed knowing the current one."""
    _may_manage(actor)
    user = resolve_account(user)
    if _is_self(actor, user):
        raise ValidationError(
            [
                FieldError(
                    "account",
                    "You cannot reset your own password here: use 'Change your password' instead",
                )
            ]
        )
    if password is None:
        password = reset_to_temporary_password(user)
    else:
        set_password(user, password)
    return PasswordReset(user, password)
