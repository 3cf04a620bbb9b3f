"""The API's field types: how a value in a request is read (400 when it cannot be, 422 when
it reads but breaks a rule, in the pages' words), and the small helpers the schemas use to
describe a field in the OpenAPI document."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate

from tracker.domain.validation import PLAUSIBLE_DATES, check_date_in_window

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

NULL: dict[str, Any] = {"allow_none": True, "dump_default": None}  # null when absent


def _about(description: str, **more: Any) -> dict[str, Any]:
    return {"metadata": {"description": description, **more}}


def _one_of(choices: list[str], message: str | None = None) -> validate.OneOf:
    return validate.OneOf(choices, error=message or "Must be one of: {choices}.")


class Text(fields.String):
    """Plain text that may be empty: an absent value is shown as ""."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).setdefault("description", "Plain text; may be empty.")
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return super()._serialize(value or "", attr, obj, **kwargs)


class Broken(str):
    """A message about a value that reads but breaks a rule: 422, not 400."""

    __slots__ = ()


def _name(field: fields.Field[Any]) -> str:
    return field.data_key or field.name or "value"


class Day(fields.Date):
    """A date sent as YYYY-MM-DD, in the tracker's window (check_date_in_window, the pages'
    rule: docs/scheduling.md, "The date window"); the service then holds it to the
    programme's window.

    Anything but a string cannot be read (400); a string that is not such a date, or one
    outside the window, breaks a rule (422), in the words the pages use.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        name = _name(self)
        if not isinstance(value, str):
            raise ValidationError(f"'{name}' must be a date string like \"2022-04-01\"")
        try:
            if not ISO_DATE.fullmatch(value):
                raise ValueError(value)
            day = date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                Broken(f"'{value[:40]}' is not a date: write it as YYYY-MM-DD, like 2022-04-01")
            ) from None
        for error in check_date_in_window(name, day, PLAUSIBLE_DATES):
            raise ValidationError(Broken(error.message))
        return day


class Words(fields.String):
    """Text as sent; how long it may be is the domain's rule (check_text), so the document
    gives the limit (`maxLength`) and the service the message."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError(f"'{_name(self)}' must be a string")
        if "\x00" in value or not _encodable(value):
            raise ValidationError(Broken(f"'{_name(self)}' holds characters that are not text"))
        return value


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape
        return False
    return True


class WholeNumber(fields.Integer):
    """A JSON integer: not a string of digits, not true or false, not 3.0."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"'{_name(self)}' must be a whole number")
        return value


class QueryNumber(fields.Integer):
    """A whole number in a query string: ASCII digits only (no sign, spaces or other
    scripts' digits), and not so many that Python declines to convert them."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if not (isinstance(value, str) and value.isascii() and value.isdigit()) or len(value) > 9:
            raise self.make_error("invalid")
        return int(value)


def _whole_query_number(name: str, default: int, maximum: int, description: str) -> Any:
    message = f"'{name}' must be a whole number from 1 to {maximum}"
    return QueryNumber(
        load_default=default,
        validate=validate.Range(1, maximum, error=message),
        error_messages={"invalid": message},
        **_about(description),
    )


def _flag(name: str, description: str) -> Any:
    return fields.Boolean(
        load_default=False,
        error_messages={"invalid": f"'{name}' must be true or false"},
        **_about(description),
    )


def _choice(name: str, choices: list[str], description: str) -> Any:
    return fields.String(
        validate=_one_of(choices, f"'{name}' must be one of {', '.join(choices)}"),
        error_messages={"invalid": f"'{name}' must be one of {', '.join(choices)}"},
        **_about(description),
    )
