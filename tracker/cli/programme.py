"""`flask programme templates` and `flask programme preview`: the templates a new programme
starts from, and what one would look like laid onto a go-live date. Both only read."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import with_appcontext

from tracker import clock
from tracker.domain.templates import TemplateError
from tracker.domain.validation import format_date
from tracker.services import templates


@click.group()
def programme() -> None:
    """Programme templates: list them, preview one on a go-live date."""


@programme.command("templates")
@with_appcontext
def list_templates() -> None:
    """Every template: its name, and how many workstreams and milestones it holds."""
    try:
        found = templates.list_templates()
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from exc
    for template in found:
        click.echo(
            f"{template.slug}: {template.name} ({len(template.workstreams)} workstreams, "
            f"{len(template.milestones)} milestones)"
        )


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2027-04-01") from None


@programme.command("preview")
@click.option("--template", "slug", required=True, help="A template's name, as `templates` lists.")
@click.option("--go-live", required=True, callback=_date, help="The legal date, like 2027-04-01.")
@click.option("--today", callback=_date, help="Plan from this day (default: today).")
@with_appcontext
def preview(slug: str, go_live: date, today: date | None) -> None:
    """Every milestone on its working-day date, the critical path and the slack to go-live."""
    try:
        plan = templates.preview(slug, go_live, today=today or clock.today())
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{plan.template.name}: go-live {format_date(plan.go_live)}")
    for m in plan.milestones:
        when = format_date(m.due)
        if m.planned_start is not None:
            when = f"{format_date(m.planned_start)} to {when}"
        flag = " (critical)" if m.critical else ""
        click.echo(f"  {m.ref}  {when}  {m.title}{flag}")
    click.echo(f"Critical path: {' -> '.join(plan.critical_path)}")
    if plan.working_days_short:
        click.echo(
            f"Go-live {format_date(plan.go_live)} leaves {_days(plan.working_days_short)} "
            f"too few: the plan reaches it on {format_date(plan.forecast_go_live)}."
        )
    else:
        click.echo(f"Slack to go-live: {_days(plan.go_live_float)}.")


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"
