"""User accounts: sign-in checks, and what admins do to accounts (in the app or the CLI)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.domain.permissions import Viewer
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
    """The active user with this email and password, or None. Records the sign-in."""
    user = user_by_email(email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    matches = check_password_hash(stored, password)
    if user is None or not user.password_hash or not matches or not user.is_active:
        return None
    user.last_sign_in_at = utcnow()
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


def change_password(user: User, current: str, new: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise ValidationError([FieldError("current_password", "Your current password is wrong")])
    if current == new:
        raise ValidationError(
            [FieldError("new_password", "Choose a new password different from the current one")]
        )
    raise_if(check_password(new, user.email, field="new_password"))
    user.password_hash = hash_password(new)


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


def change_account(
    user: User,
    role: str,
    workstreams: Iterable[Workstream] | None = None,
    by: User | None = None,
) -> None:
    """Set the role and, when given, exactly the workstreams led. `by` is the admin making the
    change in the app (None from the CLI): nobody removes their own admin role."""
    errors = check_role(role)
    if not errors and by is not None and by.id == user.id and role != Role.ADMIN:
        errors.append(
            FieldError("role", "You cannot remove your own admin role: ask another admin to do it")
        )
    if not errors:
        errors = check_an_admin_remains(user, role, user.is_active)
    raise_if(errors, entity="account")
    set_role(user, role)
    if workstreams is not None:
        set_led_workstreams(user.person, workstreams)


def deactivate_account(user: User, by: User | None = None) -> None:
    """Deactivate, unless it is the admin's own account or the last active admin."""
    if by is not None and by.id == user.id:
        raise ValidationError(
            [
                FieldError(
                    "account", "You cannot deactivate your own account: ask another admin to do it"
                )
            ],
            entity="account",
        )
    raise_if(check_an_admin_remains(user, user.role, active=False), entity="account")
    deactivate(user)


def reset_to_temporary_password(user: User) -> str:
    """A new generated password, to show once; the old one stops working."""
    password = generate_password()
    set_password(user, password)
    return password
