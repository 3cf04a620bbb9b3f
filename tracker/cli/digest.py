"""`flask digest send`: the weekly status email."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker import clock
from tracker.services.programmes import list_programmes


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
    from tracker.domain.validation import check_date_in_window
    from tracker.services.digest_delivery import send_week

    try:
        monday = parse_iso_week(week) if week is not None else week_start(clock.today())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from exc
    for error in check_date_in_window("week", monday, what="week beginning"):
        raise click.BadParameter(error.message, param_hint="--week")
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
