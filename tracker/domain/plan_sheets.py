"""The plan as spreadsheet sheets: the columns of each sheet, and rows read back into records.

Pure: plain values in and out. The files themselves (openpyxl, csv) are read and written in
tracker/spreadsheets/files.py, the database in tracker/services/plan_sheets.py.

Export turns records into cell values: real dates, words as people write them ("Not started",
"Yes"), and a leading apostrophe on text a spreadsheet would take for a formula. Import turns
cell values back into records, naming every problem by sheet, row and column ("row 14",
"Due date", "'31/02/2022' is not a date"), then compares them with the stored plan for the
preview: new, changed (field: old -> new), unchanged, and not in the file (left as it is: an
import never deletes anything).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from tracker.domain.network import path_between
from tracker.domain.notation import PredecessorLink, format_predecessor, parse_predecessor
from tracker.domain.terms import DependencyType, MilestoneKind, MilestoneStatus, values
from tracker.domain.validation import (
    REF_PATTERN,
    FieldError,
    check_code,
    check_completion,
    check_dependency,
    check_email,
    check_forecast,
    check_milestone,
    check_rag,
    format_date,
    normalise_email,
)

# Layout ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    heading: str
    field: str
    width: int  # in characters, for the workbook
    type: str = "text"  # text, word ("Not started"), date, number, yes_no, links
    hint: str = ""


@dataclass(frozen=True)
class Sheet:
    key: str  # "status-updates": the CSV's ?sheet= and its file name
    title: str  # "Status updates": the worksheet's name
    summary: str
    columns: tuple[Column, ...]
    not_imported: str = ""  # why, for a sheet the import does not read

    @property
    def importable(self) -> bool:
        return not self.not_imported

    @property
    def headings(self) -> list[str]:
        return [c.heading for c in self.columns]

    def heading(self, field: str) -> str:
        return next(c.heading for c in self.columns if c.field == field)


DATE_HINT = "a date, dd/mm/yyyy"
MILESTONES = Sheet(
    "milestones",
    "Milestones",
    "Every milestone with its dates, owner, status, evidence and predecessors.",
    (
        Column("Ref", "ref", 10, hint="workstream code, dash, number: GOV-01"),
        Column("Title", "title", 50, hint="up to 200 characters"),
        Column("Description", "description", 50, hint="optional"),
        Column("Workstream", "workstream", 12, hint="the workstream's code: GOV"),
        Column("Owner email", "owner_email", 30, hint="someone already in the tracker"),
        Column("Kind", "kind", 10, "word", hint="Activity or Point"),
        Column("Planned start", "planned_start", 14, "date", hint="blank for a point"),
        Column("Due date", "due_date", 14, "date", hint=DATE_HINT),
        Column("Status", "status", 13, "word", hint="Not started, In progress, Complete, Blocked"),
        Column("Completed on", "completed_on", 14, "date", hint="only when complete"),
        Column("Forecast date", "forecast_date", 14, "date", hint="the lead's, if slipping"),
        Column("Forecast reason", "forecast_reason", 30, hint="needed with a forecast date"),
        Column("Blocked reason", "blocked_reason", 30, hint="needed when blocked"),
        Column("Key", "is_key", 6, "yes_no", hint="Yes for a board milestone"),
        Column("Evidence", "evidence_text", 30, hint="needed to complete a key milestone"),
        Column("Evidence link", "evidence_url", 30, hint="starts with https://"),
        Column("Predecessors", "predecessors", 24, "links", hint="GOV-03FS+5; PEO-01"),
    ),
)  # fmt: skip
DEPENDENCIES = Sheet(
    "dependencies",
    "Dependencies",
    "Every link between milestones, one a row (the Predecessors column, written out long).",
    (
        Column("Predecessor", "predecessor", 14, hint="the milestone that comes first"),
        Column("Successor", "successor", 14, hint="the milestone that waits for it"),
        Column("Type", "type", 8, hint="FS (if blank), SS, FF or SF"),
        Column("Lag (working days)", "lag_days", 18, "number", hint="negative is a lead"),
    ),
)  # fmt: skip
RISKS = Sheet(
    "risks",
    "Risks",
    "The risk register with scores (consequence x likelihood).",
    (
        Column("Ref", "ref", 8),
        Column("Title", "title", 40),
        Column("Description", "description", 50),
        Column("Workstream", "workstream", 12),
        Column("Owner email", "owner_email", 30),
        Column("Consequence", "consequence", 13, "number"),
        Column("Likelihood", "likelihood", 11, "number"),
        Column("Score", "score", 8, "number"),
        Column("Target consequence", "target_consequence", 13, "number"),
        Column("Target likelihood", "target_likelihood", 11, "number"),
        Column("Target score", "target_score", 8, "number"),
        Column("Mitigation", "mitigation", 50),
        Column("Status", "status", 9, "word"),
        Column("Raised on", "raised_on", 14, "date"),
        Column("Review on", "review_on", 14, "date"),
        Column("Closed note", "closed_note", 30),
    ),
    not_imported="risks are exported only; change them on the risk register",
)
STATUS_UPDATES = Sheet(
    "status-updates",
    "Status updates",
    "The workstreams' weekly highlight reports: RAG, achievements, next steps and issues.",
    (
        Column("Workstream", "workstream", 12, hint="the workstream's code: GOV"),
        Column("Week commencing", "week_start", 16, "date", hint="the Monday, dd/mm/yyyy"),
        Column("RAG", "rag", 8, "word", hint="Red, Amber or Green"),
        Column("Achievements", "achievements", 50),
        Column("Next steps", "next_steps", 50),
        Column("Issues", "issues", 50),
        Column("Author email", "author_email", 30, hint="optional; someone in the tracker"),
    ),
)  # fmt: skip
SHEETS = (MILESTONES, DEPENDENCIES, RISKS, STATUS_UPDATES)


def sheet_by_key(key: str) -> Sheet | None:
    return next((s for s in SHEETS if s.key == key), None)


def _name(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def sheet_named(title: str) -> Sheet | None:
    """The sheet a worksheet's name stands for, however it is capitalised."""
    return next((s for s in SHEETS if _name(s.title) == _name(title)), None)


def sheet_for_headings(headings: Sequence[Any]) -> Sheet | None:
    """The sheet whose column headings a CSV file's first row holds (most of them, at least)."""
    given = {_name(h) for h in headings}
    scores = [(sum(_name(h) in given for h in s.headings) / len(s.columns), s) for s in SHEETS]
    score, best = max(scores, key=lambda pair: pair[0])
    return best if score >= 0.5 else None


# Records: what a row holds, for export and as read back --------------------------------------

LinkKey = tuple[str, str, str]  # predecessor, successor, type: a link's identity


@dataclass(frozen=True)
class MilestoneRecord:
    ref: str
    title: str
    description: str
    workstream: str
    owner_email: str
    kind: str
    planned_start: date | None
    due_date: date
    status: str
    completed_on: date | None
    forecast_date: date | None
    forecast_reason: str | None
    blocked_reason: str | None
    is_key: bool
    evidence_text: str | None
    evidence_url: str | None
    predecessors: tuple[PredecessorLink, ...] = ()


@dataclass(frozen=True)
class DependencyRecord:
    predecessor: str
    successor: str
    type: str
    lag_days: int

    @property
    def key(self) -> LinkKey:
        return (self.predecessor, self.successor, self.type)

    @property
    def label(self) -> str:
        return (
            f"{format_predecessor(self.predecessor, self.type, self.lag_days)} → {self.successor}"
        )


@dataclass(frozen=True)
class RiskRecord:
    ref: str
    title: str
    description: str
    workstream: str | None
    owner_email: str
    consequence: int
    likelihood: int
    target_consequence: int
    target_likelihood: int
    mitigation: str
    status: str
    raised_on: date
    review_on: date | None
    closed_note: str | None

    @property
    def score(self) -> int:
        return self.consequence * self.likelihood

    @property
    def target_score(self) -> int:
        return self.target_consequence * self.target_likelihood


@dataclass(frozen=True)
class StatusUpdateRecord:
    workstream: str
    week_start: date
    rag: str
    achievements: str
    next_steps: str
    issues: str
    author_email: str | None

    @property
    def label(self) -> str:
        return f"{self.workstream} week commencing {format_date(self.week_start)}"


# Cells ---------------------------------------------------------------------------------------

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
    return guard(str(value))


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
    if not 1900 <= found.year <= 2999:
        raise CellError(f"'{text}' is not a date in this plan's years")
    return found


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


# Problems ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be imported: ("Milestones", "row 14", "Due date", "'31/02/2022' is not
    a date"). Row 1 is the headings, as a spreadsheet numbers them."""

    sheet: str
    row: str
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}, {self.row}, {self.column}: {self.message}"


@dataclass(frozen=True)
class Table:
    """One sheet as read from a file: its first row (the headings) and the rows below, each
    with the number a spreadsheet shows for it."""

    title: str
    headings: tuple[CellValue, ...]
    rows: tuple[tuple[int, tuple[CellValue, ...]], ...]


class _RowReader:
    """Reads one row's cells by field, keeping every problem and which fields had one."""

    def __init__(self, sheet: Sheet, number: int, cells: Sequence[CellValue], at: dict[str, int]):
        self.sheet, self.number, self.cells, self.at = sheet, number, cells, at
        self.problems: list[Problem] = []
        self.bad: set[str] = set()

    def problem(self, field: str, message: str) -> None:
        if field not in self.bad:  # one message a cell: what could not be read comes first
            self.bad.add(field)
            self.problems.append(
                Problem(self.sheet.title, f"row {self.number}", self.sheet.heading(field), message)
            )

    def add(self, errors: Iterable[FieldError], rename: Mapping[str, str] | None = None) -> None:
        for error in errors:
            self.problem((rename or {}).get(error.field, error.field), error.message)

    def _read(self, field: str, reader: Callable[[CellValue], Any]) -> Any:
        index = self.at[field]
        try:
            return reader(self.cells[index] if index < len(self.cells) else None)
        except CellError as exc:
            self.problem(field, str(exc))
            return None

    def text(self, field: str) -> str | None:
        return self._read(field, read_text)

    def code(self, field: str) -> str:
        return (self.text(field) or "").upper()

    def date(self, field: str) -> date | None:
        return self._read(field, read_date)

    def whole_number(self, field: str) -> int | None:
        return self._read(field, read_number)

    def word(self, field: str) -> str | None:
        return self._read(field, read_word)

    def choice(self, field: str, allowed: Sequence[str]) -> str | None:
        """One of a fixed set of words, as stored; anything else as typed, for the message."""
        found = self.word(field)
        return found if found is None or found in allowed else self.text(field)

    def yes_no(self, field: str) -> bool:
        return bool(self._read(field, read_yes_no))

    def links(self, field: str) -> tuple[PredecessorLink, ...]:
        found = []
        for part in re.split(r"[;,\n]", self.text(field) or ""):
            if part.strip():
                try:
                    found.append(parse_predecessor(part.strip()))
                except ValueError as exc:
                    self.problem(field, str(exc))
        return tuple(found)


def _positions(sheet: Sheet, table: Table) -> tuple[dict[str, int], list[Problem]]:
    """Where each of the sheet's columns is, by its heading in row 1 (in any order)."""
    at: dict[str, int] = {}
    problems = []
    found = [_name(h) for h in table.headings]
    for column in sheet.columns:
        places = [i for i, name in enumerate(found) if name == _name(column.heading)]
        if not places:
            message = "this column is missing: row 1 must hold the column headings, as in an export"
        elif len(places) > 1:
            message = f"this heading is in row 1 {len(places)} times: keep one"
        else:
            at[column.field] = places[0]
            continue
        problems.append(Problem(sheet.title, "row 1", column.heading, message))
    return at, problems


def _read_milestone(r: _RowReader) -> MilestoneRecord | None:
    ref = r.code("ref")
    title = r.text("title")
    description = r.text("description") or ""
    workstream = r.code("workstream")
    owner = normalise_email(r.text("owner_email"))
    planned_start, due_date = r.date("planned_start"), r.date("due_date")
    kind = (
        r.choice("kind", values(MilestoneKind))
        or (MilestoneKind.ACTIVITY if planned_start else MilestoneKind.POINT).value
    )
    status = r.choice("status", values(MilestoneStatus)) or MilestoneStatus.NOT_STARTED.value
    if kind == MilestoneKind.POINT and planned_start == due_date:
        planned_start = None  # a point's start typed as its due date, as the form allows
    completed_on, forecast_date = r.date("completed_on"), r.date("forecast_date")
    forecast_reason, blocked_reason = r.text("forecast_reason"), r.text("blocked_reason")
    is_key = r.yes_no("is_key")
    evidence_text, evidence_url = r.text("evidence_text"), r.text("evidence_url")
    links = r.links("predecessors")
    r.add(check_code(workstream), {"code": "workstream"})
    r.add(check_email(owner, "owner_email"))
    # What follows from a status or kind that could not be read would only repeat the problem.
    follows: set[str] = set()
    if "status" in r.bad or status not in values(MilestoneStatus):
        follows |= {"completed_on", "blocked_reason", "evidence_text"}
    if "kind" in r.bad or kind not in values(MilestoneKind):
        follows.add("planned_start")
    errors = check_milestone(
        ref=ref,
        title=title,
        kind=kind,
        planned_start=planned_start,
        due_date=due_date,
        status=status,
        completed_on=completed_on,
        blocked_reason=blocked_reason,
        forecast_date=forecast_date,
        forecast_reason=forecast_reason,
        is_key=is_key,
        evidence_text=evidence_text,
        evidence_url=evidence_url,
    )
    r.add(e for e in errors if e.field not in follows)
    if title and len(title) > 200:
        r.problem("title", f"The title is {len(title)} characters: keep it to 200")
    if evidence_url and len(evidence_url) > 500:
        r.problem("evidence_url", "The evidence link is over 500 characters")
    for link in links:
        r.add(
            check_dependency(
                predecessor=link.ref, successor=ref, type=link.type, lag_days=link.lag_days
            ),
            dict.fromkeys(("predecessor", "successor", "type", "lag_days"), "predecessors"),
        )
    if r.problems or not (title and due_date):
        return None
    return MilestoneRecord(
        ref=ref,
        title=title,
        description=description,
        workstream=workstream,
        owner_email=owner,
        kind=kind,
        planned_start=planned_start,
        due_date=due_date,
        status=status,
        completed_on=completed_on,
        forecast_date=forecast_date,
        forecast_reason=forecast_reason,
        blocked_reason=blocked_reason,
        is_key=is_key,
        evidence_text=evidence_text,
        evidence_url=evidence_url,
        predecessors=links,
    )


def _read_dependency(r: _RowReader) -> DependencyRecord | None:
    predecessor, successor = r.code("predecessor"), r.code("successor")
    type_ = r.code("type") or DependencyType.FS.value
    lag = r.whole_number("lag_days")
    lag = 0 if lag is None and "lag_days" not in r.bad else lag
    for field, ref in (("predecessor", predecessor), ("successor", successor)):
        if not ref:
            r.problem(field, f"Enter the reference of the {r.sheet.heading(field).lower()}")
        elif not REF_PATTERN.match(ref):
            r.problem(field, f"'{ref}' must look like GOV-01 (code, dash, number)")
    r.add(
        check_dependency(
            predecessor=predecessor or None, successor=successor or None, type=type_, lag_days=lag
        )
    )
    if r.problems or lag is None:
        return None
    return DependencyRecord(predecessor, successor, type_, lag)


def _read_status_update(r: _RowReader) -> StatusUpdateRecord | None:
    workstream = r.code("workstream")
    week = r.date("week_start")
    rag = r.choice("rag", ("red", "amber", "green"))
    achievements, next_steps, issues = (
        r.text("achievements"),
        r.text("next_steps"),
        r.text("issues"),
    )
    author = normalise_email(r.text("author_email")) or None
    r.add(check_code(workstream), {"code": "workstream"})
    if week is None:
        r.problem("week_start", "Enter the Monday of the week reported on")
    elif week.weekday() != 0:
        r.problem("week_start", f"{format_date(week)} is a {week:%A}: give the Monday of the week")
    if not rag:
        r.problem("rag", "Enter Red, Amber or Green")
    r.add(check_rag("rag", rag))
    if author:
        r.add(check_email(author, "author_email"))
    if r.problems or week is None or rag is None:
        return None
    return StatusUpdateRecord(
        workstream, week, rag, achievements or "", next_steps or "", issues or "", author
    )


_READERS: dict[str, Callable[[_RowReader], Any]] = {
    MILESTONES.key: _read_milestone,
    DEPENDENCIES.key: _read_dependency,
    STATUS_UPDATES.key: _read_status_update,
}
R = TypeVar("R")


@dataclass(frozen=True)
class Row(Generic[R]):
    number: int
    record: R


@dataclass(frozen=True)
class ReadSheet:
    """One sheet's rows as records; `refs` holds every row's reference, readable or not, so
    that a link to a row with a problem is not also called unknown."""

    sheet: Sheet
    rows: tuple[Row[Any], ...]
    problems: tuple[Problem, ...]
    refs: dict[str, int]  # first row of each reference (milestones only)


def read_sheet(sheet: Sheet, table: Table) -> ReadSheet:
    """Every row of a table as a record, or the problems that stop it being one."""
    at, problems = _positions(sheet, table)
    if problems:
        return ReadSheet(sheet, (), tuple(problems), {})
    rows: list[Row[Any]] = []
    refs: dict[str, int] = {}
    seen: dict[tuple[str, date], int] = {}
    for number, cells in table.rows:
        reader = _RowReader(sheet, number, cells, at)
        record = _READERS[sheet.key](reader)
        if sheet is MILESTONES:
            ref = reader.code("ref") if "ref" not in reader.bad else ""
            if ref in refs:
                reader.problem("ref", f"{ref} is also on row {refs[ref]}: a milestone once")
            elif ref:
                refs[ref] = number
        if sheet is STATUS_UPDATES and record is not None:
            key = (record.workstream, record.week_start)
            if key in seen:
                reader.problem("week_start", f"{record.label} is also on row {seen[key]}")
            seen.setdefault(key, number)
        problems += reader.problems
        if record is not None and not reader.problems:
            rows.append(Row(number, record))
    return ReadSheet(sheet, tuple(rows), tuple(problems), refs)


# The stored plan and the comparison ----------------------------------------------------------

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


@dataclass(frozen=True)
class StoredPlan:
    """What the import is checked and compared against, read from the database."""

    workstreams: frozenset[str]  # codes
    people: frozenset[str]  # email addresses
    milestones: Mapping[str, MilestoneRecord]  # by reference
    dependencies: Mapping[LinkKey, int]  # lag by link
    status_updates: Mapping[tuple[str, date], StatusUpdateRecord]


@dataclass(frozen=True)
class Change:
    field: str
    column: str
    old: str  # as people read it: "1 July 2022", "(blank)"
    new: str


@dataclass(frozen=True)
class Item(Generic[R]):
    action: str  # new, changed or unchanged
    label: str
    record: R
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class CheckedImport:
    """An upload checked against the plan: its problems, or what confirming it would do."""

    problems: tuple[Problem, ...]
    sheets: tuple[str, ...]  # the sheets read
    notes: tuple[str, ...]  # what was not read, and why
    milestones: tuple[Item[MilestoneRecord], ...] = ()
    dependencies: tuple[Item[DependencyRecord], ...] = ()
    status_updates: tuple[Item[StatusUpdateRecord], ...] = ()
    milestones_not_in_file: tuple[str, ...] = ()
    dependencies_not_in_file: tuple[str, ...] = ()
    status_updates_not_in_file: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def items(self) -> tuple[Item[Any], ...]:
        return (*self.milestones, *self.dependencies, *self.status_updates)

    @property
    def changes_anything(self) -> bool:
        return any(item.action != UNCHANGED for item in self.items())

    def fingerprint(self) -> str:
        """Stands for exactly what confirming would change: the preview a person saw must
        still be what is applied."""
        items = self.items()
        text = repr([(i.action, i.record, i.changes) for i in items if i.action != UNCHANGED])
        return hashlib.sha256(text.encode()).hexdigest()


def shown(column: Column | None, value: Any) -> str:
    if value is None or value == "" or value == ():
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return format_date(value)
    text = word(value) if column is not None and column.type == "word" else str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, str | None) and isinstance(new, str | None):
        # Blank is blank, and line endings are whatever the spreadsheet used.
        return (old or "").replace("\r\n", "\n").strip() == (new or "").replace(
            "\r\n", "\n"
        ).strip()
    return bool(old == new)


def _compare(sheet: Sheet, old: Any, new: Any, skip: Sequence[str] = ()) -> tuple[Change, ...]:
    return tuple(
        Change(c.field, c.heading, shown(c, getattr(old, c.field)), shown(c, getattr(new, c.field)))
        for c in sheet.columns
        if c.field not in skip and not _same(getattr(old, c.field), getattr(new, c.field))
    )


def _item(label: str, record: Any, old: Any, changes: tuple[Change, ...]) -> Item[Any]:
    action = NEW if old is None else CHANGED if changes else UNCHANGED
    return Item(action, label, record, changes)


@dataclass(frozen=True)
class _Link:
    record: DependencyRecord
    where: Problem  # the sheet, row and column it came from; message unused


def _links(read: Sequence[ReadSheet]) -> tuple[dict[LinkKey, _Link], list[Problem]]:
    """Links from Predecessors cells and from the Dependencies sheet; where both give one
    link they must agree on its lag."""
    found: dict[LinkKey, _Link] = {}
    problems: list[Problem] = []
    for part in read:
        for row in part.rows:
            if part.sheet is MILESTONES:
                column = MILESTONES.heading("predecessors")
                records = [
                    DependencyRecord(p.ref, row.record.ref, p.type, p.lag_days)
                    for p in row.record.predecessors
                ]
            elif part.sheet is DEPENDENCIES:
                column, records = DEPENDENCIES.heading("predecessor"), [row.record]
            else:
                continue
            for record in records:
                here = Problem(part.sheet.title, f"row {row.number}", column, "")
                before = found.get(record.key)
                if before is None:
                    found[record.key] = _Link(record, here)
                    continue
                there = f"{before.where.sheet} {before.where.row}"
                if before.record.lag_days != record.lag_days:
                    message = (
                        f"{record.label} disagrees with {before.record.label} on {there}: "
                        "make them agree"
                    )
                elif before.where.sheet == here.sheet:
                    message = f"{record.label} is also on {there}: give each link once"
                else:
                    continue  # the Predecessors column and the Dependencies sheet agree
                problems.append(Problem(here.sheet, here.row, here.column, message))
    return found, problems


def _place(problem: Problem) -> tuple[int, int, int]:
    """Problems in the order of the file: by sheet, row, then column."""
    sheet = sheet_named(problem.sheet) or MILESTONES
    row = int(problem.row.removeprefix("row ")) if problem.row.startswith("row ") else 0
    headings = sheet.headings
    column = headings.index(problem.column) if problem.column in headings else len(headings)
    return SHEETS.index(sheet), row, column


def check_upload(
    tables: Sequence[tuple[Sheet, Table]],
    plan: StoredPlan,
    today: date,
    notes: Sequence[str] = (),
) -> CheckedImport:
    """Read and check every row of an upload against the plan; nothing is changed here."""
    notes = [
        *notes,
        *(
            f"The {sheet.title} sheet was not read: {sheet.not_imported}"
            for sheet, _ in tables
            if not sheet.importable
        ),
    ]
    read = [read_sheet(sheet, table) for sheet, table in tables if sheet.importable]
    problems = [p for part in read for p in part.problems]
    by_sheet = {part.sheet.key: part for part in read}
    sheets = tuple(part.sheet.title for part in read)

    def problem(sheet: Sheet, number: int, field: str, message: str) -> None:
        problems.append(Problem(sheet.title, f"row {number}", sheet.heading(field), message))

    def known(number: int, sheet: Sheet, workstream: str, emails: dict[str, str | None]) -> None:
        if workstream not in plan.workstreams:
            problem(
                sheet,
                number,
                "workstream",
                f"There is no workstream {workstream} in this programme",
            )
        for field, email in emails.items():
            if email and email not in plan.people:
                message = f"{email} is not anyone in the tracker: check it, or add them first"
                problem(sheet, number, field, message)

    milestones = by_sheet.get(MILESTONES.key)
    milestone_items: list[Item[MilestoneRecord]] = []
    file_refs = set(milestones.refs) if milestones else set()
    for row in milestones.rows if milestones else ():
        m: MilestoneRecord = row.record
        known(row.number, MILESTONES, m.workstream, {"owner_email": m.owner_email})
        old = plan.milestones.get(m.ref)
        changes = () if old is None else _compare(MILESTONES, old, m, skip=("predecessors",))
        changed = {c.field for c in changes}
        if m.completed_on and (old is None or "completed_on" in changed):
            for error in check_completion(m.completed_on, today):
                problem(MILESTONES, row.number, "completed_on", error.message)
        if m.forecast_date and (old is None or "forecast_date" in changed):
            for error in check_forecast(m.forecast_date, m.forecast_reason, today):
                if error.field == "forecast_date":
                    problem(MILESTONES, row.number, "forecast_date", error.message)
        milestone_items.append(_item(f"{m.ref} {m.title}", m, old, changes))

    updates = by_sheet.get(STATUS_UPDATES.key)
    update_items: list[Item[StatusUpdateRecord]] = []
    for row in updates.rows if updates else ():
        u: StatusUpdateRecord = row.record
        known(row.number, STATUS_UPDATES, u.workstream, {"author_email": u.author_email})
        previous = plan.status_updates.get((u.workstream, u.week_start))
        changes = () if previous is None else _compare(STATUS_UPDATES, previous, u)
        update_items.append(_item(u.label, u, previous, changes))

    links, link_problems = _links(read)
    problems += link_problems
    all_refs = set(plan.milestones) | file_refs
    edges = {(p, s) for p, s, _ in plan.dependencies}
    link_items: list[Item[DependencyRecord]] = []
    for key, link in links.items():
        d, where = link.record, link.where
        unknown = [ref for ref in (d.predecessor, d.successor) if ref not in all_refs]
        for ref in unknown:
            column = where.column
            if where.sheet == DEPENDENCIES.title and ref == d.successor:
                column = DEPENDENCIES.heading("successor")
            message = f"{ref} is not a milestone in the file or in the plan"
            problems.append(Problem(where.sheet, where.row, column, message))
        old_lag = plan.dependencies.get(key)
        if old_lag is None and not unknown:
            # As add_dependency does: a new link must not close a chain back on itself.
            chain = path_between(edges, d.successor, d.predecessor)
            if chain is not None:
                cycle = " → ".join([*chain, d.successor])
                message = f"{d.label} would make a cycle: {cycle}"
                problems.append(Problem(where.sheet, where.row, where.column, message))
                continue
            edges.add((d.predecessor, d.successor))
        changes = (
            ()
            if old_lag is None or old_lag == d.lag_days
            else (Change("lag_days", "Lag", shown(None, old_lag), shown(None, d.lag_days)),)
        )
        link_items.append(_item(d.label, d, old_lag, changes))

    if problems:
        return CheckedImport(tuple(sorted(problems, key=_place)), sheets, tuple(notes))
    # Only links into milestones the file describes are "missing" from it, unless the file
    # has the whole Dependencies sheet.
    whole = DEPENDENCIES.key in by_sheet
    links_left = [
        DependencyRecord(p, s, t, lag).label
        for (p, s, t), lag in sorted(plan.dependencies.items())
        if (p, s, t) not in links and (whole or s in file_refs)
    ]
    file_updates = {(u.record.workstream, u.record.week_start) for u in update_items}
    return CheckedImport(
        problems=(),
        sheets=sheets,
        notes=tuple(notes),
        milestones=tuple(milestone_items),
        dependencies=tuple(link_items),
        status_updates=tuple(update_items),
        milestones_not_in_file=tuple(sorted(set(plan.milestones) - file_refs))
        if milestones
        else (),
        dependencies_not_in_file=tuple(links_left) if (whole or milestones) else (),
        status_updates_not_in_file=len(set(plan.status_updates) - file_updates) if updates else 0,
    )
