"""Command-line work: `flask --app wsgi seed ...` (users and digest come later)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from tracker.audit import Actor, acting_as
from tracker.domain.validation import ValidationError
from tracker.services.seeding import SeedError, load_programme_dir, programme_dirs


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


def register(app: Flask) -> None:
    app.cli.add_command(seed)
