"""The JSON API's endpoints. Reads for everyone with a token; completing a milestone and
setting a forecast for those the pages allow (tracker/domain/permissions.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from tracker.api import auth, errors, openapi, params, queries, represent
from tracker.api.errors import ApiError
from tracker.clock import today
from tracker.domain.board import MilestoneFilter
from tracker.domain.permissions import can_update_progress
from tracker.domain.risks import DEFAULT_BANDS, Band, parse_bands
from tracker.domain.terms import MilestoneStatus, Rag, RiskStatus, values
from tracker.extensions import csrf, db
from tracker.models import Milestone, Programme
from tracker.scheduling import MilestoneForecast
from tracker.security import current_viewer
from tracker.services import board, progress
from tracker.services.editing import ensure_current
from tracker.services.programmes import get_programme_or_404, workstream_summaries
from tracker.services.schedule import ProgrammeSchedule

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, never the session cookie, authenticate API calls; so no CSRF token is needed.
csrf.exempt(bp)
auth.init_blueprint(bp)
errors.register(bp)


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document())


# --- reading ------------------------------------------------------------------------------


@bp.get("/programmes")
def programmes() -> Response:
    return jsonify(queries.programmes().as_json(represent.programme))


@bp.get("/programmes/<slug>")
def programme(slug: str) -> Response:
    found = get_programme_or_404(slug)
    return jsonify(represent.programme_detail(found, board.schedule_for(found)))


@bp.get("/programmes/<slug>/workstreams")
def workstreams(slug: str) -> Response:
    found = get_programme_or_404(slug)
    schedule = board.schedule_for(found)
    rags = schedule.forecast.workstream_rags if schedule is not None else {}
    page = params.paginate(workstream_summaries(found))
    return jsonify(page.as_json(lambda s: represent.workstream(s, rags.get(s.workstream.code))))


def _codes(programme: Programme) -> list[str]:
    return [ws.code for ws in board.workstreams(programme)]


def _milestone_json(
    programme: Programme, schedule: ProgrammeSchedule, forecasts: list[MilestoneForecast]
) -> list[dict[str, Any]]:
    rows = queries.milestones_by_ref(programme, (m.ref for m in forecasts))
    planned = schedule.planned()
    return [represent.milestone(rows[m.ref], m, planned.get(m.ref)) for m in forecasts]


@bp.get("/programmes/<slug>/milestones")
def milestones(slug: str) -> Response:
    found = get_programme_or_404(slug)
    workstream = params.code("workstream", _codes(found), "workstream")
    selection = MilestoneFilter(
        workstreams=frozenset([workstream]) if workstream else None,
        status=params.choice("status", values(MilestoneStatus)),
        rag=params.choice("rag", values(Rag)),
        critical=params.flag("critical"),
        key=params.flag("key"),
        overdue=params.flag("overdue"),
    )
    schedule = board.schedule_for(found)
    if schedule is None:  # no milestones yet
        return jsonify(params.paginate([]).envelope([]))
    # In the schedule's order (workstream, then due date), which is stable page to page.
    page = params.paginate(
        [m for m in schedule.forecast.milestones.values() if selection.matches(m)]
    )
    return jsonify(page.envelope(_milestone_json(found, schedule, page.items)))


def _milestone(slug: str, ref: str) -> tuple[Programme, Milestone, ProgrammeSchedule]:
    found = get_programme_or_404(slug)
    milestone = board.milestone_or_404(found, ref)
    schedule = board.schedule_for(found)
    assert schedule is not None  # it has at least this milestone
    return found, milestone, schedule


@bp.get("/programmes/<slug>/milestones/<ref>")
def milestone(slug: str, ref: str) -> Response:
    _, row, schedule = _milestone(slug, ref)
    forecast = schedule.forecast.milestones[row.ref]
    return jsonify(represent.milestone_detail(row, forecast, schedule))


@bp.get("/programmes/<slug>/dependencies")
def dependencies(slug: str) -> Response:
    found = get_programme_or_404(slug)
    return jsonify(queries.dependencies(found).as_json(lambda row: represent.dependency(*row)))


@bp.get("/programmes/<slug>/risks")
def risks(slug: str) -> Response:
    found = get_programme_or_404(slug)
    page = queries.risks(
        found,
        status=params.choice("status", values(RiskStatus)),
        workstream_code=params.code("workstream", _codes(found), "workstream"),
    )
    day, bands = today(), _risk_bands()
    return jsonify(page.as_json(lambda r: represent.risk(r, day, bands)))


def _risk_bands() -> tuple[Band, ...]:
    """The score bands the risk pages use (RISK_BANDS), so both name a score alike."""
    configured = current_app.config.get("RISK_BANDS")
    return parse_bands(configured) if configured else DEFAULT_BANDS


@bp.get("/programmes/<slug>/status-updates")
def status_updates(slug: str) -> Response:
    found = get_programme_or_404(slug)
    page = queries.status_updates(
        found, today(), params.code("workstream", _codes(found), "workstream")
    )
    return jsonify(page.as_json(represent.status_update))


# --- changing -----------------------------------------------------------------------------


def _progress_change(slug: str, ref: str, fields: list[str]) -> tuple[Milestone, dict[str, Any]]:
    """The milestone to change and the body, once the caller may change it and the version
    they read is still current."""
    programme = get_programme_or_404(slug)
    milestone = board.milestone_or_404(programme, ref)
    if not can_update_progress(current_viewer(), milestone.workstream_id):
        raise ApiError(
            403,
            f"Your role does not allow changing {milestone.ref}: only the programme office "
            "and the leads of its workstream may.",
        )
    body = params.json_body([*fields, "version"])
    submitted = params.version(body)
    if submitted is not None:
        ensure_current("Milestone", milestone.id, milestone.version, submitted, None)
    return milestone, body


def _saved(slug: str, ref: str) -> Response:
    db.session.commit()
    _, row, schedule = _milestone(slug, ref)
    return jsonify(represent.milestone_detail(row, schedule.forecast.milestones[row.ref], schedule))


@bp.post("/programmes/<slug>/milestones/<ref>/complete")
def complete(slug: str, ref: str) -> Response:
    milestone, body = _progress_change(slug, ref, ["completed_on", "evidence_text", "evidence_url"])
    day = today()
    progress.complete(
        milestone,
        completed_on=params.iso_date(body, "completed_on", day),
        evidence_text=params.text(body, "evidence_text", params.TEXT_LIMIT),
        evidence_url=params.text(body, "evidence_url", params.URL_LIMIT),
        by_person_id=auth.api_user().person_id,
        today=day,
    )
    return _saved(slug, ref)


@bp.post("/programmes/<slug>/milestones/<ref>/forecast")
def forecast(slug: str, ref: str) -> Response:
    milestone, body = _progress_change(slug, ref, ["forecast_date", "reason"])
    day = today()
    # The service names the stored field; the client sent "reason".
    with errors.fields_renamed({"forecast_reason": "reason"}):
        progress.set_forecast(
            milestone,
            forecast_date=params.iso_date(body, "forecast_date", day),
            reason=params.text(body, "reason", params.TEXT_LIMIT),
            today=day,
        )
        return _saved(slug, ref)
