"""`flask users ...`: accounts and personal API tokens from the command line. Each change is
one unit of work in tracker/services/user_admin.py or api_tokens.py, made as the operator and
audited as made by "cli"; bad input prints every problem and saves nothing."""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from tracker.cli.common import OPERATOR, saving
from tracker.domain.terms import Role, values
from tracker.formatting import london_time
from tracker.services import accounts, api_tokens, user_admin
from tracker.services.programmes import list_programmes
from tracker.services.user_admin import ByCode

if TYPE_CHECKING:
    from tracker.models import User, Workstream


@click.group()
def users() -> None:
    """Manage user accounts: create, set-role (in a programme), instance-admin, deactivate,
    reactivate, reset-password, list, and personal API tokens: token, revoke-token."""


def _read_password() -> str:
    """One line from standard input, never echoed; typed at a terminal, asked twice."""
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("The same again: ") != password:
            raise click.ClickException("The two passwords do not match; nothing was saved.")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def _show_temporary_password(user: User, password: str) -> None:
    click.echo(f"Temporary password for {user.email} (shown once): {password}")
    click.echo("Give it to them privately; they should change it when they first sign in.")


def _codes(workstreams: list[Workstream]) -> str:
    return ", ".join(ws.code for ws in workstreams) or "none"


ROLE = click.Choice(values(Role))
WORKSTREAM = click.option(
    "--workstream",
    "codes",
    multiple=True,
    metavar="CODE",
    help="A workstream they lead (repeat for several).",
)
PROGRAMME = click.option(
    "--programme",
    "slug",
    metavar="SLUG",
    help="The programme of the role and workstreams (default: the only one there is).",
)
PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (otherwise one is generated and shown once).",
)


def _roles(account: user_admin.Account, several: bool) -> str:
    """ "lead" with one programme; "kent-and-medway: lead, next-icb: admin" with several;
    "instance admin, admin" for an instance administrator who is also a member."""
    roles = ["instance admin"] if account.user.is_instance_admin else []
    if several:
        roles += [f"{m.programme.slug}: {m.role}" for m in account.memberships]
    else:
        roles += [m.role for m in account.memberships]
    return ", ".join(roles) or "no programme"


@users.command("create")
@click.argument("email")
@click.option("--role", type=ROLE, help="Their role in the programme (--programme).")
@click.option("--name", help="Their name (needed unless a plan already names them).")
@click.option(
    "--instance-admin",
    is_flag=True,
    help="Also an instance administrator: starts programmes, manages every account.",
)
@WORKSTREAM
@PROGRAMME
@PASSWORD_STDIN
@with_appcontext
def create_user(
    email: str,
    role: str | None,
    name: str | None,
    instance_admin: bool,
    codes: tuple[str, ...],
    slug: str | None,
    password_stdin: bool,
) -> None:
    """Give someone an account: a role in a programme, or instance administrator, or both."""
    password = _read_password() if password_stdin else accounts.generate_password()
    first = None
    # An instance administrator needs no programme; anything said about one is checked.
    if role or codes or slug or not instance_admin:
        first = user_admin.FirstRole(role or "", slug, ByCode(codes, slug) if codes else ())
    with saving():
        user = user_admin.create_account(
            OPERATOR, email, password, name=name, instance_admin=instance_admin, first=first
        )
    # In the order given, as they were looked up.
    led = [c.strip().upper() for c in codes if c.strip()]
    what = " instance administrator" if instance_admin else ""
    click.echo(f"Created an{what} account for {user.name} <{user.email}>.")
    if role:
        click.echo(f"They are {role} of {user_admin.programme_by_slug(slug).name}.")
    if led:
        click.echo(f"They lead {', '.join(led)}.")
    if not password_stdin:
        _show_temporary_password(user, password)


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([*values(Role), "none"]))
@WORKSTREAM
@PROGRAMME
@with_appcontext
def set_role(email: str, role: str, codes: tuple[str, ...], slug: str | None) -> None:
    """Change someone's role in a programme ("none": no longer a member of it); with
    --workstream, also exactly which workstreams of the programme they lead."""
    first = None if role == "none" else user_admin.FirstRole(role, slug, ByCode(codes, slug))
    with saving():
        user = user_admin.set_programme_role(OPERATOR, email, first, slug)
    programme = user_admin.programme_by_slug(slug)
    if role == "none":
        click.echo(f"{user.name} <{user.email}> is no longer a member of {programme.name}.")
        return
    click.echo(f"{user.name} <{user.email}> is now {role} of {programme.name}.")
    if codes:
        led = user_admin.led_workstreams(user.person)
        click.echo(f"They lead {_codes([ws for ws in led if ws.programme_id == programme.id])}.")


@users.command("instance-admin")
@click.argument("email")
@click.argument("answer", type=click.Choice(["yes", "no"]))
@with_appcontext
def set_instance_admin(email: str, answer: str) -> None:
    """Make someone an instance administrator (yes), or stop them being one (no)."""
    with saving():
        user = user_admin.change_account(OPERATOR, email, answer == "yes")
    state = "now" if user.is_instance_admin else "no longer"
    click.echo(f"{user.name} <{user.email}> is {state} an instance administrator.")


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_user(email: str) -> None:
    """Stop someone signing in (signs them out at once); their history stays."""
    with saving():
        user = user_admin.deactivate_account(OPERATOR, email)
    click.echo(f"{user.name} <{user.email}> can no longer sign in.")


@users.command("reactivate")
@click.argument("email")
@with_appcontext
def reactivate_user(email: str) -> None:
    """Let a deactivated account sign in again."""
    with saving():
        user = user_admin.reactivate_account(OPERATOR, email)
    click.echo(f"{user.name} <{user.email}> can sign in again.")


@users.command("reset-password")
@click.argument("email")
@PASSWORD_STDIN
@with_appcontext
def reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password, signing the account out everywhere."""
    password = _read_password() if password_stdin else None
    with saving():
        reset = user_admin.reset_password(OPERATOR, email, password)
    click.echo(f"The password of {reset.user.email} has been reset.")
    if not password_stdin:
        _show_temporary_password(reset.user, reset.password)


@users.command("list")
@with_appcontext
def list_users() -> None:
    """Every account: role in each programme, active or not, workstreams led, last sign-in."""
    several = len(list_programmes()) > 1
    for account in user_admin.list_accounts():
        user = account.user
        parts = [
            _roles(account, several),
            "active  " if user.is_active else "inactive",
            f"{user.email} ({user.name})",
        ]
        if account.led:
            codes = [f"{ws.programme.slug}/{ws.code}" if several else ws.code for ws in account.led]
            parts.append("leads " + ", ".join(codes))
        if user.last_sign_in_at:
            parts.append("last signed in " + london_time(user.last_sign_in_at))
        else:
            parts.append("never signed in")
        click.echo("  ".join(parts))


@users.command("token")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What it is for.")
@with_appcontext
def make_token(email: str, name: str) -> None:
    """Make a personal API token for someone and print it (shown once).

    The token alone goes to standard output, so `TOKEN=$(flask users token EMAIL)` works;
    what it is goes to standard error.
    """
    with saving():
        made = api_tokens.make_token(OPERATOR, name, owner=email)
    user = made.record.user
    click.echo(
        f"API token '{made.record.name}' for {user.name} <{user.email}> "
        "(shown once; revoke it on the API tokens page or with `users revoke-token`):",
        err=True,
    )
    click.echo(made.secret)


@users.command("revoke-token")
@click.argument("email")
@click.argument("prefix")
@with_appcontext
def revoke_token(email: str, prefix: str) -> None:
    """Revoke someone's API token, named by how it starts (as the API tokens page shows it)."""
    with saving():
        token = api_tokens.revoke_token_by_prefix(OPERATOR, email, prefix)
    click.echo(f"Revoked the API token '{token.name}' ({token.prefix}…) of {token.user.email}.")
