"""`flask programme`: the templates a new programme starts from (`templates`, `preview`),
starting one (`new`: the preview first, then one audited change once confirmed), and saving a
programme as a template (`save-template`)."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import with_appcontext

from tracker import clock
from tracker.cli.common import OPERATOR, saving
from tracker.domain.templates import (
    SAVED_PREFIX,
    NewProgramme,
    TemplateError,
    TemplatePlan,
    headline,
    slug_for,
)
from tracker.domain.validation import format_date
from tracker.services import programme_setup, templates


@click.group()
def programme() -> None:
    """Programme templates: list them, preview one on a go-live date, start a programme from
    one, save a programme as one."""


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


def _show(plan: TemplatePlan, go_live: date) -> None:
    """Every milestone on its date, the critical path, and the slack or how far short."""
    click.echo(f"{plan.template.name}: go-live {format_date(plan.go_live)}")
    for m in plan.milestones:
        when = format_date(m.due)
        if m.planned_start is not None:
            when = f"{format_date(m.planned_start)} to {when}"
        flag = " (critical)" if m.critical else ""
        click.echo(f"  {m.ref}  {when}  {m.title}{flag}")
    click.echo(f"Critical path: {' -> '.join(plan.critical_path)}")
    line = f"{headline(plan, go_live)}."
    if plan.working_days_short:
        line += f" The plan reaches go-live on {format_date(plan.forecast_go_live)}."
    click.echo(line)


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
    _show(plan, go_live)


@programme.command("new")
@click.option("--template", "slug", required=True, help="A template's name, as `templates` lists.")
@click.option("--name", required=True, help="The programme's name; its address comes from it.")
@click.option("--from", "from_organisation", required=True, help="The organisations that close.")
@click.option("--to", "to_organisation", required=True, help="The organisation it becomes.")
@click.option("--go-live", required=True, callback=_date, help="The legal date, like 2027-04-01.")
@click.option(
    "--region", default="ENG", show_default=True, help="Bank holidays: ENG, WLS, SCT, NIR."
)
@click.option("--admin", "admin_email", help="Email of its first admin, who owns the milestones.")
@click.option("--today", callback=_date, help="Plan from this day (default: today).")
@click.option("--yes", is_flag=True, help="Create it without asking.")
@with_appcontext
def new(
    slug: str,
    name: str,
    from_organisation: str,
    to_organisation: str,
    go_live: date,
    region: str,
    admin_email: str | None,
    today: date | None,
    yes: bool,
) -> None:
    """Start a programme from a template: the preview first, then, once confirmed, the
    programme with its workstreams, milestones, links and first baseline, in one change."""
    spec = NewProgramme(slug, name, from_organisation, to_organisation, go_live, region.upper())
    today = today or clock.today()
    shown = programme_setup.preview_new(spec, today=today)
    if shown.errors or shown.plan is None:
        for error in shown.errors:
            click.echo(f"Error: {error.field}: {error.message}", err=True)
        raise click.exceptions.Exit(1)
    _show(shown.plan, go_live)
    if not yes:
        question = "Create it anyway?" if shown.plan.working_days_short else "Create it?"
        click.confirm(f"{question} {name} at /p/{shown.slug}/", abort=True)
    with saving():
        programme_setup.create_from_template(OPERATOR, spec, today=today, admin_email=admin_email)
    click.echo(f"Created {name.strip()}: /p/{shown.slug}/")
    if not admin_email:
        click.echo(
            "Its milestones are owned by the placeholder 'Programme office' until an admin "
            "hands them out (appoint one with --admin next time, or on its people page)."
        )


@programme.command("save-template")
@click.argument("slug")
@click.option("--name", required=True, help="The template's name, as the templates list it.")
@click.option("--description", default="", help="What it is for (default: where it came from).")
@with_appcontext
def save_template(slug: str, name: str, description: str) -> None:
    """Save a programme's workstreams, milestones and links as a template."""
    found = programme_setup.programme_by_slug(slug)
    if found is None:
        raise click.ClickException(f"There is no programme called '{slug}'")
    size, key = programme_setup.plan_size(found), SAVED_PREFIX + slug_for(name)
    with saving():
        programme_setup.save_as_template(OPERATOR, found, name, description=description)
    click.echo(
        f"Saved {found.name} as the template {key}: {size.workstreams} workstreams, "
        f"{size.milestones} milestones, {size.links} links."
    )
