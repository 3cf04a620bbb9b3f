"""The API's OpenAPI 3.0 document, as Python data, served at GET /api/v1/openapi.json.

It describes exactly what tracker/api/routes.py and represent.py do; tests/test_api.py runs
schemathesis against it, so a change to one without the other fails the build.
"""

from __future__ import annotations

import functools
from typing import Any

from tracker.api.errors import CODES
from tracker.api.params import (
    DEFAULT_PER_PAGE,
    MAX_BODY_BYTES,
    MAX_PAGE,
    MAX_PER_PAGE,
    TEXT_LIMIT,
    URL_LIMIT,
)
from tracker.domain.terms import DependencyType, MilestoneKind, MilestoneStatus, Rag, RiskStatus

Schema = dict[str, Any]

SCHEDULE_STATUSES = ["on track", "at risk", "off track"]


# --- schema helpers -----------------------------------------------------------------------


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    schema = {**schema, "nullable": True}
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _object(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """An object with exactly these properties, all present unless named optional."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


STRING: Schema = {"type": "string"}
TEXT: Schema = {"type": "string", "description": "Plain text; may be empty."}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
DATE: Schema = {"type": "string", "format": "date", "example": "2022-04-01"}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
WORKING_DAYS: Schema = {"type": "integer", "description": "Working days."}
RAG: Schema = {"type": "string", "enum": [r.value for r in Rag]}
REF: Schema = {"type": "string", "description": "A milestone reference, like PEO-09."}
CODE: Schema = {"type": "string", "description": "A workstream code, like PEO."}
PERSON: Schema = {"type": "string", "description": "A person's name."}


def _list_of(item: str) -> Schema:
    return _object(
        {
            "items": {"type": "array", "items": _ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "next": _nullable(
                {
                    "type": "string",
                    "format": "uri",
                    "description": "The address of the next page; null on the last.",
                }
            ),
        }
    )


# --- the records --------------------------------------------------------------------------

PROGRAMME: dict[str, Schema] = {
    "slug": STRING,
    "name": STRING,
    "from_organisation": STRING,
    "to_organisation": STRING,
    "start_date": DATE,
    "go_live_date": {**DATE, "description": "The statutory go-live date now in force."},
    "go_live_ref": _nullable({**REF, "description": "The go-live milestone, if named."}),
    "calendar_region": {
        "type": "string",
        "description": "Whose bank holidays are non-working days: ENG, WLS, SCT or NIR.",
    },
    "baseline": _nullable(
        {"type": "string", "description": "The baseline slip is measured against."}
    ),
}

SCHEDULE_SUMMARY = _nullable(
    {
        **_object(
            {
                "go_live_ref": REF,
                "go_live_target": DATE,
                "forecast_go_live": DATE,
                "status": {"type": "string", "enum": SCHEDULE_STATUSES},
                "go_live_float": WORKING_DAYS,
                "slip_days": {
                    **WORKING_DAYS,
                    "description": "Forecast go-live against the target.",
                },
                "baseline_slip_days": _nullable(WORKING_DAYS),
                "working_days_to_go_live": WORKING_DAYS,
                "today": {**DATE, "description": "The day the schedule was worked out for."},
                "critical_path": {
                    "type": "array",
                    "items": REF,
                    "description": "Open milestones that are critical or on the driving path, "
                    "in forecast order.",
                },
                "driving_path": {
                    "type": "array",
                    "items": REF,
                    "description": "The chain into go-live, first to last.",
                },
            }
        ),
        "description": "The schedule's answers; null when the programme has no milestones.",
    }
)

WORKSTREAM = _object(
    {
        "code": CODE,
        "name": STRING,
        "description": TEXT,
        "leads": {"type": "array", "items": PERSON},
        "rag": _nullable({**RAG, "description": "The worst milestone RAG; null if none."}),
        "milestones_total": {"type": "integer", "minimum": 0},
        "milestones_complete": {"type": "integer", "minimum": 0},
    }
)

MILESTONE: dict[str, Schema] = {
    "ref": REF,
    "title": STRING,
    "workstream": CODE,
    "owner": PERSON,
    "kind": {"type": "string", "enum": [k.value for k in MilestoneKind]},
    "is_key": {**BOOLEAN, "description": "A key milestone the board tracks."},
    "status": {"type": "string", "enum": [s.value for s in MilestoneStatus]},
    "planned_start": _nullable({**DATE, "description": "Null for a point milestone."}),
    "due_date": DATE,
    "forecast_date": _nullable({**DATE, "description": "The lead's own forecast, if given."}),
    "forecast_reason": _nullable(STRING),
    "blocked_reason": _nullable(STRING),
    "completed_on": _nullable(DATE),
    "completed_by": _nullable(PERSON),
    "evidence_text": _nullable(STRING),
    "evidence_url": _nullable(STRING),
    "version": {
        "type": "integer",
        "minimum": 1,
        "description": "Send it back with a change to have it refused if someone else has "
        "changed the milestone since (409).",
    },
    "forecast_start": {**DATE, "description": "When the schedule expects it to start."},
    "forecast_due": {**DATE, "description": "When the schedule expects it to finish."},
    "total_float": WORKING_DAYS,
    "free_float": WORKING_DAYS,
    "critical": {**BOOLEAN, "description": "Open, and critical or on the driving path."},
    "on_driving_path": BOOLEAN,
    "rag": RAG,
    "rag_reason": STRING,
    "overdue": BOOLEAN,
    "slip_days": {**WORKING_DAYS, "description": "Forecast finish against the due date."},
    "baseline_due": _nullable({**DATE, "description": "Due date in the current baseline."}),
    "baseline_slip_days": _nullable(WORKING_DAYS),
}

LINK = _object(
    {
        "ref": REF,
        "type": {"type": "string", "enum": [t.value for t in DependencyType]},
        "lag_days": {**WORKING_DAYS, "description": "Negative is a lead."},
    }
)

MILESTONE_DETAIL: dict[str, Schema] = {
    **MILESTONE,
    "predecessors": {"type": "array", "items": _ref("Link")},
    "successors": {"type": "array", "items": _ref("Link")},
    "explanation": {**STRING, "description": "Why the schedule forecasts what it does."},
}

DEPENDENCY = _object(
    {
        "id": INTEGER,
        "predecessor": REF,
        "successor": REF,
        "type": {"type": "string", "enum": [t.value for t in DependencyType]},
        "lag_days": WORKING_DAYS,
        "notation": {**STRING, "example": "GOV-03FS+5"},
    }
)

SCORE: Schema = {"type": "integer", "minimum": 1, "maximum": 5}
RISK = _object(
    {
        "ref": STRING,
        "title": STRING,
        "description": TEXT,
        "workstream": _nullable({**CODE, "description": "Null for a programme-wide risk."}),
        "owner": PERSON,
        "consequence": SCORE,
        "likelihood": SCORE,
        "score": {"type": "integer", "minimum": 1, "maximum": 25},
        "band": {"type": "string", "description": "The score's band, like high or extreme."},
        "target_consequence": SCORE,
        "target_likelihood": SCORE,
        "target_score": {"type": "integer", "minimum": 1, "maximum": 25},
        "mitigation": TEXT,
        "status": {"type": "string", "enum": [s.value for s in RiskStatus]},
        "closed_note": _nullable(STRING),
        "raised_on": DATE,
        "review_on": _nullable(DATE),
        "review_overdue": BOOLEAN,
        "version": {"type": "integer", "minimum": 1},
    }
)

STATUS_UPDATE = _object(
    {
        "workstream": CODE,
        "week_start": {**DATE, "description": "The Monday of the week reported on."},
        "rag": {"type": "string", "enum": ["red", "amber", "green"]},
        "achievements": TEXT,
        "next_steps": TEXT,
        "issues": TEXT,
        "author": _nullable(PERSON),
        "updated_at": DATE_TIME,
    }
)

ERROR = _object(
    {
        "error": _object(
            {
                "code": {"type": "string", "enum": sorted(set(CODES.values()))},
                "message": {**STRING, "description": "What is wrong, in words to show people."},
                "field": _nullable(
                    {
                        **STRING,
                        "description": "The body field or query parameter at fault (status: "
                        "the milestone's own status rules the change out), or null.",
                    }
                ),
                "details": {
                    "type": "array",
                    "description": "Every problem, when there is more than one.",
                    "items": _object({"field": STRING, "message": STRING}),
                },
            },
            optional=("details",),
        )
    }
)

COMPLETE = _object(
    {
        "completed_on": {**DATE, "description": "Today or earlier."},
        "evidence_text": _nullable(
            {
                "type": "string",
                "maxLength": TEXT_LIMIT,
                "description": "What shows it is done; this or a link is required for a key "
                "milestone.",
            }
        ),
        "evidence_url": _nullable(
            {"type": "string", "maxLength": URL_LIMIT, "example": "https://example.org/paper"}
        ),
        "version": _nullable({"type": "integer", "description": "The version you read."}),
    },
    optional=("evidence_text", "evidence_url", "version"),
)

FORECAST = _object(
    {
        "forecast_date": {**DATE, "description": "Today or later.", "example": "2022-05-06"},
        "reason": {
            "type": "string",
            "maxLength": TEXT_LIMIT,
            "description": "Why the date has moved, for the board.",
            "example": "Waiting for the legal review of the transfer scheme",
        },
        "version": _nullable({"type": "integer", "description": "The version you read."}),
    },
    optional=("version",),
)

SCHEMAS: dict[str, Schema] = {
    "Error": ERROR,
    "Programme": _object(PROGRAMME),
    "ProgrammeDetail": _object({**PROGRAMME, "schedule": SCHEDULE_SUMMARY}),
    "Workstream": WORKSTREAM,
    "Milestone": _object(MILESTONE),
    "MilestoneDetail": _object(MILESTONE_DETAIL),
    "Link": LINK,
    "Dependency": DEPENDENCY,
    "Risk": RISK,
    "StatusUpdate": STATUS_UPDATE,
    "ProgrammeList": _list_of("Programme"),
    "WorkstreamList": _list_of("Workstream"),
    "MilestoneList": _list_of("Milestone"),
    "DependencyList": _list_of("Dependency"),
    "RiskList": _list_of("Risk"),
    "StatusUpdateList": _list_of("StatusUpdate"),
    "CompleteRequest": COMPLETE,
    "ForecastRequest": FORECAST,
}


# --- parameters and responses -------------------------------------------------------------


def _query(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PARAMETERS: dict[str, Schema] = {
    "slug": {
        "name": "slug",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
        "example": "kent-and-medway",
        "description": "The programme, as in its page addresses (/p/<slug>/).",
    },
    "ref": {
        "name": "ref",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
        "example": "PEO-09",
        "description": "The milestone's reference (any case).",
    },
    "page": _query(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        "Which page, from 1.",
    ),
    "per_page": _query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
        f"Items per page: {DEFAULT_PER_PAGE} unless asked, at most {MAX_PER_PAGE}.",
    ),
    "workstream": {
        **_query("workstream", {"type": "string"}, "Only this workstream (its code, any case)."),
        "example": "PEO",
    },
    "milestone_status": _query(
        "status",
        {"type": "string", "enum": [s.value for s in MilestoneStatus]},
        "Only this status.",
    ),
    "rag": _query("rag", RAG, "Only this RAG."),
    "critical": _query(
        "critical", BOOLEAN, "Only open milestones that are critical or on the driving path."
    ),
    "key": _query("key", BOOLEAN, "Only key milestones."),
    "overdue": _query("overdue", BOOLEAN, "Only overdue milestones."),
    "risk_status": _query(
        "status", {"type": "string", "enum": [s.value for s in RiskStatus]}, "Only this status."
    ),
}


def _param(name: str) -> Schema:
    return {"$ref": f"#/components/parameters/{name}"}


ERROR_DESCRIPTIONS = {
    400: "The request cannot be read: a query parameter or body field of the wrong type, "
    "an unknown field, or a body that is not a JSON object.",
    401: "No API token, or one that is not valid (mistyped, revoked, or its account deactivated).",
    403: "The token's user may not make this change (the board reads only; a lead changes "
    "only the workstreams they lead).",
    404: "No such programme or milestone.",
    409: "The version sent is not the milestone's current version: someone else changed it.",
    413: f"The body is larger than {MAX_BODY_BYTES // 1024} KB.",
    415: "The body is not sent as application/json.",
    422: "The request reads, but breaks a rule; `field` names the field.",
}

RESPONSES: dict[str, Schema] = {
    str(status): {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
        **(
            {
                "headers": {
                    "WWW-Authenticate": {
                        "schema": {"type": "string"},
                        "description": 'Bearer, and error="invalid_token" for a bad token.',
                    }
                }
            }
            if status == 401
            else {}
        ),
    }
    for status, description in ERROR_DESCRIPTIONS.items()
}


def _errors(*statuses: int) -> dict[str, Schema]:
    return {str(s): {"$ref": f"#/components/responses/{s}"} for s in statuses}


def _ok(schema: str, description: str) -> dict[str, Schema]:
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": _ref(schema)}},
        }
    }


def _get(
    operation_id: str,
    summary: str,
    schema: str,
    parameters: list[str],
    tag: str,
    description: str = "",
) -> Schema:
    paginated = schema.endswith("List")
    statuses = [400, 401] if paginated else [401]
    if "slug" in parameters:
        statuses.append(404)
    names = [*parameters, *(["page", "per_page"] if paginated else [])]
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": description or summary,
            "tags": [tag],
            "parameters": [_param(name) for name in names],
            "responses": {**_ok(schema, summary), **_errors(*statuses)},
        }
    }


def _post(operation_id: str, summary: str, request: str, description: str) -> Schema:
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "tags": ["Progress"],
            "parameters": [_param("slug"), _param("ref")],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref(request)}},
            },
            "responses": {
                **_ok("MilestoneDetail", "The milestone as it now stands, with its new schedule."),
                **_errors(400, 401, 403, 404, 409, 413, 415, 422),
            },
        }
    }


P = "/api/v1/programmes/{slug}"
PATHS: dict[str, Schema] = {
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "getOpenApiDocument",
            "summary": "This document",
            "description": "Open to anyone, without a token.",
            "tags": ["API"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/api/v1/programmes": _get(
        "listProgrammes",
        "Programmes",
        "ProgrammeList",
        [],
        "Programmes",
        "Every programme, by name.",
    ),
    P: _get(
        "getProgramme",
        "A programme and its schedule",
        "ProgrammeDetail",
        ["slug"],
        "Programmes",
        "The programme with the schedule's answers: forecast go-live, float, status.",
    ),
    f"{P}/workstreams": _get(
        "listWorkstreams",
        "Workstreams",
        "WorkstreamList",
        ["slug"],
        "Programmes",
        "The programme's workstreams in their order, with leads, RAG and counts.",
    ),
    f"{P}/milestones": _get(
        "listMilestones",
        "Milestones with their schedule figures",
        "MilestoneList",
        ["slug", "workstream", "milestone_status", "rag", "critical", "key", "overdue"],
        "Milestones",
        "In workstream order, then by due date. Filters combine (AND).",
    ),
    f"{P}/milestones/{{ref}}": _get(
        "getMilestone",
        "A milestone",
        "MilestoneDetail",
        ["slug", "ref"],
        "Milestones",
        "With its links both ways and why the schedule forecasts what it does.",
    ),
    f"{P}/milestones/{{ref}}/complete": _post(
        "completeMilestone",
        "Mark a milestone complete",
        "CompleteRequest",
        "For the programme office, and leads in the workstreams they lead. The date may not "
        "be in the future; a key milestone needs evidence (text or a link).",
    ),
    f"{P}/milestones/{{ref}}/forecast": _post(
        "setForecast",
        "Set a milestone's forecast date",
        "ForecastRequest",
        "For the programme office, and leads in the workstreams they lead. Today or later, "
        "with a reason; everything that depends on it moves.",
    ),
    f"{P}/dependencies": _get(
        "listDependencies",
        "Dependencies",
        "DependencyList",
        ["slug"],
        "Milestones",
        "Every link between milestones, oldest first.",
    ),
    f"{P}/risks": _get(
        "listRisks",
        "Risks",
        "RiskList",
        ["slug", "risk_status", "workstream"],
        "Risks and reporting",
        "Open risks first, highest score first.",
    ),
    f"{P}/status-updates": _get(
        "listStatusUpdates",
        "Weekly highlight reports",
        "StatusUpdateList",
        ["slug", "workstream"],
        "Risks and reporting",
        "Up to this week, newest week first.",
    ),
}

DESCRIPTION = """\
Read a transition programme's plan and schedule, and update milestone progress, with the
same rules as the web pages.

Authenticate every call (except this document) with a personal API token, made on the
"API tokens" page or with `flask --app wsgi users token EMAIL`:
`Authorization: Bearer tt_...`. The token acts as its user: the board reads, a lead changes
progress in the workstreams they lead, the programme office changes anything.

Lists come a page at a time: `{"items": [...], "page", "per_page", "total", "next"}`.
Errors always have the shape `{"error": {"code", "message", "field"}}`.
"""


@functools.cache
def document() -> Schema:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Transition tracker API",
            "version": "1",
            "description": DESCRIPTION,
        },
        "tags": [
            {"name": "Programmes"},
            {"name": "Milestones"},
            {"name": "Progress"},
            {"name": "Risks and reporting"},
            {"name": "API"},
        ],
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token, starting tt_.",
                }
            },
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "responses": RESPONSES,
        },
    }
