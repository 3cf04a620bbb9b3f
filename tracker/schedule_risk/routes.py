"""The schedule risk analysis page and its status for the page's script. Any member reads
them; a programme admin may ask for other iterations or another seed (GET parameters, as
the run changes nothing a person made). A big plan is worked out in the background: the page
says so, and schedule-risk.js polls status.json until it is done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from tracker.domain.permissions import can_administer_programme, can_run_risk_analysis
from tracker.scheduling.risk_analysis import DEFAULT_ITERATIONS
from tracker.security import current_viewer, require
from tracker.services import schedule_risk
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from tracker.models import Programme
    from tracker.scheduling.risk_analysis import RiskAnalysis

bp = Blueprint("schedule_risk", __name__, url_prefix="/p/<slug>/schedule-risk")

NOT_A_MEMBER = "Only the programme's members see its schedule risk analysis."
CRITICALITY_SHOWN = 20
DRIVERS_SHOWN = 10


def _run_asked(may_change: bool) -> tuple[int, int, dict[str, str], dict[str, str]]:
    """Iterations and seed for this request: an admin's GET parameters, else the defaults;
    with what was typed and what is wrong with it, by field."""
    if not may_change:
        return DEFAULT_ITERATIONS, 0, {}, {}
    typed = {f: request.args.get(f, "")[:20] for f in ("iterations", "seed")}
    iterations, seed, errors = schedule_risk.parse_run(typed)
    return iterations, seed, typed, {e.field: e.message for e in errors}


@bp.get("")
def show(slug: str) -> str:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_run_risk_analysis(viewer, programme.id), NOT_A_MEMBER)
    may_change = can_administer_programme(viewer, programme.id)
    iterations, seed, typed, errors = _run_asked(may_change)
    outcome = schedule_risk.analysis_for(programme, iterations=iterations, seed=seed)
    analysis = outcome.analysis if outcome else None
    run_args: dict[str, Any] = (
        {}
        if (iterations, seed) == (DEFAULT_ITERATIONS, 0)
        else {
            "iterations": iterations,
            "seed": seed,
        }
    )
    return render_template(
        "schedule_risk/show.html",
        programme=programme,
        outcome=outcome,
        analysis=analysis,
        charts=_charts(analysis) if analysis else None,
        drivers=schedule_risk.drivers_for_board(analysis, DRIVERS_SHOWN) if analysis else [],
        criticality=_criticality(programme, analysis) if analysis else [],
        percent=schedule_risk.percent,
        progress=schedule_risk.progress_message(outcome) if outcome else None,
        chance=schedule_risk.chance_sentence(analysis) if analysis else None,
        may_change=may_change,
        typed=typed,
        errors=errors,
        status_url=url_for("schedule_risk.status", slug=slug, **run_args),
        reload_url=url_for("schedule_risk.show", slug=slug, **run_args),
        default_iterations=DEFAULT_ITERATIONS,
    )


@bp.get("/status.json")
def status(slug: str) -> Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_run_risk_analysis(viewer, programme.id), NOT_A_MEMBER)
    iterations, seed, _, _ = _run_asked(can_administer_programme(viewer, programme.id))
    outcome = schedule_risk.status_for(programme, iterations=iterations, seed=seed)
    if outcome is None:
        return jsonify({"state": "failed", "message": "This programme has no milestones yet."})
    return jsonify(outcome.status_json())


def _criticality(programme: Programme, analysis: RiskAnalysis) -> list[tuple[str, str, int]]:
    """The milestones most often on the path driving go-live: (ref, title, percent)."""
    titles = schedule_risk.milestone_titles(programme)
    ranked = sorted(
        ((ref, share) for ref, share in analysis.criticality.items() if share > 0),
        key=lambda item: (-item[1], item[0]),
    )[:CRITICALITY_SHOWN]
    return [(ref, titles.get(ref, ""), schedule_risk.percent(share)) for ref, share in ranked]


def _charts(analysis: RiskAnalysis) -> dict[str, Any]:
    """What schedule-risk.js draws, as JSON in the page (no inline script: CSP)."""
    return {
        "histogram": {
            "x": [d.isoformat() for d, _ in analysis.histogram],
            "y": [c for _, c in analysis.histogram],
        },
        "s_curve": {
            "x": [d.isoformat() for d, _ in analysis.s_curve],
            "y": [round(s * 100, 2) for _, s in analysis.s_curve],
        },
        "target": analysis.go_live_target.isoformat(),
        "forecast": analysis.forecast_go_live.isoformat(),
        "p80": analysis.p80.isoformat(),
        "drivers": [
            {"label": label, "days": round(d.swing_days or 0.0, 1), "kind": d.kind}
            for d, label in schedule_risk.drivers_for_board(analysis, DRIVERS_SHOWN)
        ],
    }
