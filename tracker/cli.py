"""Command-line work: `flask --app wsgi seed ...`, `users ...`, `digest send`."""

from __future__ import annotations

import contextlib
import getpass
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select, text

from tracker import clock
from tracker.audit import Actor, acting_as
from tracker.domain.terms import Role, values
from tracker.domain.validation import FieldError, ValidationError
from tracker.extensions import db
from tracker.formatting import london_time
from tracker.models import Programme, User, Workstream
from tracker.services import accounts
from tracker.services.programmes import list_programmes
from tracker.services.seeding import SeedError, load_programme_dir, programme_dirs
from tracker.services.synthetic import MAX_MILESTONES, generate_programme


@click.group(invoke_without_command=True)
@click.option("--reset", is_flag=True, help="Delete the seeded programme(s) and load afresh.")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="One programme folder (default: every folder under seed/ with a programme.yaml).",
)
@click.pass_context
@with_appcontext
def seed(ctx: click.Context, reset: bool, folder: Path | None) -> None:
    """Load the seed programme(s). Safe to run twice: what is there is left alone."""
    if ctx.invoked_subcommand is not None:
        return
    folders = [folder] if folder else programme_dirs(current_app.config["SEED_DIR"])
    if not folders:
        raise click.ClickException(f"No programme.yaml under {current_app.config['SEED_DIR']}")
    password = current_app.config.get("SEED_USER_PASSWORD")
    show_password = current_app.config["TRACKER_ENV"] == "development"
    for path in folders:
        try:
            with acting_as(Actor("seed")):
                report = load_programme_dir(path, reset=reset, password=password)
        except (SeedError, ValidationError) as exc:
            raise click.ClickException(str(exc)) from exc
        if report.loaded:
            counts = ", ".join(f"{n} {what}" for what, n in report.counts.items() if n)
            click.echo(f"Loaded {report.programme}: {counts}.")
        else:
            click.echo(
                f"{report.programme} is already loaded; nothing changed "
                "(use --reset to load it afresh)."
            )
        if show_password and report.accounts:
            click.echo(f"Sign in with any of these accounts; the password is '{password}':")
            for email, role, name in report.accounts:
                click.echo(f"  {role:<6} {email}  ({name})")


@seed.command("synthetic")
@click.option("--programmes", type=click.IntRange(min=1), default=1, show_default=True)
@click.option(
    "--milestones", type=click.IntRange(2, MAX_MILESTONES), required=True, help="Per programme."
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the programmes stand at (default: the app's today).",
)
@click.option("--seed", "seed_", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--links-per-milestone", type=click.FloatRange(min=1), default=2.5, show_default=True)
@with_appcontext
def synthetic(
    programmes: int,
    milestones: int,
    today: datetime | None,
    seed_: int,
    links_per_milestone: float,
) -> None:
    """Generate programmes synthetic-1..N for benchmarks and load tests.

    A slug already in the database is skipped. Programme k uses seed SEED + k - 1, so the
    same options always give the same programmes.
    """
    day: date = today.date() if today else clock.today()
    password = current_app.config.get("SEED_USER_PASSWORD")
    show_password = current_app.config["TRACKER_ENV"] == "development"
    started = time.perf_counter()
    made = 0
    for k in range(1, programmes + 1):
        slug = f"synthetic-{k}"
        if db.session.scalar(select(Programme.id).where(Programme.slug == slug)) is not None:
            click.echo(f"{slug} already exists; skipped.")
            continue
        click.echo(f"Generating {slug}: {milestones:,} milestones as at {day.isoformat()} ...")
        began = time.perf_counter()
        try:
            with acting_as(Actor("seed")):
                report = generate_programme(
                    slug=slug,
                    milestones=milestones,
                    today=day,
                    seed=seed_ + k - 1,
                    links_per_milestone=links_per_milestone,
                    password=password,
                )
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        made += 1
        counts = ", ".join(f"{n:,} {what}" for what, n in report.counts().items() if n)
        click.echo(f"  {report.name}: {counts} ({time.perf_counter() - began:.1f} s).")
        if show_password and report.account_list:
            click.echo(f"  Sign in with any of these accounts; the password is '{password}':")
            for email, role, name in report.account_list:
                click.echo(f"    {role:<6} {email}  ({name})")
    if made and db.engine.dialect.name == "postgresql":
        # Fresh statistics, as autovacuum would give a real database after a bulk load;
        # without them the planner picks nested loops and pages take ten times as long.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    click.echo(
        f"Created {made} of {programmes} programme(s) in {time.perf_counter() - started:.1f} s."
    )


@click.group()
def users() -> None:
    """Manage user accounts: create, set-role, deactivate, reactivate, reset-password, list,
    and personal API tokens: token, revoke-token."""


@contextlib.contextmanager
def _saving() -> Iterator[None]:
    """Changes inside are recorded as made by "cli" and committed once; on bad input every
    problem is printed, nothing is saved and the command exits non-zero."""
    try:
        with acting_as(Actor("cli")):
            yield
            db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(f"Error: {error.field}: {error.message}", err=True)
        raise click.exceptions.Exit(1) from exc
    except BaseException:
        db.session.rollback()
        raise


def _read_password() -> str:
    """One line from standard input, never echoed; typed at a terminal, asked twice."""
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("The same again: ") != password:
            raise click.ClickException("The two passwords do not match; nothing was saved.")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def _programme(slug: str | None) -> Programme:
    """The programme named, or the only one there is."""
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


def _workstreams(codes: tuple[str, ...], slug: str | None) -> tuple[Programme, list[Workstream]]:
    programme = _programme(slug)
    return programme, accounts.workstreams_by_code(codes, programme)


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
    "--programme", "slug", metavar="SLUG", help="Whose workstreams (default: the only one)."
)
PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (otherwise one is generated and shown once).",
)


@users.command("create")
@click.argument("email")
@click.option("--role", type=ROLE, required=True)
@click.option("--name", help="Their name (needed unless a plan already names them).")
@WORKSTREAM
@PROGRAMME
@PASSWORD_STDIN
@with_appcontext
def create_user(
    email: str,
    role: str,
    name: str | None,
    codes: tuple[str, ...],
    slug: str | None,
    password_stdin: bool,
) -> None:
    """Give someone an account."""
    password = _read_password() if password_stdin else accounts.generate_password()
    with _saving():
        led = _workstreams(codes, slug)[1] if codes else []
        user = accounts.create_user(email, role, password, name=name, workstreams=led)
    click.echo(f"Created a {user.role} account for {user.name} <{user.email}>.")
    if led:
        click.echo(f"They lead {_codes(led)}.")
    if not password_stdin:
        _show_temporary_password(user, password)


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE)
@WORKSTREAM
@PROGRAMME
@with_appcontext
def set_role(email: str, role: str, codes: tuple[str, ...], slug: str | None) -> None:
    """Change someone's role; with --workstream, also exactly which workstreams of the
    programme they lead (those of other programmes are kept)."""
    with _saving():
        user = accounts.user_or_error(email)
        accounts.change_account(user, role)
        if codes:
            programme, led = _workstreams(codes, slug)
            accounts.set_led_workstreams_in(user.person, programme, led)
    click.echo(f"{user.name} <{user.email}> is now {user.role}.")
    if codes:
        click.echo(f"They lead {_codes(accounts.led_workstreams(user.person))}.")


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_user(email: str) -> None:
    """Stop someone signing in (signs them out at once); their history stays."""
    with _saving():
        user = accounts.user_or_error(email)
        if user.is_active:
            accounts.deactivate_account(user)
    click.echo(f"{user.name} <{user.email}> can no longer sign in.")


@users.command("reactivate")
@click.argument("email")
@with_appcontext
def reactivate_user(email: str) -> None:
    """Let a deactivated account sign in again."""
    with _saving():
        user = accounts.user_or_error(email)
        accounts.reactivate(user)
    click.echo(f"{user.name} <{user.email}> can sign in again.")


@users.command("reset-password")
@click.argument("email")
@PASSWORD_STDIN
@with_appcontext
def reset_password(email: str, password_stdin: bool) -> None:
    """Set a new password, signing the account out everywhere."""
    password = _read_password() if password_stdin else None
    with _saving():
        user = accounts.user_or_error(email)
        if password is None:
            password = accounts.reset_to_temporary_password(user)
        else:
            accounts.set_password(user, password)
    click.echo(f"The password of {user.email} has been reset.")
    if not password_stdin:
        _show_temporary_password(user, password)


@users.command("list")
@with_appcontext
def list_users() -> None:
    """Every account: email, role, active or not, workstreams led, last sign-in."""
    several = len(list_programmes()) > 1
    for account in accounts.list_accounts():
        user = account.user
        parts = [
            f"{user.role:<5}",
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
    from tracker.services import api_tokens

    with _saving():
        user = accounts.user_or_error(email)
        if not user.is_active:
            raise ValidationError(
                [FieldError("email", f"{user.email} is deactivated: reactivate the account first")]
            )
        made = api_tokens.create_token(user, name)
    click.echo(
        f"API token '{made.record.name}' for {user.name} <{user.email}> ({user.role}) "
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
    from tracker.services import api_tokens

    with _saving():
        user = accounts.user_or_error(email)
        token = api_tokens.token_by_prefix(user, prefix)
        api_tokens.revoke(token)
    click.echo(f"Revoked the API token '{token.name}' ({token.prefix}…) of {user.email}.")


@click.group()
def digest() -> None:
    """The weekly status email."""


@digest.command("send")
@click.option("--week", help="ISO week, like 2022-W14 (default: this week).")
@click.option("--dry-run", is_flag=True, help="Send nothing; print who would get what.")
@click.option("--to", "only", metavar="EMAIL", help="Only this person.")
@click.option("--programme", "slug", metavar="SLUG", help="Only this programme (default: all).")
@with_appcontext
def send_digest(week: str | None, dry_run: bool, only: str | None, slug: str | None) -> None:
    """Send the week's digest to everyone who has not had it yet.

    Safe to run again, and on several servers at once: each person gets each week's digest
    once. Exits non-zero when any delivery failed; the next run retries those.
    """
    from tracker.domain.digest import iso_week_label, parse_iso_week
    from tracker.domain.my_work import week_start
    from tracker.services.digest import send_week

    try:
        monday = parse_iso_week(week) if week is not None else week_start(clock.today())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from exc
    programmes = list_programmes()
    if slug:
        programmes = [p for p in programmes if p.slug == slug]
        if not programmes:
            raise click.BadParameter(f"there is no programme '{slug}'", param_hint="--programme")
    ok = True
    for programme in programmes:
        verb = "Would send" if dry_run else "Sending"
        click.echo(f"{verb} the digest for {programme.name}, week {iso_week_label(monday)}:")
        report = send_week(programme, monday, dry_run=dry_run, only=only, progress=click.echo)
        click.echo(report.summary(dry_run=dry_run))
        ok = ok and report.ok
    if not ok:
        raise click.exceptions.Exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(users)
    app.cli.add_command(digest)
