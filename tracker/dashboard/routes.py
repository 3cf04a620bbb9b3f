from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, get_template_attribute, render_template, request
from markupsafe import Markup

from tracker.clock import today
from tracker.domain import figures
from tracker.domain.risks import CONSEQUENCE_LEVELS, LIKELIHOOD_LEVELS
from tracker.domain.scenarios import ScenarioError
from tracker.form_fields import parse_id
from tracker.security import current_viewer
from tracker.services import board, fragments, go_live_moves, plan_health, risks, schedule_risk
from tracker.services import scenarios as scenario_service
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from tracker.models import Programme

bp = Blueprint("dashboard", __name__, url_prefix="/p/<slug>")
# Rows in the dashboard's overdue and due-soon tables; the milestone list has them all.
TABLE_ROWS = 20
# Where the chance of making go-live goes in the cached board: it is put in on every request,
# as it may still be being worked out when the rest is cached (services/schedule_risk.py).
SCHEDULE_RISK_SLOT = Markup("<!-- schedule risk analysis -->")
# Where the plan beside a scenario (?scenario=ID) goes: it is the reader's, never cached.
SCENARIO_SLOT = Markup("<!-- the plan beside a scenario -->")
# Milestones that move listed in the scenario panel; the scenario's page lists them all.
SCENARIO_MOVED_SHOWN = 5


@bp.get("/")
def show(slug: str) -> str:
    programme = get_programme_or_404(slug)
    board_html = fragments.cached(programme, "dashboard", lambda: _board(programme))
    summary = get_template_attribute("components/schedule-risk.html", "schedule_risk_summary")
    chance = summary(schedule_risk.summary_for(programme), programme)
    scenario_name, panel = _scenario_panel(programme)
    return render_template(
        "dashboard/show.html",
        containerClasses="tracker-wide",
        programme=programme,
        schedule=board.schedule_for(programme),
        scenario_name=scenario_name,
        board_html=board_html.replace(SCHEDULE_RISK_SLOT, chance, 1).replace(
            SCENARIO_SLOT, panel, 1
        ),
    )


def _scenario_panel(programme: Programme) -> tuple[str | None, Markup]:
    """The scenario's name and the panel showing the plan beside it, for ?scenario=ID (404
    unless the reader may see it, as on the scenarios' pages); no name and no panel without."""
    if not request.args.get("scenario"):
        return None, Markup("")
    scenario = scenario_service.scenario_or_404(
        current_viewer(), programme, parse_id(request.args.get("scenario"))
    )
    comparison, problem = None, None
    try:
        comparison = scenario_service.comparison(programme, scenario)
    except ScenarioError as refused:
        problem = str(refused)
    html = render_template(
        "dashboard/_scenario.html",
        programme=programme,
        scenario=scenario,
        c=comparison,
        problem=problem,
        plan_changed=scenario_service.plan_changed_since(programme, scenario),
        shown=SCENARIO_MOVED_SHOWN,
    )
    return scenario.name, Markup(html)  # noqa: S704 (our own template's output)


def _board(programme: Programme) -> str:
    """The dashboard's content, the same for every reader."""
    schedule = board.schedule_for(programme)
    workstreams = board.workstreams(programme)
    context = {}
    if schedule is not None:
        forecast = schedule.forecast
        milestones = list(forecast.milestones.values())
        baseline_due = (
            {m.ref: m.baseline_due for m in schedule.milestones}
            if schedule.baseline_label
            else None
        )
        context = {
            "forecast": forecast,
            "after_go_live_warning": figures.after_go_live_warning(forecast),
            "health": plan_health.report_for(programme),
            "go_live_note": go_live_moves.go_live_day_note(programme),
            "progress": figures.progress(milestones, forecast.today),
            "workstream_figures": figures.workstream_figures(
                [ws.code for ws in workstreams], milestones, forecast.workstream_rags
            ),
            "overdue": figures.overdue(milestones),
            "due_soon": figures.due_soon(milestones, forecast.today),
            "upcoming_key": figures.upcoming_key(milestones, forecast.today),
            "burn_up": figures.burn_up(
                milestones, baseline_due, start=programme.start_date, today=forecast.today
            ),
            "soon_from": forecast.today + timedelta(days=1),
            "soon_to": forecast.today + timedelta(days=figures.DUE_SOON_DAYS),
            "table_rows": TABLE_ROWS,
        }
    return render_template(
        "dashboard/_board.html",
        programme=programme,
        schedule=schedule,
        workstreams=workstreams,
        highlights=board.latest_highlights(programme, today()),
        risks=board.top_risks(programme, today()),
        risk_heatmap=risks.open_risks_heatmap(programme, today()),
        consequence_levels=CONSEQUENCE_LEVELS,
        likelihood_levels=LIKELIHOOD_LEVELS,
        today=today(),
        schedule_risk_slot=SCHEDULE_RISK_SLOT,
        scenario_slot=SCENARIO_SLOT,
        **context,
    )
