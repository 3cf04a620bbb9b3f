"""Searching free text in a log: every word somewhere in the columns, ignoring case."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, or_
from sqlalchemy.orm import InstrumentedAttribute

Q = TypeVar("Q", bound=Select[Any])


def words_like(query: Q, text: str, *columns: InstrumentedAttribute[str]) -> Q:
    """Every word of `text` in one of the columns, ignoring case."""
    for word in text.split():
        escaped = word.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
        )
    return query
