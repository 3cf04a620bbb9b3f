"""The request boundary: what no page or API call can use is refused here, once, before any
view, sign-in check or query sees it.

- A NUL byte or another C0 control character in the address names nothing: 404. PostgreSQL
  refuses NUL in any text ("text fields cannot contain NUL"), and SQLite would store it.
- In a query parameter, form field (and an uploaded file's name) or JSON body: 400, naming the
  field. Tab, carriage return and line feed are allowed there (multi-line text); where a
  single line is wanted, the domain's own checks say so.
- A body larger than MAX_CONTENT_LENGTH (config.py), or than a view marked with
  allow_large_body allows: 413, before it is read.
- Whole numbers in addresses (`<int:...>`) are bounded to what the database holds
  (BoundedIntegerConverter): a larger one matches no page, so it is a 404, not an
  OverflowError.

Under /api/v1 the answers keep the API's JSON error shape (tracker/api/errors.py); the API
reads its JSON bodies itself, under its own size limit, and refuses NUL in each text field by
name (tracker/api/fields.py Words), so its bodies are left to it.

Uploaded files' contents are the import's to check (tracker/spreadsheets/).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

from tracker.form_fields import ID_MAX

View = TypeVar("View", bound=Callable[..., Any])

# Every C0 control character and DEL: never in an address.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Those never in text a person sends: all C0 controls but tab, line feed and carriage return.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in a route, matching only ASCII digits for a number the database can hold
    (1 to ID_MAX): /users/99999999999999999999999 is a 404, never a query that overflows."""

    regex = r"[0-9]{1,10}"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=1 if min is None else min,
            max=ID_MAX if max is None else max,
            signed=signed,
        )


def init_app(app: Flask) -> None:
    """Bound `<int:...>` (before any route is added) and refuse unreadable requests first."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unreadable_requests)


def allow_large_body(limit: int) -> Callable[[View], View]:
    """Mark a view that takes a body of up to `limit` bytes, past MAX_CONTENT_LENGTH (the
    upload of a Microsoft Project plan). The mark is read here, before anything reads the
    body (the CSRF check reads the form)."""

    def mark(view: View) -> View:
        view.max_body = limit  # type: ignore[attr-defined]
        return view

    return mark


def refuse_unreadable_requests() -> Response | None:
    view = current_app.view_functions.get(request.endpoint or "")
    larger = getattr(view, "max_body", None)
    if isinstance(larger, int):
        request.max_content_length = larger
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        # Refused on what the client says it sends, without reading any of it; a body sent
        # without a length stops with 413 when reading passes the limit.
        return _refuse(413, too_large_message(limit))
    if _ANY_CONTROL.search(request.path):
        return _refuse(404, "There is no page at that address.")
    for name, value in _fields(request.args):
        if _TEXT_CONTROL.search(value):
            return _refuse(400, _message("query parameter", name), name)
    if _is_api():
        return None  # its bodies: see the module's docstring
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if limit is not None and request.content_length is None:
            _read_unmeasured_body()
        for name, value in _fields(request.form):
            if _TEXT_CONTROL.search(value):
                return _refuse(400, _message("field", name), name)
        for name, upload in request.files.items(multi=True):
            if _TEXT_CONTROL.search(name) or _TEXT_CONTROL.search(upload.filename or ""):
                return _refuse(400, _message("file name in the field", name), name)
        if request.is_json:
            body = request.get_json(silent=True)
            for name, value in _json_strings(body, ""):
                if _TEXT_CONTROL.search(value):
                    return _refuse(400, _message("field", name), name)
    return None


def _read_unmeasured_body() -> None:
    """A body sent without a Content-Length (chunked, which the server has decoded) is cut
    at the limit by werkzeug without a word, so the form would be read truncated: read it up
    to the limit (kept for the form), then one byte more, which raises 413 if there was more."""
    if not request.environ.get("wsgi.input_terminated"):
        return  # werkzeug reads no body it cannot measure
    request.get_data(cache=True)
    request.stream.read(1)


def too_large_message(limit: int) -> str:
    return (
        f"That was more than the {limit / (1024 * 1024):g} MB the tracker accepts in one "
        "request. A plan to import must be at most 5 MB; shorter text in a form always fits."
    )


def _fields(values: Any) -> Iterator[tuple[str, str]]:
    """Each (name, value) of a MultiDict; a name holding a control character is a value too."""
    for name, value in values.items(multi=True):
        if _TEXT_CONTROL.search(name):
            yield _shown(name), name
        else:
            yield name, value


def _json_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            key = str(key)
            if _TEXT_CONTROL.search(key):
                yield _shown(key), key
            yield from _json_strings(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{index}]")


def _shown(name: str) -> str:
    """A field's name fit to show: control characters as \\xNN, and not too long."""
    return _ANY_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)[:60]


def _message(what: str, name: str) -> str:
    return (
        f"The {what} '{_shown(name)}' holds a control character (such as a NUL byte) that "
        "cannot be saved or searched for. Remove it and send it again."
    )


def _is_api() -> bool:
    from tracker.api.errors import is_api_request

    return is_api_request()


def _refuse(status: int, message: str, field: str | None = None) -> Response:
    if _is_api():
        from tracker.api.errors import error_response

        return error_response(status, message, _shown(field) if field else None)
    abort(status, description=message)
