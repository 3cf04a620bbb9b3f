"""The schedule risk analysis page and its status for the page's script; the programme's
defaults for it. Any member reads the analysis, of the plan or of a scenario they may see
(`?scenario=ID`, beside the plan's own chance); a programme admin may ask for other
iterations or another seed (GET parameters, as the run changes nothing a person made), and
sets the defaults (403 for everyone else). A big plan is worked out in the background: the
page says so, and schedule-risk.js polls status.json until it is done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.domain.permissions import can_administer_programme, can_run_risk_analysis
from tracker.form_errors import attempt
from tracker.form_fields import parse_id
from tracker.schedule_risk.forms import DefaultsForm
from tracker.scheduling.risk_analysis import DEFAULT_ITERATIONS, UncertaintyDefaults
from tracker.security import current_viewer, require
from tracker.services import scenarios, schedule_risk
from tracker.services.optimistic_locking import EditConflict
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from tracker.domain.forecast_effect import Plan
    from tracker.models import Programme, Scenario
    from tracker.scheduling.risk_analysis import RiskAnalysis

bp = Blueprint("schedule_risk", __name__, url_prefix="/p/<slug>/schedule-risk")

NOT_A_MEMBER = "Only the programme's members see its schedule risk analysis."
CRITICALITY_SHOWN = 20
DRIVERS_SHOWN = 10
STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "blocked": "Blocked"}


def _run_asked(may_change: bool) -> tuple[int, int, dict[str, str], dict[str, str]]:
    """Iterations and seed for this request: an admin's GET parameters, else the defaults;
    with what was typed and what is wrong with it, by field."""
    if not may_change:
        return DEFAULT_ITERATIONS, 0, {}, {}
    typed = {f: request.args.get(f, "")[:20] for f in ("iterations", "seed")}
    iterations, seed, errors = schedule_risk.parse_run(typed)
    return iterations, seed, typed, {e.field: e.message for e in errors}


def _scenario_asked(programme: Programme) -> Scenario | None:
    """The scenario in `?scenario=ID`, when the reader may see it (else 404, as for a
    missing one); None when none is asked for."""
    text = request.args.get("scenario", "").strip()
    if not text:
        return None
    scenario_id = parse_id(text)  # not a number the database can hold: no such scenario
    if scenario_id is None:
        abort(404, description="There is no such scenario in this programme.")
    return scenarios.scenario_or_404(current_viewer(), programme, scenario_id)


@dataclass(frozen=True)
class _Runs:
    """What the page shows: the run of the plan, or of a scenario beside the plan's own
    (`plan_outcome`); `state` is the page's (working while either is)."""

    outcome: schedule_risk.Outcome | None
    plan_outcome: schedule_risk.Outcome | None = None
    scenario: Scenario | None = None
    plan: Plan | None = None  # the scenario's

    @property
    def state(self) -> str | None:
        if self.outcome is None:
            return None
        if self.outcome.state != "done":
            return self.outcome.state
        if self.plan_outcome is not None and self.plan_outcome.state == "working":
            return "working"
        return "done"

    @property
    def working(self) -> schedule_risk.Outcome | None:
        """The run still being worked out, whose progress the page shows."""
        for o in (self.outcome, self.plan_outcome):
            if o is not None and o.state == "working":
                return o
        return None

    def status_json(self) -> dict[str, Any]:
        if self.outcome is None:
            return {"state": "failed", "message": "This programme has no milestones yet."}
        shown = self.working or self.outcome
        return {**shown.status_json(), "state": self.state}


def _runs(
    programme: Programme, scenario: Scenario | None, iterations: int, seed: int, wait: bool
) -> _Runs:
    """The plan's run, or the scenario's beside the plan's; never waiting when `wait` is
    False (status.json)."""

    def run(plan: Plan | None = None, key: str | None = None) -> schedule_risk.Outcome | None:
        if not wait:
            return schedule_risk.status_for(
                programme, iterations=iterations, seed=seed, plan=plan, scenario_key=key
            )
        return schedule_risk.analysis_for(
            programme, iterations=iterations, seed=seed, plan=plan, scenario_key=key
        )

    own = run()
    if scenario is None:
        return _Runs(own)
    if own is None:  # no plan, so no scenario of it either
        return _Runs(None)
    try:
        plan = scenarios.scenario_plan(programme, scenario)
    except ValueError as exc:  # ScenarioError (an edit that no longer applies), ScheduleError
        failed = schedule_risk.Outcome(
            "", iterations, seed, error=f"The scenario's changes no longer apply: {exc}"
        )
        return _Runs(failed, own, scenario)
    found = run(plan, f"{scenario.id}.{scenario.version}")
    return _Runs(found, own, scenario, plan)


@bp.get("")
def show(slug: str) -> str:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_run_risk_analysis(viewer, programme.id), NOT_A_MEMBER)
    may_change = can_administer_programme(viewer, programme.id)
    iterations, seed, typed, errors = _run_asked(may_change)
    scenario = _scenario_asked(programme)
    runs = _runs(programme, scenario, iterations, seed, wait=True)
    outcome = runs.outcome
    analysis = outcome.analysis if outcome and runs.state == "done" else None
    plan_analysis = runs.plan_outcome.analysis if runs.plan_outcome else None
    run_args: dict[str, Any] = (
        {}
        if (iterations, seed) == (DEFAULT_ITERATIONS, 0)
        else {
            "iterations": iterations,
            "seed": seed,
        }
    )
    if scenario is not None:
        run_args["scenario"] = scenario.id
    titles = (
        {m.ref: m.title for m in runs.plan.milestones}
        if runs.plan is not None
        else schedule_risk.milestone_titles(programme)
    )
    defaults = schedule_risk.defaults_of(programme)
    return render_template(
        "schedule_risk/show.html",
        programme=programme,
        outcome=outcome,
        state=runs.state,
        analysis=analysis,
        scenario=scenario,
        plan_analysis=plan_analysis if scenario is not None else None,
        comparison=(
            schedule_risk.scenario_sentence(plan_analysis, analysis, scenario.name)
            if scenario is not None and analysis and plan_analysis
            else None
        ),
        scenario_choices=scenarios.scenarios_for(viewer, programme),
        charts=_charts(analysis) if analysis else None,
        drivers=schedule_risk.drivers_for_board(analysis, DRIVERS_SHOWN) if analysis else [],
        criticality=_criticality(titles, analysis) if analysis else [],
        percent=schedule_risk.percent,
        progress=schedule_risk.progress_message(runs.working) if runs.working else None,
        chance=schedule_risk.chance_sentence(analysis) if analysis else None,
        may_change=may_change,
        typed=typed,
        errors=errors,
        status_url=url_for("schedule_risk.status", slug=slug, **run_args),
        reload_url=url_for("schedule_risk.show", slug=slug, **run_args),
        default_iterations=DEFAULT_ITERATIONS,
        iterations=iterations,
        seed=seed,
        defaults_rows=_defaults_rows(defaults),
        own_defaults=defaults != UncertaintyDefaults(),
    )


@bp.get("/status.json")
def status(slug: str) -> Response:
    programme = get_programme_or_404(slug)
    viewer = current_viewer()
    require(can_run_risk_analysis(viewer, programme.id), NOT_A_MEMBER)
    iterations, seed, _, _ = _run_asked(can_administer_programme(viewer, programme.id))
    scenario = _scenario_asked(programme)
    runs = _runs(programme, scenario, iterations, seed, wait=False)
    return jsonify(runs.status_json())


def _programme_to_administer(slug: str) -> Programme:
    programme = get_programme_or_404(slug)
    require(can_administer_programme(current_viewer(), programme.id), schedule_risk.ONLY_ITS_ADMINS)
    return programme


@bp.route("/defaults", methods=["GET", "POST"])
def defaults(slug: str) -> str | Response:
    programme = _programme_to_administer(slug)
    form = DefaultsForm()
    conflict: EditConflict | None = None
    if request.method == "GET":
        form.fill(schedule_risk.defaults_of(programme))
        form.open()
    else:
        values = form.values()
        said = (
            "The schedule risk analysis defaults are back to the tracker's."
            if values is None
            else "Saved the schedule risk analysis defaults."
        )
        done = attempt(
            form,
            lambda: schedule_risk.change_defaults(current_viewer(), programme, form.seen(), values),
        )
        if done.saved:
            flash(said, "success")
            return redirect(url_for("schedule_risk.show", slug=slug))
        conflict = done.conflict
    domain = UncertaintyDefaults()
    return render_template(
        "schedule_risk/defaults.html",
        programme=programme,
        form=form,
        conflict=conflict,
        statuses=STATUS_LABELS,
        domain=schedule_risk.default_values(domain),
        field=schedule_risk.default_field,
        ranges=schedule_risk.DEFAULT_RANGES,
    )


def _defaults_rows(defaults: UncertaintyDefaults) -> list[tuple[str, str, str]]:
    """(status, point milestones, activities) in words, for the page's table."""
    return [
        (
            label,
            schedule_risk.three_point_words(getattr(defaults, status).point_slip, "point"),
            schedule_risk.three_point_words(getattr(defaults, status).activity_percent, "activity"),
        )
        for status, label in STATUS_LABELS.items()
    ]


def _criticality(titles: dict[str, str], analysis: RiskAnalysis) -> list[tuple[str, str, int]]:
    """The milestones most often on the path driving go-live: (ref, title, percent), with
    their titles by ref."""
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
