"""`flask seed` and `flask seed synthetic`: load the seed programme(s), or generate
synthetic ones for benchmarks. Each programme is one unit of work in
tracker/services/loading.py, audited as made by "seed"."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import clock
from tracker.audit import Actor, acting_as
from tracker.cli.common import OPERATOR
from tracker.services import loading
from tracker.services.programmes import list_programmes
from tracker.services.seed_files import SeedError, programme_dirs
from tracker.services.synthetic import MAX_MILESTONES
from tracker.services.unit_of_work import ChangeRefused


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
                report = loading.load_seed(OPERATOR, path, reset=reset, password=password)
        except (SeedError, ChangeRefused) as exc:
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
    existing = {p.slug for p in list_programmes()}
    for k in range(1, programmes + 1):
        slug = f"synthetic-{k}"
        if slug in existing:
            click.echo(f"{slug} already exists; skipped.")
            continue
        click.echo(f"Generating {slug}: {milestones:,} milestones as at {day.isoformat()} ...")
        began = time.perf_counter()
        with acting_as(Actor("seed")):
            report = loading.load_synthetic(
                OPERATOR,
                slug=slug,
                milestones=milestones,
                today=day,
                seed=seed_ + k - 1,
                links_per_milestone=links_per_milestone,
                password=password,
            )
        made += 1
        counts = ", ".join(f"{n:,} {what}" for what, n in report.counts().items() if n)
        click.echo(f"  {report.name}: {counts} ({time.perf_counter() - began:.1f} s).")
        if show_password and report.account_list:
            click.echo(f"  Sign in with any of these accounts; the password is '{password}':")
            for email, role, name in report.account_list:
                click.echo(f"    {role:<6} {email}  ({name})")
    click.echo(
        f"Created {made} of {programmes} programme(s) in {time.perf_counter() - started:.1f} s."
    )
