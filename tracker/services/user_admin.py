"""What instance administrators do to user accounts, in the app (/users/) or the CLI
(`flask users ...`): list them; create (with a first programme and role), make or stop
being an instance administrator, set someone's role in a programme, deactivate, reactivate,
reset the password.

Each change is one unit of work (tracker/services/unit_of_work.py) taking the acting person
first and allowed to instance administrators only (can_manage_users). The CLI acts as the
operator (tracker/cli/common.py) and names accounts by email address; the pages pass the
account they looked up. The building blocks are in services/accounts.py and memberships.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from tracker.domain import permissions
from tracker.domain.permissions import Viewer
from tracker.domain.validation import (
    FieldError,
    ValidationError,
    check_role,
    raise_if,
)
from tracker.extensions import db
from tracker.models import Membership, Person, Programme, User, Workstream, WorkstreamLead
from tracker.services import memberships
from tracker.services.accounts import (
    create_user,
    deactivate,
    generate_password,
    reactivate,
    resolve_account,
    set_password,
    workstreams_by_code,
)
from tracker.services.optimistic_locking import Seen, check_current
from tracker.services.programmes import list_programmes
from tracker.services.unit_of_work import allow, unit_of_work


@dataclass(frozen=True)
class Account:
    """A user with the workstreams their person leads and their role in each programme,
    for the list of users."""

    user: User
    led: list[Workstream]
    memberships: list[Membership]


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
    roles: dict[int, list[Membership]] = {}
    for membership in db.session.scalars(
        select(Membership)
        .join(Membership.programme)
        .options(contains_eager(Membership.programme))
        .order_by(Programme.name)
    ):
        roles.setdefault(membership.person_id, []).append(membership)
    return [
        Account(user, led.get(user.person_id, []), roles.get(user.person_id, [])) for user in users
    ]


def _workstreams_in_order() -> Select[Workstream]:
    return (
        select(Workstream)
        .join(Workstream.programme)
        .options(contains_eager(Workstream.programme))
        .order_by(*_WORKSTREAM_ORDER)
    )


def all_workstreams() -> list[Workstream]:
    """Every programme's workstreams in use (not retired: nobody new leads those), programme
    by programme, with the programme loaded."""
    return list(db.session.scalars(_workstreams_in_order().where(Workstream.retired_on.is_(None))))


def led_workstreams(person: Person) -> list[Workstream]:
    return list(
        db.session.scalars(
            _workstreams_in_order()
            .join(WorkstreamLead, WorkstreamLead.workstream_id == Workstream.id)
            .where(WorkstreamLead.person_id == person.id)
        )
    )


def get_user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id, description="There is no such user account.")


def check_an_admin_remains(user: User, instance_admin: bool, active: bool) -> list[FieldError]:
    """Nobody could manage accounts or start programmes in the app if the last active
    instance administrator went."""
    if not (user.is_instance_admin and user.is_active) or (instance_admin and active):
        return []
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.is_instance_admin.is_(True), User.is_active.is_(True), User.id != user.id)
    )
    if others:
        return []
    field = "instance_admin" if active else "account"
    return [
        FieldError(
            field,
            f"{user.email} is the only active instance administrator: make someone else one first",
        )
    ]


def reset_to_temporary_password(user: User) -> str:
    """A new generated password, to show once; the old one stops working."""
    password = generate_password()
    set_password(user, password)
    return password


# --- What admins do to accounts: one unit of work each ---------------------------------

NOT_AN_ADMIN = "Only an instance administrator manages user accounts."


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


NO_PROGRAMME_YET = "There is no programme yet: start one first"


def programme_by_slug(slug: str | None) -> Programme:
    """The programme named, or the only one there is (the CLI's --programme, the new user
    form's programme)."""
    programmes = list_programmes()
    choices = ", ".join(p.slug for p in programmes)
    if slug:
        for programme in programmes:
            if programme.slug == slug:
                return programme
        raise ValidationError(
            [
                FieldError(
                    "programme",
                    f"There is no programme '{slug}'; choose from {choices or 'none yet'}",
                )
            ]
        )
    if len(programmes) == 1:
        return programmes[0]
    # Said alike on the page (a select) and in the CLI (--programme).
    message = f"Say which programme: one of {choices}" if programmes else NO_PROGRAMME_YET
    raise ValidationError([FieldError("programme", message)])


@dataclass(frozen=True)
class FirstRole:
    """The programme a new account joins and the role they hold there (`programme` a slug,
    or None for the only programme there is), with the workstreams they lead in it."""

    role: str
    programme: str | None = None
    leads: Leads = ()


@dataclass(frozen=True)
class _Place:
    programme: Programme
    role: str
    workstreams: list[Workstream]


def _workstreams_by_id(programme: Programme, ids: Sequence[int]) -> list[Workstream]:
    """The workstreams ticked, which must be the programme's own: the form lists every
    programme's, and codes repeat across programmes, so a stray one is named with its own."""
    wanted = list(dict.fromkeys(ids))
    found = {
        ws.id: ws
        for ws in db.session.scalars(_workstreams_in_order().where(Workstream.id.in_(wanted)))
    }
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            [FieldError("workstreams", f"There is no workstream {', '.join(missing)}")]
        )
    stray = [found[i] for i in wanted if found[i].programme_id != programme.id]
    if stray:
        names = ", ".join(f"{ws.code} ({ws.programme.name})" for ws in stray)
        raise ValidationError(
            [
                FieldError(
                    "workstreams",
                    f"{names}: not a workstream of {programme.name}, the programme they join",
                )
            ]
        )
    return [found[i] for i in wanted]


def _led_in(programme: Programme, leads: Leads) -> list[Workstream]:
    if isinstance(leads, ByCode):
        workstreams = workstreams_by_code(leads.codes, programme)
        field = "workstream"
    else:
        workstreams = _workstreams_by_id(programme, leads)
        field = "workstreams"
    retired = [ws.code for ws in workstreams if ws.retired_on is not None]
    if retired:
        verb = "is" if len(retired) == 1 else "are"
        raise ValidationError(
            [FieldError(field, f"{', '.join(retired)} {verb} retired: nobody new leads it")]
        )
    return workstreams


def _placement(first: FirstRole) -> _Place:
    """Where a new account goes, checked before anything is saved: every problem at once."""
    errors: list[FieldError] = []
    programme = None
    slug = first.leads.programme if isinstance(first.leads, ByCode) else None
    try:
        programme = programme_by_slug(slug or first.programme)
    except ValidationError as refused:
        errors += refused.errors
    errors += check_role(first.role, programme.name if programme is not None else "the programme")
    workstreams: list[Workstream] = []
    if programme is not None and first.leads:
        try:
            workstreams = _led_in(programme, first.leads)
        except ValidationError as refused:
            errors += refused.errors
    if errors or programme is None:  # no programme: its error is among them
        raise ValidationError(errors, entity="account")
    return _Place(programme, first.role, workstreams)


@unit_of_work
def create_account(
    actor: Viewer,
    email: str,
    password: str,
    *,
    name: str | None = None,
    instance_admin: bool = False,
    first: FirstRole | None = None,
) -> User:
    """A new account, for a person already named in a plan or a new one: an instance
    administrator, or a member of one programme with a role (or both)."""
    _may_manage(actor)
    errors: list[FieldError] = []
    place = None
    if first is None and not instance_admin:
        errors.append(
            FieldError(
                "programme", "Choose a programme for them, or make them an instance administrator"
            )
        )
    elif first is not None:
        try:
            place = _placement(first)
        except ValidationError as refused:
            errors += refused.errors
    try:
        user = create_user(email, password, name=name, instance_admin=instance_admin)
    except ValidationError as refused:
        raise ValidationError(refused.errors + errors, entity="account") from refused
    raise_if(errors, entity="account")
    if place is not None:
        memberships.join(user.person, place.programme, place.role)
        if place.workstreams:
            memberships.set_led_in(user.person, place.programme, place.workstreams)
    return user


@unit_of_work
def change_account(
    actor: Viewer, user: User | str, instance_admin: bool, *, seen: Seen | None = None
) -> User:
    """Make someone an instance administrator, or stop them being one. Nobody stops being one
    themselves, and the last active one stays one. The edit page passes the version it showed
    (`seen`): a save over another administrator's change is refused; the CLI passes none."""
    _may_manage(actor)
    user = resolve_account(user)
    if seen is not None:
        check_current(user, seen)
    errors = []
    if _is_self(actor, user) and not instance_admin:
        errors.append(
            FieldError(
                "instance_admin",
                "You cannot stop being an instance administrator yourself: ask another one",
            )
        )
    if not errors:
        errors = check_an_admin_remains(user, instance_admin, user.is_active)
    raise_if(errors, entity="account")
    user.is_instance_admin = instance_admin
    return user


@unit_of_work
def set_programme_role(
    actor: Viewer, user: User | str, first: FirstRole | None, slug: str | None = None
) -> User:
    """`flask users set-role`: their role in one programme (None: no longer a member of the
    programme `slug`), and with workstream codes exactly which of its workstreams they lead."""
    _may_manage(actor)
    user = resolve_account(user)
    if first is None:
        programme = programme_by_slug(slug)
        memberships.change_membership(
            actor, programme, user.person, memberships.MembershipChange(None)
        )
        return user
    programme = programme_by_slug(first.programme)
    led = None
    if isinstance(first.leads, ByCode) and first.leads.codes:
        led = tuple(ws.id for ws in workstreams_by_code(first.leads.codes, programme))
    memberships.change_membership(
        actor, programme, user.person, memberships.MembershipChange(first.role, led)
    )
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
        raise_if(
            check_an_admin_remains(user, user.is_instance_admin, active=False), entity="account"
        )
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
