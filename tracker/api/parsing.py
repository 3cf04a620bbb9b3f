"""Reading what a client sends with the schemas (tracker/api/schemas.py), and the address of
a list's next page.

flask-smorest hands each request's query parameters and JSON body to webargs, which loads
them with the endpoint's schema; this parser turns what goes wrong into the API's error
shape: 415 for a body not sent as JSON, 413 for one over MAX_BODY_BYTES, 400 for what cannot
be read (not JSON, not an object, an unknown field, a value of the wrong type, a query value
out of range), 422 for a value that reads but breaks a rule (fields.Broken).
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Request, request, url_for
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser

from tracker.api.errors import ApiError
from tracker.api.fields import Broken
from tracker.services.api_reads import Page

MAX_BODY_BYTES = 64 * 1024  # far more than any change needs; reading more only costs memory


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # as documented by @bp.arguments

    def load_json(self, req: Request, schema: Schema) -> Any:
        if not req.is_json:
            raise ApiError(415, "Send the body as JSON, with 'Content-Type: application/json'")
        req.max_content_length = MAX_BODY_BYTES  # 413 beyond, when the body is read
        body = req.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(400, 'The body must be a JSON object, like {"completed_on": ...}')
        return body

    def handle_error(
        self,
        error: ValidationError,
        req: Request,
        schema: Schema,
        *,
        error_status_code: int | None,
        error_headers: Any,
    ) -> NoReturn:
        problems = _problems(error.messages, schema)
        unreadable = [(f, m) for f, m in problems if not isinstance(m, Broken)]
        if unreadable:
            field, message = unreadable[0]
            raise ApiError(400, message, field)
        raise ApiError.invalid([(f, str(m)) for f, m in problems])


def _problems(messages: Any, schema: Schema) -> list[tuple[str | None, str]]:
    """(field, message) for each problem, in the schema's order of fields."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "querystring"}:
        messages = next(iter(messages.values()), {})  # webargs files them under the location
    if not isinstance(messages, dict):
        return [(None, str(m)) for m in _listed(messages)]
    known = [f.data_key or name for name, f in schema.load_fields.items()]
    found: list[tuple[str | None, str]] = []
    for name, said in messages.items():
        if name == "_schema":
            found += [(None, m) for m in _listed(said)]
        elif name not in known:
            found.append((str(name), f"Unknown field '{name}': the fields are {', '.join(known)}"))
        else:
            found += [(str(name), _naming(str(name), m)) for m in _listed(said)]
    return found


def _naming(name: str, message: str) -> str:
    """marshmallow's own messages ("Field may not be null.") say which field."""
    if isinstance(message, Broken) or f"'{name}'" in message:
        return message
    return f"'{name}': {message}"


def _listed(said: Any) -> list[str]:
    if isinstance(said, list):
        return [m for m in said if isinstance(m, str)] or [str(said)]
    return [said] if isinstance(said, str) else [str(said)]


def next_url(page: Page[Any]) -> str | None:
    """The full address of the next page, keeping the client's filters; None on the last."""
    if not page.has_next:
        return None
    path_values = request.view_args or {}
    # Keep the client's filters; url_for's own options (_external...) are not theirs.
    values: dict[str, Any] = {
        name: value
        for name, value in request.args.items()
        if not name.startswith("_") and name not in path_values
    }
    values.update(path_values, page=page.page + 1, per_page=page.per_page)
    return url_for(str(request.endpoint), **values, _external=True)


def listing(page: Page[Any], items: list[Any] | None = None) -> dict[str, Any]:
    """A page in the list shape (schemas._list_of): its items, or `items` made from them."""
    return {
        "items": page.items if items is None else items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "next": next_url(page),
    }
