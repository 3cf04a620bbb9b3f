"""One error shape for every answer under /api/v1 that is not a success:

    {"error": {"code": "validation_error", "message": "...", "field": "completed_on"}}

`field` names the request field (body property or query parameter) the error is about, or is
null. Validation errors about several fields list them all in `details`. The shape is the
schema `Error` in tracker/api/schemas.py, which dumps every error and documents it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from tracker.api import schemas
from tracker.domain.validation import FieldError
from tracker.services.unit_of_work import ChangeRefused, Refusal

PREFIX = "/api/v1"

# The code for each status, in the words of the status line.
CODES = schemas.ERROR_CODES
# What a client needs to send to be let in (RFC 6750).
WWW_AUTHENTICATE = 'Bearer realm="transition-tracker"'


class ApiError(Exception):
    """Stop the request with this status and the error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        details: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.code = code or CODES.get(status, "error")
        self.headers = headers or {}
        self.details = details

    @classmethod
    def invalid(cls, problems: list[tuple[str | None, str]]) -> ApiError:
        """422 for rules broken: the first names the field, `details` lists them all."""
        field, message = problems[0]
        details = [{"field": f or "", "message": m} for f, m in problems]
        return cls(422, message, field, details=details if len(problems) > 1 else None)


def is_api_request() -> bool:
    """True for any address under /api/v1, matched by a route or not."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def error_response(
    status: int,
    message: str,
    field: str | None = None,
    *,
    code: str | None = None,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "code": code or CODES.get(status, "error"),
        "message": message,
        "field": field,
    }
    if details:
        body["details"] = details
    response = jsonify(schemas.Error().dump({"error": body}))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
    return response


def http_error_response(error: HTTPException) -> Response:
    """A werkzeug error (404, 405, 429, 500...) in the API's shape, keeping its headers."""
    status = error.code or 500
    kept = {
        name: value
        for name, value in error.get_headers()
        if name.lower() not in ("content-type", "content-length")
    }
    message = error.description or "Something went wrong."
    if status == 500:
        # Never the exception's text: it may hold data or internals.
        message = "Something went wrong on the server; it has been logged."
    return error_response(status, message, headers=kept)


def _api_error(error: ApiError) -> Response:
    return error_response(
        error.status,
        error.message,
        error.field,
        code=error.code,
        details=error.details,
        headers=error.headers,
    )


def _refused(error: ChangeRefused) -> Response:
    """A change the service refused (tracker/services/unit_of_work.py), in the error shape."""
    if error.refusal is Refusal.NOT_ALLOWED:
        return error_response(403, error.message)
    if error.refusal is Refusal.CONFLICT:
        if error.conflict is not None:
            message = (
                f"Someone else changed this since the version you sent; it is now version "
                f"{error.conflict.current_version}. Read it again, then send that version."
            )
        else:
            message = "Someone else changed this at the same moment. Read it again and retry."
        return error_response(409, message, "version")
    if not error.errors:
        return error_response(422, error.message)
    return _api_error(ApiError.invalid([(e.field, e.message) for e in error.errors]))


@contextlib.contextmanager
def fields_renamed(names: dict[str, str]) -> Iterator[None]:
    """Validation errors inside name the request's fields, where they differ from the
    stored ones."""
    try:
        yield
    except ChangeRefused as exc:
        exc.errors = [FieldError(names.get(e.field, e.field), e.message) for e in exc.errors]
        raise


def register(bp: Blueprint) -> None:
    """Error handlers for everything raised inside the API's views and hooks."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(ChangeRefused, _refused)
    bp.register_error_handler(HTTPException, http_error_response)
