"""The API's OpenAPI 3.0 document, served at GET /api/v1/openapi.json.

Nothing here describes an endpoint: flask-smorest writes each path from the decorators in
tracker/api/routes.py, and apispec each schema from tracker/api/schemas.py, the same schemas
that read the requests and dump the answers. This module adds what belongs to the API as a
whole: its description, the bearer-token scheme and the error answers.

The document is built once, on a bare Flask app that has only the API's blueprint, so it is
the same whatever the running app's configuration, and a test can have it without an app.
"""

from __future__ import annotations

import functools
from http import HTTPStatus
from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api

from tracker.api import schemas
from tracker.api.parsing import MAX_BODY_BYTES

OPENAPI_VERSION = "3.0.3"  # not 3.1: Power BI's connectors and older tools read 3.0

DESCRIPTION = """\
Read a transition programme's plan and schedule, and update milestone progress, with the
same rules as the web pages.

Authenticate every call (except this document) with a personal API token, made on the
"API tokens" page or with `flask --app wsgi users token EMAIL`:
`Authorization: Bearer tt_...`. The token acts as its user: the board reads, a lead changes
progress in the workstreams they lead, the programme office changes anything.

A forecast or a change to a milestone's dates sent with `?dry_run=true` is checked as if it
were made and saved not at all: the answer is what it would do to the schedule
(`ForecastEffect`: go-live before and after, its float, the milestones that move).

Lists come a page at a time: `{"items": [...], "page", "per_page", "total", "next"}`.
Errors always have the shape `{"error": {"code", "message", "field"}}`.
"""

TAGS = ["Programmes", "Milestones", "Progress", "Plan", "Risks and reporting", "API"]

ERROR_DESCRIPTIONS = {
    400: "The request cannot be read: a query parameter or body field of the wrong type, "
    "an unknown field, or a body that is not a JSON object.",
    401: "No API token, or one that is not valid (mistyped, revoked, or its account deactivated).",
    403: "The token's user may not make this change (the board reads only; a lead changes "
    "only the workstreams they lead; only the programme office changes the plan).",
    404: "No such programme or milestone.",
    409: "The version sent is not the milestone's current version: someone else changed it.",
    413: f"The body is larger than {MAX_BODY_BYTES // 1024} KB.",
    415: "The body is not sent as application/json.",
    422: "The request reads, but breaks a rule; `field` names the field.",
}


class _Api(Api):
    """flask-smorest's Api, with the API's own error answers and nothing app-wide: the
    running app's errors are tracker/api/errors.py's."""

    ERROR_SCHEMA = schemas.Error
    DEFAULT_ERROR_RESPONSE_NAME = None  # each endpoint lists the errors it gives

    def _register_error_handlers(self) -> None:
        """None: flask-smorest's would answer the pages' errors too; the API's own are
        registered on its blueprint (tracker/api/errors.py)."""

    def _register_pagination_header(self) -> None:
        pass  # lists carry their page in the body (schemas._list_of), not a header

    def _register_etag_headers(self) -> None:
        """None: answers are `no-store` (tracker/api/auth.py), so there is nothing to revalidate."""

    def _register_responses(self) -> None:
        # Named as flask-smorest names them (BAD_REQUEST...), so that the 400 it documents
        # for every endpoint that reads arguments is this one.
        for status, description in ERROR_DESCRIPTIONS.items():
            response: dict[str, Any] = {
                "description": description,
                "content": {"application/json": {"schema": schemas.Error}},
            }
            if status == 401:
                response["headers"] = {
                    "WWW-Authenticate": {
                        "schema": {"type": "string"},
                        "description": 'Bearer, and error="invalid_token" for a bad token.',
                    }
                }
            self.spec.components.response(HTTPStatus(status).name, response)


def _schema_name(schema: Any) -> str:
    """Components are named by the schema's class (Milestone, MilestoneList...)."""
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__


@functools.cache
def document() -> dict[str, Any]:
    from tracker.api.routes import bp  # the routes serve this document

    app = Flask("tracker.api.openapi")
    api = _Api(
        app,
        spec_kwargs={
            "title": "Transition tracker API",
            "version": "1",
            "openapi_version": OPENAPI_VERSION,
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=_schema_name),
            "info": {"description": DESCRIPTION},
            "security": [{"bearerAuth": []}],
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "A personal API token, starting tt_."},
    )
    for tag in TAGS:
        api.spec.tag({"name": tag})
    # Named by the dry runs' answers (routes.MILESTONE_OR_EFFECT), which refer to it by name.
    api.spec.components.schema("ForecastEffect", schema=schemas.ForecastEffect)
    app.register_blueprint(bp)
    bp.register_views_in_doc(api, app, api.spec, name=bp.name, parameters=None)
    spec: dict[str, Any] = api.spec.to_dict()
    for path in spec["paths"].values():
        _parameters_in_each_operation(path)
    return spec


def _parameters_in_each_operation(path: dict[str, Any]) -> None:
    """flask-smorest puts the path's own parameters (slug, ref) on the path; give them to
    each operation instead, as the document always has: a path then lists only methods."""
    shared = path.pop("parameters", [])
    for operation in path.values():
        if shared:
            operation["parameters"] = [*shared, *operation.get("parameters", [])]
