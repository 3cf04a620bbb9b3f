"""`flask schedule risk --programme SLUG [--iterations N] [--seed S] [--scenario NAME]
[--json]`: the schedule risk analysis of a programme's plan (or of a scenario on it): the
chance of making go-live, P50/P80/P90 and what moves go-live most, as text or JSON
(RiskAnalysis.as_json); for a scenario, as text, a sentence comparing its chance with the
plan's. It works the analysis out at once, however big the plan, and keeps the result for
the pages (services/schedule_risk.py); it changes nothing anyone made."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from tracker.cli.common import OPERATOR
from tracker.domain.scenarios import ScenarioError
from tracker.domain.validation import format_date
from tracker.scheduling.risk_analysis import DEFAULT_ITERATIONS, MAX_ITERATIONS
from tracker.services import programmes, scenarios, schedule_risk

if TYPE_CHECKING:
    from tracker.domain.forecast_effect import Plan
    from tracker.models import Programme

DRIVERS_SHOWN = 5


@click.group()
def schedule() -> None:
    """The programme's schedule: its risk analysis."""


def _scenario_plan(found: Programme, name: str) -> tuple[Plan, str]:
    """A scenario's plan and its key, by the scenario's name (services/scenarios.py): the
    operator sees the shared ones and every member's own."""
    try:
        scenario = scenarios.scenario_by_name(OPERATOR, found, name)
        plan = scenarios.scenario_plan(found, scenario)
    except ScenarioError as exc:
        raise click.BadParameter(str(exc), param_hint="--scenario") from exc
    return plan, f"{scenario.id}.{scenario.version}"


@schedule.command("risk")
@click.option("--programme", "slug", metavar="SLUG", required=True, help="The programme.")
@click.option(
    "--iterations",
    type=click.IntRange(1, MAX_ITERATIONS),
    default=DEFAULT_ITERATIONS,
    show_default=True,
    help="How many times to play the plan out.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, schedule_risk.MAX_SEED),
    default=0,
    show_default=True,
    help="The random numbers' seed: the same seed gives the same answer.",
)
@click.option("--scenario", "scenario_name", metavar="NAME", help="Analyse this scenario.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@with_appcontext
def risk(slug: str, iterations: int, seed: int, scenario_name: str | None, as_json: bool) -> None:
    """The chance of making go-live, P50/P80/P90 and the milestones and risks that move
    go-live most, for the programme at SLUG."""
    found = next((p for p in programmes.list_programmes() if p.slug == slug), None)
    if found is None:
        raise click.BadParameter(f"there is no programme '{slug}'", param_hint="--programme")
    plan, key = _scenario_plan(found, scenario_name) if scenario_name else (None, None)
    outcome = schedule_risk.analysis_for(
        found, iterations=iterations, seed=seed, plan=plan, scenario_key=key, inline=True
    )
    if outcome is None:
        raise click.ClickException(f"{found.name} has no milestones yet: there is no plan.")
    analysis = outcome.analysis
    if analysis is None:
        raise click.ClickException(f"the analysis could not be worked out: {outcome.error}")
    if as_json:
        click.echo(json.dumps(analysis.as_json(), indent=2))
        return
    what = f" (scenario {scenario_name})" if scenario_name else ""
    click.echo(f"{found.name}{what}: schedule risk analysis at {format_date(analysis.today)}")
    click.echo(f"{schedule_risk.chance_sentence(analysis)}")
    click.echo(f"P50: {format_date(analysis.p50)}")
    click.echo(f"P80: {format_date(analysis.p80)}")
    click.echo(f"P90: {format_date(analysis.p90)}")
    click.echo(f"Forecast if everything goes to plan: {format_date(analysis.forecast_go_live)}")
    drivers = schedule_risk.drivers_for_board(analysis, DRIVERS_SHOWN)
    if drivers:
        click.echo("What moves go-live most (working days):")
        for d, label in drivers:
            click.echo(f"  {label}: {d.swing_days:.1f}")
    else:
        click.echo("Nothing uncertain moves go-live.")
    click.echo(f"{analysis.iterations:,} iterations, seed {analysis.seed}.")
    if scenario_name:
        own = schedule_risk.analysis_for(found, iterations=iterations, seed=seed, inline=True)
        if own is not None and own.analysis is not None:
            click.echo(schedule_risk.scenario_sentence(own.analysis, analysis, scenario_name))
