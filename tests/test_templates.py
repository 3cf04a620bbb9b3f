"""Programme templates (seed/templates/): each is a plan that schedules, laid onto a go-live
date on working days only, with its critical path and slack; a go-live that leaves too little
time says how many working days short it is."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskCliRunner

from tracker.domain.templates import TemplateError, lay_out, read_template
from tracker.scheduling import WorkingCalendar

TEMPLATES = Path(__file__).resolve().parent.parent / "seed" / "templates"
CALENDAR = WorkingCalendar(date(2020, 1, 1))


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_template_is_a_plan_on_working_days_with_slack_when_go_live_allows(
    path: Path,
) -> None:
    template = read_template(path.stem, load(path))
    assert template.go_live_ref in {m.ref for m in template.milestones}
    assert all(m.source for m in template.milestones), "every milestone names its source"
    # Planned well ahead (a year and a half before go-live), nothing is late.
    plan = lay_out(template, date(2022, 7, 1), CALENDAR, today=date(2021, 1, 4))
    assert len(plan.milestones) == len(template.milestones)
    for m in plan.milestones:
        assert CALENDAR.is_working_day(m.due), (m.ref, m.due)
        assert m.planned_start is None or CALENDAR.is_working_day(m.planned_start), m.ref
        assert m.planned_start is None or m.planned_start <= m.due, m.ref
    assert plan.go_live_float >= 0 and plan.working_days_short == 0
    assert plan.forecast_go_live == plan.go_live == date(2022, 7, 1)
    assert plan.critical_path[-1] == template.go_live_ref


def test_a_go_live_on_a_non_working_day_counts_from_the_working_day_before() -> None:
    template = read_template("ccg-to-icb-2022", load(TEMPLATES / "ccg-to-icb-2022.yaml"))
    # Saturday 2 July 2022: go-live is laid on Friday 1 July.
    plan = lay_out(template, date(2022, 7, 2), CALENDAR, today=date(2021, 1, 4))
    assert plan.go_live == date(2022, 7, 1)
    # Over the Platinum Jubilee: 2 and 3 June 2022 are bank holidays, so nothing lands there.
    assert not {m.due for m in plan.milestones} & {date(2022, 6, 2), date(2022, 6, 3)}


def test_a_go_live_too_soon_says_how_many_working_days_short() -> None:
    template = read_template("ccg-to-icb-2022", load(TEMPLATES / "ccg-to-icb-2022.yaml"))
    plan = lay_out(template, date(2021, 9, 1), CALENDAR, today=date(2021, 6, 1))
    assert plan.working_days_short > 0
    assert plan.forecast_go_live > plan.go_live
    assert CALENDAR.working_days_between(plan.go_live, plan.forecast_go_live) == (
        plan.working_days_short
    )


def test_a_template_with_a_cycle_or_bad_data_is_refused_naming_each_problem() -> None:
    data = load(TEMPLATES / "ccg-to-icb-2022.yaml")
    data["milestones"][0]["predecessors"] = ["GOV-02"]  # GOV-02 already follows GOV-01
    with pytest.raises(TemplateError, match="cycle"):
        lay_out(read_template("t", data), date(2022, 7, 1), CALENDAR, today=date(2021, 1, 4))
    bad = {
        "go_live_ref": "GOV-99",
        "workstreams": [{"code": "GOV", "name": "Governance", "lead_role": ""}],
        "milestones": [
            {"ref": "gov-1", "title": "", "workstream": "XXX", "due": "soon", "source": ""},
            {
                "ref": "GOV-02",
                "title": "x",
                "workstream": "GOV",
                "due": 9999,
                "source": "s",
                "predecessors": ["GOV-77"],
            },
        ],
    }
    with pytest.raises(TemplateError) as refused:
        read_template("bad", bad)
    messages = [str(e) for e in refused.value.errors]
    for expected in (
        "name the usual lead's role",
        "gov-1: the reference must look like GOV-01",
        "gov-1: give the milestone a title",
        "'XXX' is not one of the workstreams",
        "due must be working days from go-live",
        "name the guidance or paper",
        "GOV-77 is not in the template",
        "'GOV-99' must be one of the milestones",
    ):
        assert any(expected in m for m in messages), (expected, messages)


def test_the_cli_lists_the_templates_and_previews_one(app: Flask, runner: FlaskCliRunner) -> None:
    listed = runner.invoke(args=["programme", "templates"])
    assert listed.exit_code == 0, listed.output
    assert "ccg-to-icb-2022: CCG to ICB establishment (2022) (7 workstreams" in listed.output
    shown = runner.invoke(
        args=[
            "programme",
            "preview",
            "--template",
            "ccg-to-icb-2022",
            "--go-live",
            "2022-07-01",
            "--today",
            "2021-01-04",
        ]
    )
    assert shown.exit_code == 0, shown.output
    assert "go-live 1 July 2022" in shown.output and "Critical path: " in shown.output
    assert "GOV-99  1 July 2022  ICB established and the CCG dissolved" in shown.output
    short = runner.invoke(
        args=[
            "programme",
            "preview",
            "--template",
            "ccg-to-icb-2022",
            "--go-live",
            "2021-09-01",
            "--today",
            "2021-06-01",
        ]
    )
    assert "working days too soon for this template" in short.output
    missing = runner.invoke(
        args=["programme", "preview", "--template", "nope", "--go-live", "2022-07-01"]
    )
    assert missing.exit_code != 0 and "there is no such template" in missing.output
