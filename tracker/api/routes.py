"""The JSON API's endpoints. Reads for everyone with a token; completing a milestone, setting
a forecast and changing a milestone's dates for those the pages allow
(tracker/domain/permissions.py). A forecast or a change of dates sent with `?dry_run=true` is
checked in full and saved not at all: the answer is what it would do to the schedule.

Each endpoint names its schemas (tracker/api/schemas.py) once: `@bp.arguments` reads the
request with them, `@bp.response` dumps the answer with them, and the OpenAPI document
(tracker/api/openapi.py) is written from the same decorators.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

import flask_smorest
from flask import Response, current_app, jsonify

from tracker.api import auth, errors, openapi, parsing, represent, schemas
from tracker.api.errors import ApiError
from tracker.clock import today
from tracker.domain.figures import MilestoneFilter
from tracker.domain.forecast_effect import Effect
from tracker.domain.permissions import can_edit_plan, can_update_progress
from tracker.domain.risks import DEFAULT_BANDS, Band, parse_bands
from tracker.security import current_viewer
from tracker.services import api_reads, board, plan_edits, progress
from tracker.services.forecast_effect import edit_effect, forecast_effect
from tracker.services.optimistic_locking import Seen
from tracker.services.plan import MilestonePlan
from tracker.services.programmes import get_programme_or_404, workstream_summaries
from tracker.services.unit_of_work import rehearsal

if TYPE_CHECKING:
    from tracker.models import Programme

F = TypeVar("F", bound=Callable[..., Any])


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = parsing.Parser()


bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, never the session cookie, authenticate API calls; so no CSRF token is needed
# (tracker/__init__.py exempts the blueprint).
auth.init_blueprint(bp)
errors.register(bp)

SLUG = {
    "in": "path",
    "name": "slug",
    "description": "The programme, as in its page addresses (/p/<slug>/).",
    "example": "kent-and-medway",
}
REF = {
    "in": "path",
    "name": "ref",
    "description": "The milestone's reference (any case).",
    "example": "PEO-09",
}


def fails_with(*statuses: int) -> Callable[[F], F]:
    """Document the error answers an endpoint may give (openapi.ERROR_DESCRIPTIONS)."""

    def decorate(view: F) -> F:
        for status in statuses:
            view = bp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorate


def operation(operation_id: str, summary: str, description: str = "") -> Callable[[F], F]:
    doc: Callable[[F], F] = bp.doc(
        operationId=operation_id, summary=summary, description=description or summary
    )
    return doc


@bp.route("/openapi.json", tags=["API"])
@bp.doc(
    operationId="getOpenApiDocument",
    summary="This document",
    description="Open to anyone, without a token.",
    security=[],
)
@bp.response(200, {"type": "object"}, description="The OpenAPI document.")
def openapi_document() -> Response:
    return jsonify(openapi.document())


# --- reading ------------------------------------------------------------------------------


@bp.route("/programmes", tags=["Programmes"])
@operation("listProgrammes", "Programmes", "Every programme, by name.")
@bp.response(200, schemas.ProgrammeList, description="Programmes")
@fails_with(401)
@bp.arguments(schemas.PageQuery, location="query")
def programmes(query: dict[str, Any]) -> dict[str, Any]:
    page = api_reads.programmes(current_viewer(), query["page"], query["per_page"])
    return parsing.listing(page, [represent.Programme(p) for p in page.items])


@bp.route("/programmes/<slug>", tags=["Programmes"], parameters=[SLUG])
@operation(
    "getProgramme",
    "A programme and its schedule",
    "The programme with the schedule's answers: forecast go-live, float, status.",
)
@bp.response(200, schemas.ProgrammeDetail, description="A programme and its schedule")
@fails_with(401, 404)
def programme(slug: str) -> represent.Programme:
    found = get_programme_or_404(slug)
    return represent.Programme(found, board.schedule_for(found))


@bp.route("/programmes/<slug>/workstreams", tags=["Programmes"], parameters=[SLUG])
@operation(
    "listWorkstreams",
    "Workstreams",
    "The programme's workstreams in their order, with leads, RAG and counts.",
)
@bp.response(200, schemas.WorkstreamList, description="Workstreams")
@fails_with(401, 404)
@bp.arguments(schemas.PageQuery, location="query")
def workstreams(query: dict[str, Any], slug: str) -> dict[str, Any]:
    found = get_programme_or_404(slug)
    schedule = board.schedule_for(found)
    rags = schedule.forecast.workstream_rags if schedule is not None else {}
    page = api_reads.page_of_list(workstream_summaries(found), query["page"], query["per_page"])
    return parsing.listing(
        page, [represent.Workstream(s, rags.get(s.workstream.code)) for s in page.items]
    )


def _workstream_code(programme: Programme, raw: str | None) -> str | None:
    """The workstream a list is narrowed to, upper-cased; 400 if the programme has none such."""
    if raw is None:
        return None
    known = [ws.code for ws in board.workstreams(programme, include_retired=True)]
    wanted = raw.strip().upper()
    if wanted not in known:
        raise ApiError(
            400,
            f"There is no workstream '{raw}': one of {', '.join(known) or 'none'}",
            "workstream",
        )
    return wanted


@bp.route("/programmes/<slug>/milestones", tags=["Milestones"], parameters=[SLUG])
@operation(
    "listMilestones",
    "Milestones with their schedule figures",
    "In workstream order, then by due date. Filters combine (AND).",
)
@bp.response(200, schemas.MilestoneList, description="Milestones with their schedule figures")
@fails_with(401, 404)
@bp.arguments(schemas.MilestoneQuery, location="query")
def milestones(query: dict[str, Any], slug: str) -> dict[str, Any]:
    found = get_programme_or_404(slug)
    workstream = _workstream_code(found, query.get("workstream"))
    selection = MilestoneFilter(
        workstreams=frozenset([workstream]) if workstream else None,
        status=query.get("status"),
        rag=query.get("rag"),
        critical=query["critical"],
        key=query["key"],
        overdue=query["overdue"],
    )
    schedule = board.schedule_for(found)
    if schedule is None:  # no milestones yet
        return parsing.listing(api_reads.page_of_list([], query["page"], query["per_page"]))
    # In the schedule's order (workstream, then due date), which is stable page to page.
    page = api_reads.page_of_list(
        [m for m in schedule.forecast.milestones.values() if selection.matches(m)],
        query["page"],
        query["per_page"],
    )
    rows = api_reads.milestones_by_ref(found, (m.ref for m in page.items))
    planned = schedule.planned()
    return parsing.listing(
        page, [represent.Milestone(rows[m.ref], m, planned.get(m.ref)) for m in page.items]
    )


def _detail(slug: str, ref: str) -> represent.Milestone:
    found = get_programme_or_404(slug)
    row = board.milestone_or_404(found, ref)
    schedule = board.schedule_for(found)
    assert schedule is not None  # it has at least this milestone
    return represent.Milestone.detail(row, schedule)


@bp.route("/programmes/<slug>/milestones/<ref>", tags=["Milestones"], parameters=[SLUG, REF])
@operation(
    "getMilestone",
    "A milestone",
    "With its links both ways and why the schedule forecasts what it does.",
)
@bp.response(200, schemas.MilestoneDetail, description="A milestone")
@fails_with(401, 404)
def milestone(slug: str, ref: str) -> represent.Milestone:
    return _detail(slug, ref)


@bp.route("/programmes/<slug>/dependencies", tags=["Milestones"], parameters=[SLUG])
@operation("listDependencies", "Dependencies", "Every link between milestones, oldest first.")
@bp.response(200, schemas.DependencyList, description="Dependencies")
@fails_with(401, 404)
@bp.arguments(schemas.PageQuery, location="query")
def dependencies(query: dict[str, Any], slug: str) -> dict[str, Any]:
    found = get_programme_or_404(slug)
    return parsing.listing(api_reads.dependencies(found, query["page"], query["per_page"]))


@bp.route("/programmes/<slug>/risks", tags=["Risks and reporting"], parameters=[SLUG])
@operation("listRisks", "Risks", "Open risks first, highest score first.")
@bp.response(200, schemas.RiskList, description="Risks")
@fails_with(401, 404)
@bp.arguments(schemas.RiskQuery, location="query")
def risks(query: dict[str, Any], slug: str) -> dict[str, Any]:
    found = get_programme_or_404(slug)
    page = api_reads.risks(
        found,
        query["page"],
        query["per_page"],
        status=query.get("status"),
        workstream_code=_workstream_code(found, query.get("workstream")),
    )
    day, bands = today(), _risk_bands()
    return parsing.listing(page, [represent.Risk(r, day, bands) for r in page.items])


def _risk_bands() -> tuple[Band, ...]:
    """The score bands the risk pages use (RISK_BANDS), so both name a score alike."""
    configured = current_app.config.get("RISK_BANDS")
    return parse_bands(configured) if configured else DEFAULT_BANDS


@bp.route("/programmes/<slug>/status-updates", tags=["Risks and reporting"], parameters=[SLUG])
@operation("listStatusUpdates", "Weekly highlight reports", "Up to this week, newest week first.")
@bp.response(200, schemas.StatusUpdateList, description="Weekly highlight reports")
@fails_with(401, 404)
@bp.arguments(schemas.StatusUpdateQuery, location="query")
def status_updates(query: dict[str, Any], slug: str) -> dict[str, Any]:
    found = get_programme_or_404(slug)
    return parsing.listing(
        api_reads.status_updates(
            found,
            today(),
            query["page"],
            query["per_page"],
            workstream_code=_workstream_code(found, query.get("workstream")),
        )
    )


# --- changing -----------------------------------------------------------------------------


def progress_change(view: F) -> F:
    """Find the milestone (404) and check the caller may change it (403) before the body is
    read (the decorator below this one); the view gets it as `milestone`. The service checks
    the permission again, with the version, inside its unit of work."""

    @functools.wraps(view)
    def checked(*args: Any, slug: str, ref: str) -> Any:
        programme = get_programme_or_404(slug)
        milestone = board.milestone_or_404(programme, ref, links=False)
        viewer = current_viewer()
        if not can_update_progress(viewer, programme.id, milestone.workstream_id):
            raise ApiError(
                403, progress.not_theirs(viewer, milestone.workstream, f"update {milestone.ref}")
            )
        return view(*args, slug=slug, ref=ref, milestone=milestone)

    return checked  # type: ignore[return-value]


def plan_change(view: F) -> F:
    """As `progress_change`, for a change to the plan: the programme office's alone."""

    @functools.wraps(view)
    def checked(*args: Any, slug: str, ref: str) -> Any:
        programme = get_programme_or_404(slug)
        milestone = board.milestone_or_404(programme, ref, links=False)
        viewer = current_viewer()
        if not can_edit_plan(viewer, programme.id):
            raise ApiError(403, plan_edits.only_the_office(viewer, programme.id))
        return view(*args, slug=slug, ref=ref, milestone=milestone)

    return checked  # type: ignore[return-value]


CHANGE_FAILS = (400, 401, 403, 404, 409, 413, 415, 422)
CHANGED = (
    "The milestone as it now stands, with its new schedule; with ?dry_run=true, what the "
    "change would do to the schedule instead (ForecastEffect), nothing saved."
)
PROGRESS = "For the programme office, and leads in the workstreams they lead."
DRY_RUN = (
    " With `?dry_run=true` the change is checked in full (403, 409 and 422 as for a real one) "
    "and nothing is saved: the answer is its effect on go-live, its float and the milestones "
    "that move."
)
# Either answer: the milestone as changed, or the effect of a dry run.
MILESTONE_OR_EFFECT = {
    "oneOf": [
        {"$ref": "#/components/schemas/MilestoneDetail"},
        {"$ref": "#/components/schemas/ForecastEffect"},
    ]
}


def _milestone_now(slug: str, ref: str) -> Response:
    return jsonify(schemas.MilestoneDetail().dump(_detail(slug, ref)))


def _effect(effect: Effect | None) -> Response:
    if effect is None:
        raise ApiError(422, "The schedule cannot be worked out with this change.")
    return jsonify(schemas.ForecastEffect().dump(effect))


@bp.route(
    "/programmes/<slug>/milestones/<ref>/complete",
    methods=["POST"],
    tags=["Progress"],
    parameters=[SLUG, REF],
)
@operation(
    "completeMilestone",
    "Mark a milestone complete",
    f"{PROGRESS} The date may not be in the future; a key milestone needs evidence (text or "
    "a link).",
)
@bp.response(200, schemas.MilestoneDetail, description=CHANGED)
@fails_with(*CHANGE_FAILS)
@progress_change
@bp.arguments(schemas.CompleteRequest)
def complete(body: dict[str, Any], slug: str, ref: str, milestone: Any) -> represent.Milestone:
    progress.complete(
        current_viewer(),
        milestone,
        Seen(body.get("version"), required=False),
        completed_on=body.get("completed_on"),
        evidence_text=body.get("evidence_text"),
        evidence_url=body.get("evidence_url"),
        today=today(),
    )
    return _detail(slug, ref)


@bp.route(
    "/programmes/<slug>/milestones/<ref>/forecast",
    methods=["POST"],
    tags=["Progress"],
    parameters=[SLUG, REF],
)
@operation(
    "setForecast",
    "Set a milestone's forecast date",
    f"{PROGRESS} Today or later, with a reason; everything that depends on it moves." + DRY_RUN,
)
@bp.response(200, MILESTONE_OR_EFFECT, description=CHANGED)
@fails_with(*CHANGE_FAILS)
@progress_change
@bp.arguments(schemas.DryRunQuery, location="query")
@bp.arguments(schemas.ForecastRequest)
def forecast(
    query: dict[str, Any], body: dict[str, Any], slug: str, ref: str, milestone: Any
) -> Response:
    milestone_ref, forecast_date = milestone.ref, body.get("forecast_date")

    def change() -> None:
        # The service names the stored field; the client sent "reason".
        with errors.fields_renamed({"forecast_reason": "reason"}):
            progress.set_forecast(
                current_viewer(),
                milestone,
                Seen(body.get("version"), required=False),
                forecast_date=forecast_date,
                reason=body.get("reason"),
                today=today(),
            )

    if query["dry_run"]:
        with rehearsal():
            change()
        return _effect(forecast_effect(get_programme_or_404(slug), milestone_ref, forecast_date))
    change()
    return _milestone_now(slug, ref)


@bp.route(
    "/programmes/<slug>/milestones/<ref>",
    methods=["PATCH"],
    tags=["Plan"],
    parameters=[SLUG, REF],
)
@operation(
    "changeMilestonePlan",
    "Change a milestone's due date, planned start or kind",
    "For the programme office. Only the fields sent change; the plan's rules are the pages' "
    "own (an activity needs a planned start on or before its due date)." + DRY_RUN,
)
@bp.response(200, MILESTONE_OR_EFFECT, description=CHANGED)
@fails_with(*CHANGE_FAILS)
@plan_change
@bp.arguments(schemas.DryRunQuery, location="query")
@bp.arguments(schemas.PlanRequest)
def change_plan(
    query: dict[str, Any], body: dict[str, Any], slug: str, ref: str, milestone: Any
) -> Response:
    changes = MilestonePlan(
        title=milestone.title,
        description=milestone.description or "",
        workstream_id=milestone.workstream_id,
        owner_id=milestone.owner_id,
        kind=body.get("kind", milestone.kind),
        planned_start=body.get("planned_start", milestone.planned_start),
        due_date=body.get("due_date", milestone.due_date),
        is_key=milestone.is_key,
    )
    milestone_ref = milestone.ref

    def change() -> None:
        seen = Seen(body.get("version"), required=False)
        plan_edits.edit_milestone(current_viewer(), milestone, seen, changes)

    if query["dry_run"]:
        with rehearsal():
            change()
        return _effect(edit_effect(get_programme_or_404(slug), milestone_ref, changes))
    change()
    return _milestone_now(slug, ref)
