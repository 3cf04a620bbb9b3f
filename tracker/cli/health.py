"""`flask programme health SLUG [--json]`: a programme's plan health report, the checks the
Plan health page shows (tracker/domain/plan_health.py), as text or JSON. It changes nothing."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click
from flask.cli import with_appcontext

from tracker.domain.plan_health import Finding, HealthReport, summary
from tracker.domain.validation import format_date
from tracker.services import plan_health, programmes


def report_dict(report: HealthReport) -> dict[str, Any]:
    """The report as plain data: each check's count, threshold, result and what is behind it."""
    checks = []
    for r in report.results:
        checks.append(
            {
                "key": r.check.key,
                "name": r.check.name,
                "passed": r.passed,
                "count": r.count,
                "population": r.population,
                "share": None if r.share is None else round(r.share, 4),
                "threshold": r.threshold,
                "value": r.value,
                "limit": r.limit,
                "finding": r.finding,
                "refs": list(r.refs),
                "details": [{"refs": list(f.refs), "text": f.text} for f in r.findings],
            }
        )
    return {
        "today": report.today.isoformat(),
        "summary": summary(report),
        "passed": report.passed,
        "checks": checks,
        "thresholds": asdict(report.thresholds),
    }


def finding_line(finding: Finding) -> str:
    """ "GOV-13: no predecessor", "ASU-05 to ASU-06: finish-to-start: a lead of 3 working days"."""
    return f"{' to '.join(finding.refs)}: {finding.text}"


@click.command("health")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def health(slug: str, as_json: bool) -> None:
    """The plan health checks of the programme at SLUG: each check's result, threshold and
    the milestones behind it."""
    found = next((p for p in programmes.list_programmes() if p.slug == slug), None)
    if found is None:
        raise click.BadParameter(f"there is no programme '{slug}'", param_hint="SLUG")
    report = plan_health.report_for(found)
    if report is None:
        raise click.ClickException(
            f"{found.name} has no milestones yet: there is no plan to check."
        )
    if as_json:
        click.echo(json.dumps(report_dict(report), indent=2))
        return
    click.echo(f"{found.name}: plan health at {format_date(report.today)}: {summary(report)}")
    for r in report.results:
        click.echo(f"{'Pass' if r.passed else 'Warning'}: {r.check.name}: {r.value} ({r.limit})")
        click.echo(f"  {r.finding}")
        for f in r.findings:
            click.echo(f"  - {finding_line(f)}")


def register(group: click.Group) -> None:
    """Add `health` to a command group (`flask programme`)."""
    group.add_command(health)
