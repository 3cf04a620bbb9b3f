"""Reading what a client sends: query parameters, pages of lists, JSON bodies.

A parameter or field that is not what it should be stops the request with the error shape:
400 when it cannot be read at all (not JSON, not an object, a number where text belongs, an
unknown field or query value), 422 when it reads but breaks a rule (a date that does not
exist, or is out of range).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from flask import request, url_for

from tracker.api.errors import ApiError
from tracker.updates.forms import TEXT_LIMIT as FORM_TEXT_LIMIT

T = TypeVar("T")

# The longest text a field takes, as on the pages' forms; a link fits its column.
TEXT_LIMIT = FORM_TEXT_LIMIT
URL_LIMIT = 500
MAX_BODY_BYTES = 64 * 1024
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 100_000  # far beyond any real list; keeps offsets within a database integer
# Dates further than this from today are refused: no plan is that long, and the working-day
# calendar would be built (bank holiday by bank holiday) all the way there.
DATE_WINDOW_YEARS = 10
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")


# --- query parameters ---------------------------------------------------------------------


def _whole_number(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    # Length first: Python refuses to convert strings of thousands of digits.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9 and 1 <= int(raw) <= maximum):
        raise ApiError(400, f"'{name}' must be a whole number from 1 to {maximum}", name)
    return int(raw)


def choice(name: str, allowed: Sequence[str]) -> str | None:
    """An optional query parameter that must be one of `allowed`."""
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw not in allowed:
        raise ApiError(400, f"'{name}' must be one of {', '.join(allowed)}", name)
    return raw


def flag(name: str) -> bool:
    """An optional true/false query parameter (absent is false)."""
    raw = request.args.get(name)
    if raw is None:
        return False
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise ApiError(400, f"'{name}' must be true or false", name)


def code(name: str, known: Sequence[str], what: str) -> str | None:
    """An optional workstream code, upper-cased, that must name one of `known`."""
    raw = request.args.get(name)
    if raw is None:
        return None
    wanted = raw.strip().upper()
    if wanted not in known:
        raise ApiError(
            400, f"There is no {what} '{raw}': one of {', '.join(known) or 'none'}", name
        )
    return wanted


# --- pages of a list ----------------------------------------------------------------------


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and what the client needs to fetch the next."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    def next_url(self) -> str | None:
        if not self.has_next:
            return None
        path_values = request.view_args or {}
        # Keep the client's filters; url_for's own options (_external...) are not theirs.
        values: dict[str, Any] = {
            name: value
            for name, value in request.args.items()
            if not name.startswith("_") and name not in path_values
        }
        values.update(path_values, page=self.page + 1, per_page=self.per_page)
        return url_for(str(request.endpoint), **values, _external=True)

    def as_json(self, render: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
        return self.envelope([render(item) for item in self.items])

    def envelope(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """The list's shape, with this page's items already rendered."""
        return {
            "items": items,
            "page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "next": self.next_url(),
        }


def page_numbers() -> tuple[int, int]:
    """The page asked for (from 1) and its size (50 unless asked, at most 200)."""
    return (
        _whole_number("page", 1, MAX_PAGE),
        _whole_number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    )


def paginate(items: Sequence[T]) -> Page[T]:
    """A page of a list already in memory (the schedule is computed whole anyway)."""
    page, per_page = page_numbers()
    start = (page - 1) * per_page
    return Page(list(items[start : start + per_page]), page, per_page, len(items))


# --- JSON bodies --------------------------------------------------------------------------


def json_body(fields: Sequence[str]) -> dict[str, Any]:
    """The request's JSON object, with only the fields named (all optional here: the
    service says which are required, in its own words)."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON, with 'Content-Type: application/json'")
    # Far more than any change needs; reading more would only cost memory (413 beyond).
    request.max_content_length = MAX_BODY_BYTES
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, 'The body must be a JSON object, like {"completed_on": ...}')
    for name in body:
        if name not in fields:
            raise ApiError(
                400, f"Unknown field '{name}': the fields are {', '.join(fields)}", str(name)
            )
    return body


def text(body: dict[str, Any], name: str, max_length: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"'{name}' must be a string or null", name)
    if "\x00" in value or not _encodable(value):
        raise ApiError(422, f"'{name}' holds characters that are not text", name)
    if len(value) > max_length:
        raise ApiError(422, f"'{name}' must be at most {max_length} characters", name)
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
        return False
    return True


def iso_date(body: dict[str, Any], name: str, today: date) -> date | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"'{name}' must be a date string like \"2022-04-01\", or null", name)
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            422, f"'{value[:40]}' is not a date: write it as YYYY-MM-DD, like 2022-04-01", name
        ) from None
    if abs(day.year - today.year) > DATE_WINDOW_YEARS:
        raise ApiError(422, f"{name} must be within {DATE_WINDOW_YEARS} years of today", name)
    return day


def version(body: dict[str, Any]) -> int | None:
    value = body.get("version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, "'version' must be a whole number (the milestone's version)", "version")
    return value
