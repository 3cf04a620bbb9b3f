"""`flask plan import-project FILE`: a Microsoft Project plan (.mpp or Project XML) into a
programme (`--programme SLUG`), or a new programme started from it (`--new-programme NAME`).
What it would do is printed first; nothing is stored until confirmed (or `--yes`), and then
in one audited change, as on the import page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from tracker.cli.common import OPERATOR, saving
from tracker.domain.plan_sheets import NEW, UNCHANGED
from tracker.domain.project_data import ProjectData
from tracker.project_files import files
from tracker.services import project_import
from tracker.services.programme_setup import programme_by_slug

if TYPE_CHECKING:
    from tracker.models import Programme


@click.group()
def plan() -> None:
    """A programme's plan in and out of other tools."""


def _show(check: project_import.ProjectCheck) -> None:
    mapped, checked = check.mapped, check.checked
    click.echo(f"{check.filename}: {check.project_name or 'a Microsoft Project plan'}")
    for code, name in mapped.new_workstreams:
        click.echo(f"  new workstream {code}: {name}")
    if checked is not None:
        for kind, items in (("milestone", checked.milestones), ("link", checked.dependencies)):
            new = sum(1 for i in items if i.action == NEW)
            same = sum(1 for i in items if i.action == UNCHANGED)
            click.echo(f"  {kind}s: {new} new, {len(items) - new - same} changed, {same} unchanged")
            for item in items:
                if item.action not in (NEW, UNCHANGED):
                    changes = "; ".join(f"{c.column} {c.old} -> {c.new}" for c in item.changes)
                    click.echo(f"    {item.label}: {changes}")
    for baseline in mapped.baselines:
        click.echo(f"  baseline {baseline.label}: {len(baseline.dates)} milestones")
    if mapped.closures:
        click.echo(f"  closure days: {', '.join(d.isoformat() for d in mapped.closures)}")
    if mapped.unmatched_resources:
        click.echo(f"  resources who are nobody here: {', '.join(mapped.unmatched_resources)}")
    for warning in mapped.warnings:
        click.echo(f"  warning: {warning}")
    for kind, lines in mapped.not_carried.items():
        for line in lines:
            click.echo(f"  not carried over ({kind}): {line}")


@plan.command("import-project")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", "slug", help="The programme to import into, by its address.")
@click.option("--new-programme", "new_name", help="Start a new programme with this name.")
@click.option(
    "--from", "from_organisation", default="", help="New programme: the organisations that close."
)
@click.option("--to", "to_organisation", default="", help="New programme: what it becomes.")
@click.option("--region", default="ENG", show_default=True, help="Bank holidays: ENG WLS SCT NIR.")
@click.option(
    "--owner",
    "owner_email",
    help="Who owns tasks whose resources are nobody here (default: its first admin; for a "
    "new programme --admin, else a 'Programme office' placeholder).",
)
@click.option("--admin", "admin_email", help="New programme: its first admin's email.")
@click.option(
    "--workstream-level",
    type=click.IntRange(1, 9),
    default=1,
    show_default=True,
    help="The outline level whose summary tasks become workstreams.",
)
@click.option("--yes", is_flag=True, help="Import without asking.")
@with_appcontext
def import_project(
    path: Path,
    slug: str | None,
    new_name: str | None,
    from_organisation: str,
    to_organisation: str,
    region: str,
    owner_email: str | None,
    admin_email: str | None,
    workstream_level: int,
    yes: bool,
) -> None:
    """Import a Microsoft Project plan (.mpp, or Project XML from Project's Save as XML)."""
    if bool(slug) == bool(new_name):
        raise click.UsageError("Give one of --programme SLUG or --new-programme NAME.")
    try:
        project = files.read_project(path)
    except files.ProjectFileError as exc:
        click.echo(f"Error: {path.name}: {exc}", err=True)
        raise click.exceptions.Exit(1) from exc
    if new_name:
        spec = project_import.NewFromProject(
            new_name, from_organisation, to_organisation, region.upper()
        )
        if not yes:
            click.confirm(f"Start {new_name} from {path.name}?", abort=True)
        with saving():
            programme, applied = project_import.create_programme_from_project(
                OPERATOR,
                spec,
                project,
                path.name,
                admin_email=admin_email,
                workstream_level=workstream_level,
            )
        click.echo(f"Started {programme.name} at /p/{programme.slug}/: {applied}.")
        return
    assert slug is not None
    into = programme_by_slug(slug)
    if into is None:
        raise click.UsageError(f"There is no programme at /p/{slug}/.")
    _import_into(into, project, path.name, owner_email, workstream_level, yes)


def _import_into(
    programme: Programme,
    project: ProjectData,
    filename: str,
    owner_email: str | None,
    level: int,
    yes: bool,
) -> None:
    with saving():
        check = project_import.check_project_import(
            OPERATOR, programme, project, filename, owner_email=owner_email, workstream_level=level
        )
    if not check.ok:
        for problem in check.problems:
            click.echo(f"Error: {problem}", err=True)
        click.echo("Nothing was imported.", err=True)
        raise click.exceptions.Exit(1)
    _show(check)
    if not check.changes_anything:
        click.echo("The file matches the plan: nothing to import.")
        return
    if not yes:
        click.confirm(f"Import it into {programme.name}?", abort=True)
    with saving():
        done = project_import.confirm_project_import(
            OPERATOR,
            programme,
            project,
            filename,
            previewed=check.fingerprint(),
            owner_email=owner_email,
            workstream_level=level,
        )
    if done.applied is None:
        click.echo("Error: the plan changed while the file was checked: run it again.", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"Imported {filename} into {programme.name}: {done.applied}.")
