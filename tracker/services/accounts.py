"""User accounts: passwords, sign-in, the signed-in person as the rules see them, and what a
person changes on their own account.

Each change is one unit of work (tracker/services/unit_of_work.py) taking the acting person
first: sign_in and sign_out; change_password and set_digest_wanted (a person's own account
only). What the programme office does to accounts is in services/user_admin.py. The other
functions are reads, or building blocks those use (they leave the commit to the caller).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import and_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.domain.permissions import NotAllowed, Viewer
from tracker.domain.terms import Role
from tracker.domain.text import strip_bidi
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_email,
    check_password,
    check_title,
    normalise_email,
    raise_if,
)
from tracker.extensions import db
from tracker.models import Membership, Person, Programme, User, Workstream, WorkstreamLead
from tracker.models.base import utcnow
from tracker.services.unit_of_work import unit_of_work

# scrypt, werkzeug's default: memory-hard, so offline guessing is expensive.
HASH_METHOD = "scrypt"
# Checked against when the email has no account, so a wrong email takes as long as a
# wrong password and timing does not reveal who has an account.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16), method=HASH_METHOD)
# The longest name a person may have (person.name).
NAME_LIMIT = 120


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
    # A statement, not an attribute change: signing in is not an edit of the account, so it
    # must not move its version (an admin editing the account meanwhile would be refused).
    db.session.execute(
        update(User).where(User.id == user.id).values(last_sign_in_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(user, ["last_sign_in_at"])
    return user


@unit_of_work
def sign_in(email: str, password: str) -> User | None:
    """The sign-in page's one change: the active user with this email and password, or None,
    with the moment of the sign-in saved. Nobody is acting yet (the password is what is
    checked), so this alone takes no actor."""
    return authenticate(email, password)


def end_sessions(user_ids: Iterable[int]) -> None:
    """Every session cookie of these accounts made until now stops working (load_user): the
    session generation is part of the cookie's id (User.get_id). A statement counting up, so
    two sign-outs at once both count, and neither the version nor the audit trail moves."""
    ids = list(user_ids)
    if not ids:
        return
    db.session.execute(
        update(User).where(User.id.in_(ids)).values(session_generation=User.session_generation + 1),
        execution_options={"synchronize_session": False},
    )
    for user in db.session.identity_map.values():
        if isinstance(user, User) and user.id in ids:
            db.session.expire(user, ["session_generation"])


@unit_of_work
def sign_out(actor: Viewer) -> None:
    """Signing out ends the session on the server: a copy of the cookie taken before no
    longer signs anyone in, from any client. The person's other sessions end too (one
    generation per account)."""
    if actor.person_id is None:
        return
    user_id = db.session.scalar(select(User.id).where(User.person_id == actor.person_id))
    if user_id is not None:
        end_sessions([user_id])


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


def viewer_for(user: User, slug: str | None = None) -> Viewer:
    """The person as the rules see them: their role in each programme they belong to, the
    workstreams they lead where they are a lead, and (given a slug) the programme in view,
    None when they may not see it. One query (two for an instance administrator looking at
    a programme they are not a member of)."""
    led = (
        select(WorkstreamLead.workstream_id, Workstream.programme_id)
        .join(Workstream, Workstream.id == WorkstreamLead.workstream_id)
        .where(WorkstreamLead.person_id == user.person_id)
        .subquery()
    )
    memberships: dict[int, str] = {}
    led_ids: set[int] = set()
    in_view = None
    for programme_id, role, programme_slug, workstream_id in db.session.execute(
        select(Membership.programme_id, Membership.role, Programme.slug, led.c.workstream_id)
        .join(Programme, Programme.id == Membership.programme_id)
        .outerjoin(
            led,
            and_(led.c.programme_id == Membership.programme_id, Membership.role == Role.LEAD),
        )
        .where(Membership.person_id == user.person_id)
    ):
        memberships[programme_id] = role
        if workstream_id is not None:
            led_ids.add(workstream_id)
        if programme_slug == slug:
            in_view = programme_id
    # An address with a control character in it names no programme (and PostgreSQL refuses
    # a NUL outright); its error page still asks who is looking.
    if slug is not None and in_view is None and user.is_instance_admin and slug.isprintable():
        in_view = db.session.scalar(select(Programme.id).where(Programme.slug == slug))
    return Viewer(
        person_id=user.person_id,
        memberships=memberships,
        led_workstream_ids=frozenset(led_ids),
        instance_admin=user.is_instance_admin,
        programme_id=in_view,
    )


def generate_password() -> str:
    """A temporary password to hand over once; about 100 bits."""
    return secrets.token_urlsafe(15)


def create_user(
    email: str,
    password: str | None,
    name: str | None = None,
    *,
    instance_admin: bool = False,
) -> User:
    """A new account, for a person already named in a plan or a new one. With no password
    it cannot sign in until one is set (an invitation's link sets it)."""
    email, name = normalise_email(email), strip_bidi(name)
    errors = check_email(email)
    if password is not None:
        errors += check_password(password, email)
    person = db.session.scalar(select(Person).where(Person.email == email))
    if person is not None and person.user is not None:
        errors.append(FieldError("email", f"{email} already has an account"))
    if person is None and not (name and name.strip()):
        errors.append(FieldError("name", f"Enter the name of {email}: nobody has that email yet"))
    errors += check_title("name", name, "full name", NAME_LIMIT)
    raise_if(errors, entity="account")
    if person is None:
        person = Person(name=(name or "").strip(), email=email)
        db.session.add(person)
    elif name and name.strip():
        person.name = name.strip()
    user = User(
        person=person,
        is_instance_admin=instance_admin,
        password_hash=hash_password(password) if password is not None else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


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


def deactivate(user: User) -> None:
    """Stops the account signing in, and ends its sessions for good (reactivating it does not
    bring them back); its history stays."""
    user.is_active = False
    db.session.flush()
    end_sessions([user.id])


def reactivate(user: User) -> None:
    user.is_active = True


def set_password(user: User, password: str) -> None:
    """Also signs the account out of every other session (see User.get_id)."""
    raise_if(check_password(password, user.email), entity="account")
    user.password_hash = hash_password(password)


NEW_PASSWORDS_DIFFER = "The two new passwords do not match"


@unit_of_work
def change_password(actor: Viewer, current: str, new: str, confirm: str | None = None) -> User:
    """A person changes their own password, knowing the current one (and typing the new one
    twice, `confirm`, on the page). Every problem is named at once. Every other session of
    theirs is signed out (see User.get_id); the caller renews its own."""
    user = own_account(actor)
    errors = []
    if not current:
        errors.append(FieldError("current_password", "Enter your current password"))
    elif not user.password_hash or not check_password_hash(user.password_hash, current):
        errors.append(FieldError("current_password", "Your current password is wrong"))
    if not new:
        errors.append(FieldError("new_password", "Enter a new password"))
    elif current == new:
        errors.append(
            FieldError("new_password", "Choose a new password different from the current one")
        )
    else:
        errors += check_password(new, user.email, field="new_password")
    if confirm is not None and not confirm:
        errors.append(FieldError("confirm_password", "Enter the new password again"))
    elif confirm is not None and new and confirm != new:
        errors.append(FieldError("confirm_password", NEW_PASSWORDS_DIFFER))
    raise_if(errors, entity="account")
    user.password_hash = hash_password(new)
    return user


@unit_of_work
def set_digest_wanted(actor: Viewer, wanted: bool) -> User:
    """A person opts in to (or out of) the weekly status email."""
    user = own_account(actor)
    user.digest_opt_out = not wanted
    return user


# What admins see and do on the users pages and in `flask users ...`.


def resolve_account(user: User | str) -> User:
    """The account itself (the pages look it up first, for a 404) or its email (the CLI)."""
    return user if isinstance(user, User) else user_or_error(user)
