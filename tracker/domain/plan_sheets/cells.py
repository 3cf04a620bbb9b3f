"""Cells: a value written for export, and a cell read back as text, a date, a number, Yes or
No, or a word ("In progress" as in_progress). A cell that cannot be read raises CellError."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.domain.plan_sheets.layout import Column, Sheet
from tracker.domain.text import strip_bidi

# A spreadsheet runs text starting with these as a formula (CSV injection), so on export such
# text gets a leading apostrophe, and on import exactly that apostrophe is taken off.
FORMULA_START = ("=", "+", "-", "@")
ExportValue = str | int | date | None


def guard(text: str) -> str:
    if text.startswith(FORMULA_START) or (text.startswith("'") and text[1:2] in FORMULA_START):
        return "'" + text
    return text


def unguard(text: str) -> str:
    return text[1:] if text.startswith("'") and guard(text[1:]) == text else text


def word(value: str) -> str:
    """A stored value as people write it: not_started -> Not started, red -> Red."""
    return value.replace("_", " ").capitalize()


def export_value(column: Column, value: Any) -> ExportValue:
    if value is None or value == "":
        return None
    if column.type == "word":
        return word(str(value))
    if column.type == "yes_no":
        return "Yes" if value else "No"
    if column.type == "links":
        return guard("; ".join(str(link) for link in value)) if value else None
    if isinstance(value, (date, int)):
        return value
    return guard(strip_bidi(str(value)))


def export_rows(sheet: Sheet, records: Iterable[Any]) -> list[list[ExportValue]]:
    return [[export_value(c, getattr(r, c.field)) for c in sheet.columns] for r in records]


@dataclass(frozen=True)
class BadCell:
    """A cell the file could not give a value for: a formula, or an error such as #REF!."""

    message: str


CellValue = str | int | float | bool | date | datetime | BadCell | None


class CellError(ValueError):
    """This cell cannot be read as what its column holds; the message says why."""


def read_text(value: CellValue) -> str | None:
    if isinstance(value, BadCell):
        raise CellError(value.message)
    if value is None:
        return None
    if isinstance(value, bool):
        text = "Yes" if value else "No"
    elif isinstance(value, (date, datetime)):
        text = f"{value:%d/%m/%Y}"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return unguard(text) or None


_MIDNIGHT = r"(?:[ T]00:00(?::00)?)?"
_DMY = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_MIDNIGHT}$")
_YMD = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_MIDNIGHT}$")


def read_date(value: CellValue) -> date | None:
    """A real date cell, or text as dd/mm/yyyy (how UK Excel writes CSV) or yyyy-mm-dd."""
    if isinstance(value, BadCell):
        raise CellError(value.message)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise CellError(f"'{value}' is not a date: format the cell as a date, like 01/07/2022")
    text = value.strip()
    if not text:
        return None
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise CellError(f"'{text}' is not a date: write it as dd/mm/yyyy, like 01/07/2022")
    try:
        found = date(year, month, day)
    except ValueError:
        raise CellError(f"'{text}' is not a date") from None
    return found  # whether it is in the plan's years is the one date rule's to say (rows.py)


_WHOLE = re.compile(r"^[+-]?\d{1,6}$")


def read_number(value: CellValue) -> int | None:
    if isinstance(value, BadCell):
        raise CellError(value.message)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = read_text(value) or ""
    if not text:
        return None
    if not _WHOLE.match(text):
        raise CellError(f"'{text}' is not a whole number")
    return int(text)


_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def read_yes_no(value: CellValue) -> bool:
    if isinstance(value, bool):
        return value
    text = (read_text(value) or "").casefold()
    if not text or text in _NO:
        return False
    if text in _YES:
        return True
    raise CellError(f"'{text}' must be Yes or No")


# How people also write them: the form's "Point in time", a board pack's "R", "A" and "G".
_SYNONYMS = {"point_in_time": "point", "r": "red", "a": "amber", "g": "green"}


def read_word(value: CellValue) -> str | None:
    """ "In progress", "in-progress" and "IN_PROGRESS" all read as in_progress."""
    text = read_text(value)
    if not text:
        return None
    found = re.sub(r"[\s_-]+", "_", text.casefold())
    return _SYNONYMS.get(found, found)
