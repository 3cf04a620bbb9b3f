"""What the programme office does to user accounts, in the app (/users/) or the CLI
(`flask users ...`): list them; create, change role and workstreams led, deactivate,
reactivate, reset the password.

Each change is one unit of work (tracker/services/unit_of_work.py) taking the acting person
first and allowed to admins only (can_manage_users). The CLI acts as the programme office
(tracker/cli/common.py) and names accounts by email address; the pages pass the account they
looked up. The building blocks (hashing, roles, workstreams led) are in services/accounts.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.terms import Role
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    raise_if,
)
from tracker.extensions import db
from tracker.models import Person, Programme, User, Workstream, WorkstreamLead
from tracker.models.base import utcnow
from tracker.services.accounts import (
    check_role,
    create_user,
    deactivate,
    generate_password,
    reactivate,
    resolve_account,
    set_led_workstreams,
    set_password,
    set_role,
    workstreams_by_code,
)
from tracker.services.optimistic_locking import Seen, check_current
from tracker.services.programmes import list_programmes
from tracker.services.unit_of_work import allow, unit_of_work


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
def change_account(
    actor: Viewer,
    user: User | str,
    role: str,
    leads: Leads | None = None,
    *,
    seen: Seen | None = None,
) -> User:
    """Set the role and, when given, the workstreams led: by id exactly those; by code
    exactly those of that programme (other programmes' stay). Nobody removes their own
    admin role, and the last active admin stays one. The edit page passes the version it
    showed (`seen`): a save over another admin's change is refused; the CLI passes none."""
    _may_manage(actor)
    user = resolve_account(user)
    if seen is not None:
        check_current(user, seen)
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
    # The workstreams led are part of the account as the edit page shows it: a save always
    # moves the account's version, even when only they changed.
    user.updated_at = utcnow()
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
