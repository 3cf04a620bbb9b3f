"""The API described once: what every endpoint takes and gives, as marshmallow schemas.

The same classes do three jobs: flask-smorest reads requests with them (`@bp.arguments`,
through parsing.py) and dumps every answer (`@bp.response`; errors.py the error shape), and
apispec writes the OpenAPI document from them (openapi.py). A change here changes all three.

- `Record`: an answer. Every property is always present (required in the document), null
  only where it says so, and no other (`additionalProperties: false`).
- `Request`: a JSON body. Unknown fields and values of the wrong type are refused (400);
  a value that reads but breaks a rule is 422 (a `Broken` message). A required field left
  out is for the service to name, in the pages' own words (422), so it is required in the
  document but not enforced on reading.
- `Query`: query parameters; every wrong one is 400. Other parameters are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate
from marshmallow.types import StrSequenceOrSet, UnknownOption

from tracker.api.fields import (
    NULL,
    Day,
    Text,
    WholeNumber,
    Words,
    _about,
    _choice,
    _flag,
    _one_of,
    _whole_query_number,
)
from tracker.domain.terms import DependencyType, MilestoneKind, MilestoneStatus, Rag, RiskStatus
from tracker.domain.terms import values as term_values
from tracker.domain.validation import TEXT_LIMIT, URL_LIMIT

# Lists come a page at a time: `per_page` items (this many unless asked, at most MAX_PER_PAGE).
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 100_000  # far beyond any real list; keeps offsets within a database integer
SCHEDULE_STATUSES = ["on track", "at risk", "off track"]
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "server_error",
}

# Descriptions many properties share.
REF = "A milestone reference, like PEO-09."
CODE = "A workstream code, like PEO."
PERSON = "A person's name."
WORKING_DAYS = "Working days."


# --- base classes -------------------------------------------------------------------------


class Record(Schema):
    """An answer: every property present, nothing else."""

    class Meta:
        unknown = RAISE  # documented as additionalProperties: false

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        if not field_obj.metadata.get("optional"):
            field_obj.required = True


def _null_named(field_name: str, field_obj: fields.Field[Any]) -> None:
    field_obj.error_messages["null"] = f"'{field_obj.data_key or field_name}' may not be null"


class Request(Schema):
    """A JSON body: only these fields, of these types."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        _null_named(field_name, field_obj)

    def load(  # type: ignore[override]
        self,
        data: Mapping[str, Any],
        *,
        many: bool | None = None,
        partial: bool | StrSequenceOrSet | None = None,
        unknown: UnknownOption | None = None,
    ) -> Any:
        # Required fields are the service's to ask for, in the pages' words (422).
        return super().load(data, many=many, partial=True, unknown=unknown)


class Query(Schema):
    class Meta:
        unknown = EXCLUDE  # other parameters (a cache-buster, say) are no business of ours

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        _null_named(field_name, field_obj)


# --- the records --------------------------------------------------------------------------


class Programme(Record):
    slug = fields.String(attribute="programme.slug")
    name = fields.String(attribute="programme.name")
    from_organisation = fields.String(attribute="programme.from_organisation")
    to_organisation = fields.String(attribute="programme.to_organisation")
    start_date = fields.Date(attribute="programme.start_date")
    go_live_date = fields.Date(
        attribute="programme.go_live_date",
        **_about("The statutory go-live date now in force."),
    )
    go_live_ref = fields.String(
        attribute="programme.go_live_ref", **NULL, **_about("The go-live milestone, if named.")
    )
    calendar_region = fields.String(
        attribute="programme.calendar_region",
        **_about("Whose bank holidays are non-working days: ENG, WLS, SCT or NIR."),
    )
    baseline = fields.String(
        attribute="programme.current_baseline.label",
        **NULL,
        **_about("The baseline slip is measured against."),
    )


class ScheduleSummary(Record):
    go_live_ref = fields.String(attribute="forecast.go_live_ref", **_about(REF))
    go_live_target = fields.Date(attribute="forecast.go_live_target")
    forecast_go_live = fields.Date(attribute="forecast.forecast_go_live")
    status = fields.String(attribute="forecast.status", validate=_one_of(SCHEDULE_STATUSES))
    go_live_float = fields.Integer(attribute="forecast.go_live_float", **_about(WORKING_DAYS))
    slip_days = fields.Integer(
        attribute="forecast.slip_days",
        **_about("Forecast go-live against the target, in working days."),
    )
    baseline_slip_days = fields.Integer(
        attribute="forecast.baseline_slip_days", **NULL, **_about(WORKING_DAYS)
    )
    working_days_to_go_live = fields.Integer(
        attribute="forecast.working_days_to_go_live", **_about(WORKING_DAYS)
    )
    today = fields.Date(
        attribute="forecast.today", **_about("The day the schedule was worked out for.")
    )
    critical_path = fields.List(
        fields.String(**_about(REF)),
        **_about("Open milestones that are critical or on the driving path, in forecast order."),
    )
    driving_path = fields.List(
        fields.String(**_about(REF)),
        attribute="forecast.driving_path",
        **_about("The chain into go-live, first to last."),
    )
    after_go_live = fields.List(
        fields.String(**_about(REF)),
        attribute="forecast.after_go_live",
        **_about(
            "Open milestones forecast after the go-live target that go-live does not wait for "
            "and the plan does not put after it: while there are any, status is not on track."
        ),
    )
    after_go_live_warning = fields.String(
        **NULL, **_about("The dashboard's sentence about after_go_live, or null.")
    )


class ProgrammeDetail(Programme):
    schedule = fields.Nested(
        ScheduleSummary,
        attribute="summary",
        **NULL,
        **_about("The schedule's answers; null when the programme has no milestones."),
    )


class PersonName(Schema):
    name = fields.String(**_about(PERSON))


class Workstream(Record):
    code = fields.String(attribute="summary.workstream.code", **_about(CODE))
    name = fields.String(attribute="summary.workstream.name")
    description = Text(attribute="summary.workstream.description")
    leads = fields.Pluck(PersonName, "name", many=True, attribute="summary.workstream.leads")
    rag = fields.String(
        validate=_one_of(term_values(Rag)),
        **NULL,
        **_about("The worst milestone RAG; null if none."),
    )
    milestones_total = fields.Integer(attribute="summary.total", validate=validate.Range(0))
    milestones_complete = fields.Integer(attribute="summary.complete", validate=validate.Range(0))


class Milestone(Record):
    ref = fields.String(attribute="row.ref", **_about(REF))
    title = fields.String(attribute="row.title")
    workstream = fields.String(attribute="forecast.workstream", **_about(CODE))
    owner = fields.String(attribute="forecast.owner", **_about(PERSON))
    kind = fields.String(attribute="row.kind", validate=_one_of(term_values(MilestoneKind)))
    is_key = fields.Boolean(attribute="row.is_key", **_about("A key milestone the board tracks."))
    status = fields.String(attribute="row.status", validate=_one_of(term_values(MilestoneStatus)))
    planned_start = fields.Date(
        attribute="row.planned_start", **NULL, **_about("Null for a point milestone.")
    )
    due_date = fields.Date(attribute="row.due_date")
    forecast_date = fields.Date(
        attribute="row.forecast_date", **NULL, **_about("The lead's own forecast, if given.")
    )
    forecast_reason = fields.String(attribute="row.forecast_reason", **NULL)
    blocked_reason = fields.String(attribute="row.blocked_reason", **NULL)
    completed_on = fields.Date(attribute="row.completed_on", **NULL)
    completed_by = fields.String(attribute="row.completed_by.name", **NULL, **_about(PERSON))
    evidence_text = fields.String(attribute="row.evidence_text", **NULL)
    evidence_url = fields.String(attribute="row.evidence_url", **NULL)
    version = fields.Integer(
        attribute="row.version",
        validate=validate.Range(1),
        **_about(
            "Send it back with a change to have it refused if someone else has changed the "
            "milestone since (409)."
        ),
    )
    forecast_start = fields.Date(
        attribute="forecast.forecast_start", **_about("When the schedule expects it to start.")
    )
    forecast_due = fields.Date(
        attribute="forecast.forecast_due", **_about("When the schedule expects it to finish.")
    )
    total_float = fields.Integer(attribute="forecast.total_float", **_about(WORKING_DAYS))
    free_float = fields.Integer(attribute="forecast.free_float", **_about(WORKING_DAYS))
    critical = fields.Boolean(**_about("Open, and critical or on the driving path."))
    on_driving_path = fields.Boolean(attribute="forecast.on_driving_path")
    rag = fields.String(attribute="forecast.rag", validate=_one_of(term_values(Rag)))
    rag_reason = fields.String(attribute="forecast.rag_reason")
    overdue = fields.Boolean(attribute="forecast.overdue")
    slip_days = fields.Integer(
        attribute="forecast.slip_days",
        **_about("Forecast finish against the due date, in working days."),
    )
    baseline_due = fields.Date(**NULL, **_about("Due date in the current baseline."))
    baseline_slip_days = fields.Integer(
        attribute="forecast.baseline_slip_days", **NULL, **_about(WORKING_DAYS)
    )


class Link(Record):
    ref = fields.String(**_about(REF))
    type = fields.String(validate=_one_of(term_values(DependencyType)))
    lag_days = fields.Integer(**_about("Working days; negative is a lead."))


class MilestoneDetail(Milestone):
    predecessors = fields.List(fields.Nested(Link))
    successors = fields.List(fields.Nested(Link))
    explanation = fields.String(
        attribute="forecast.explanation", **_about("Why the schedule forecasts what it does.")
    )


class Dependency(Record):
    id = fields.Integer()
    predecessor = fields.String(**_about(REF))
    successor = fields.String(**_about(REF))
    type = fields.String(validate=_one_of(term_values(DependencyType)))
    lag_days = fields.Integer(**_about(WORKING_DAYS))
    notation = fields.String(**_about("As the plan writes it.", example="GOV-03FS+5"))


SCORE = validate.Range(1, 5)


class Risk(Record):
    ref = fields.String(attribute="risk.ref")
    title = fields.String(attribute="risk.title")
    description = Text(attribute="risk.description")
    workstream = fields.String(
        attribute="risk.workstream.code",
        **NULL,
        **_about("A workstream code; null for a programme-wide risk."),
    )
    owner = fields.String(attribute="risk.owner.name", **_about(PERSON))
    consequence = fields.Integer(attribute="risk.consequence", validate=SCORE)
    likelihood = fields.Integer(attribute="risk.likelihood", validate=SCORE)
    score = fields.Integer(attribute="risk.score", validate=validate.Range(1, 25))
    band = fields.String(**_about("The score's band, like high or extreme."))
    target_consequence = fields.Integer(attribute="risk.target_consequence", validate=SCORE)
    target_likelihood = fields.Integer(attribute="risk.target_likelihood", validate=SCORE)
    target_score = fields.Integer(attribute="risk.target_score", validate=validate.Range(1, 25))
    mitigation = Text(attribute="risk.mitigation")
    status = fields.String(attribute="risk.status", validate=_one_of(term_values(RiskStatus)))
    closed_note = fields.String(attribute="risk.closed_note", **NULL)
    raised_on = fields.Date(attribute="risk.raised_on")
    review_on = fields.Date(attribute="risk.review_on", **NULL)
    review_overdue = fields.Boolean()
    version = fields.Integer(attribute="risk.version", validate=validate.Range(1))


class StatusUpdate(Record):
    workstream = fields.String(attribute="workstream.code", **_about(CODE))
    week_start = fields.Date(**_about("The Monday of the week reported on."))
    rag = fields.String(validate=_one_of(["red", "amber", "green"]))
    achievements = Text()
    next_steps = Text()
    issues = Text()
    author = fields.String(attribute="author.name", **NULL, **_about(PERSON))
    updated_at = fields.DateTime()


class MovedMilestone(Record):
    ref = fields.String(**_about(REF))
    title = fields.String()
    workstream = fields.String(**_about(CODE))
    forecast_before = fields.Date(attribute="before")
    forecast_after = fields.Date(attribute="after")
    working_days = fields.Integer(attribute="days", **_about("How far it moves; + is later."))


class RagChange(Record):
    workstream = fields.String(**_about(CODE))
    before = fields.String(validate=_one_of(term_values(Rag)), **NULL)
    after = fields.String(validate=_one_of(term_values(Rag)), **NULL)


class ForecastEffect(Record):  # a change's effect (?dry_run=true): docs/forecast-effect.md
    ref = fields.String(**_about("The milestone changed. " + REF))
    go_live_ref = fields.String(**_about(REF))
    go_live_target = fields.Date()
    go_live_before = fields.Date(**_about("Forecast go-live as the plan stands."))
    go_live_after = fields.Date(**_about("Forecast go-live with the change."))
    slip_before = fields.Integer(**_about("Against the target; + is late. " + WORKING_DAYS))
    slip_after = fields.Integer(**_about(WORKING_DAYS))
    float_before = fields.Integer(**_about("Go-live's float: slack. " + WORKING_DAYS))
    float_after = fields.Integer(**_about(WORKING_DAYS))
    status_before = fields.String(validate=_one_of(SCHEDULE_STATUSES))
    status_after = fields.String(validate=_one_of(SCHEDULE_STATUSES))
    milestone_forecast_before = fields.Date(attribute="milestone_before")
    milestone_forecast_after = fields.Date(attribute="milestone_after")
    milestone_float_before = fields.Integer(**_about(WORKING_DAYS))
    milestone_float_after = fields.Integer(**_about(WORKING_DAYS))
    uses_slack = fields.Boolean(**_about("Go-live's float goes down, or go-live moves."))
    needs_confirming = fields.Boolean(**_about("The pages ask to confirm before saving it."))
    sentence = fields.String(**_about("What it does to go-live, in words to show people."))
    sentences = fields.List(fields.String(), **_about("Everything to say, most important first."))
    moved = fields.List(fields.Nested(MovedMilestone), **_about("Soonest first; not go-live."))
    rag_changes = fields.List(fields.Nested(RagChange), **_about("Workstream schedule RAG."))
    after_go_live_added = fields.List(fields.String(), **_about("Now after go-live, unseen by it."))


def _list_of(item: type[Record]) -> type[Record]:
    """The one shape of every list: a page of items and the address of the next page."""
    shape = Record.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "page": fields.Integer(validate=validate.Range(1)),
            "per_page": fields.Integer(validate=validate.Range(1, MAX_PER_PAGE)),
            "total": fields.Integer(validate=validate.Range(0)),
            "next": fields.String(
                **NULL,
                **_about("The address of the next page; null on the last.", format="uri"),
            ),
        },
        name=f"{item.__name__}List",
    )
    return shape  # type: ignore[return-value]  # from_dict makes a subclass of Record


ProgrammeList = _list_of(Programme)
WorkstreamList = _list_of(Workstream)
MilestoneList = _list_of(Milestone)
DependencyList = _list_of(Dependency)
RiskList = _list_of(Risk)
StatusUpdateList = _list_of(StatusUpdate)


# --- errors -------------------------------------------------------------------------------


class ErrorDetail(Record):
    field = fields.String()
    message = fields.String()


class ErrorBody(Record):
    code = fields.String(validate=_one_of(sorted(set(ERROR_CODES.values()))))
    message = fields.String(**_about("What is wrong, in words to show people."))
    field = fields.String(
        **NULL,
        **_about(
            "The body field or query parameter at fault (status: the milestone's own status "
            "rules the change out), or null."
        ),
    )
    details = fields.List(
        fields.Nested(ErrorDetail),
        **_about("Every problem, when there is more than one.", optional=True),
    )


class Error(Record):
    error = fields.Nested(ErrorBody)


# --- query parameters ---------------------------------------------------------------------


class PageQuery(Query):
    page = _whole_query_number("page", 1, MAX_PAGE, "Which page, from 1.")
    per_page = _whole_query_number(
        "per_page",
        DEFAULT_PER_PAGE,
        MAX_PER_PAGE,
        f"Items per page: {DEFAULT_PER_PAGE} unless asked, at most {MAX_PER_PAGE}.",
    )


def _workstream_parameter() -> Any:
    # Which codes exist is the programme's: the view checks it (400 for an unknown one).
    return fields.String(**_about("Only this workstream (its code, any case).", example="PEO"))


class MilestoneQuery(PageQuery):
    workstream = _workstream_parameter()
    status = _choice("status", term_values(MilestoneStatus), "Only this status.")
    rag = _choice("rag", term_values(Rag), "Only this RAG.")
    critical = _flag("critical", "Only open milestones that are critical or on the driving path.")
    key = _flag("key", "Only key milestones.")
    overdue = _flag("overdue", "Only overdue milestones.")


class RiskQuery(PageQuery):
    status = _choice("status", term_values(RiskStatus), "Only this status.")
    workstream = _workstream_parameter()


class StatusUpdateQuery(PageQuery):
    workstream = _workstream_parameter()


class DryRunQuery(Query):
    dry_run = _flag("dry_run", "Check it, answer its effect (ForecastEffect), save nothing.")


# --- request bodies -----------------------------------------------------------------------


def _version() -> Any:
    return WholeNumber(**NULL, **_about("The milestone's version, as you read it."))


class CompleteRequest(Request):
    completed_on = Day(required=True, **_about("Today or earlier.", example="2022-04-01"))
    evidence_text = Words(
        **NULL,
        **_about(
            "What shows it is done; this or a link is required for a key milestone.",
            maxLength=TEXT_LIMIT,
        ),
    )
    evidence_url = Words(
        **NULL,
        **_about(
            "A link, starting https://.", maxLength=URL_LIMIT, example="https://example.org/paper"
        ),
    )
    version = _version()


class ForecastRequest(Request):
    forecast_date = Day(required=True, **_about("Today or later.", example="2022-05-06"))
    reason = Words(
        required=True,
        **_about(
            "Why the date has moved, for the board.",
            maxLength=TEXT_LIMIT,
            example="Waiting for the legal review of the transfer scheme",
        ),
    )
    version = _version()


class PlanRequest(Request):  # only what is sent changes
    due_date = Day(**_about("The programme office's due date.", example="2022-05-20"))
    planned_start = Day(**NULL, **_about("An activity's start; null for a point in time."))
    kind = Words(**_about("activity or point.", enum=term_values(MilestoneKind)))
    version = _version()
