"""Rows read back into records: each cell by its column's heading, each row checked by the
same rules as the forms, every problem named by sheet, row and column."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from tracker.domain.notation import PredecessorLink, parse_predecessor
from tracker.domain.plan_sheets.budget import Budget
from tracker.domain.plan_sheets.cells import (
    CellError,
    CellValue,
    read_date,
    read_number,
    read_text,
    read_word,
    read_yes_no,
)
from tracker.domain.plan_sheets.layout import (
    DEPENDENCIES,
    MILESTONES,
    STATUS_UPDATES,
    Sheet,
    name_key,
)
from tracker.domain.plan_sheets.records import (
    DependencyRecord,
    MilestoneRecord,
    StatusUpdateRecord,
)
from tracker.domain.terms import DependencyType, MilestoneKind, MilestoneStatus, values
from tracker.domain.text import strip_bidi
from tracker.domain.validation import (
    REF_PATTERN,
    FieldError,
    check_code,
    check_date_in_window,
    check_dependency,
    check_email,
    check_milestone,
    check_rag,
    format_date,
    normalise_email,
)


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
    """Reads one row's cells by field, keeping every problem and which fields had one. A
    field whose column the file does not have reads as blank; `stored` holds the records
    the sheet's rows are matched with, for the readers to keep such a field as it is."""

    def __init__(
        self,
        sheet: Sheet,
        number: int,
        cells: Sequence[CellValue],
        at: dict[str, int],
        stored: Mapping[Any, Any],
        emails: dict[tuple[str, str], list[FieldError]],
    ):
        self.sheet, self.number, self.cells, self.at = sheet, number, cells, at
        self.stored, self._emails = stored, emails
        self.problems: list[Problem] = []
        self.bad: set[str] = set()

    def given(self, field: str) -> bool:
        """Whether the file has the field's column."""
        return field in self.at

    def email(self, email: str, field: str) -> list[FieldError]:
        """check_email, once for each address: a plan has a few owners on many rows."""
        key = (email, field)
        if key not in self._emails:
            self._emails[key] = check_email(email, field)
        return self._emails[key]

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
        index = self.at.get(field, len(self.cells))  # a column the file leaves out is blank
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
        day = self._read(field, read_date)
        self.add(check_date_in_window(field, day))  # the one rule, for every sheet's dates
        return day

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
    """Where each of the sheet's columns is, by its heading in row 1 (in any order); only a
    required column must be there."""
    at: dict[str, int] = {}
    problems = []
    found = [name_key(h) for h in table.headings]
    for column in sheet.columns:
        places = [i for i, name in enumerate(found) if name == name_key(column.heading)]
        if not places and not column.required:
            continue
        if not places:
            message = "this column is missing: row 1 must hold the column headings, as in an export"
        elif len(places) > 1:
            message = f"this heading is in row 1 {len(places)} times: keep one"
        else:
            at[column.field] = places[0]
            continue
        problems.append(Problem(sheet.title, "row 1", column.heading, message))
    return at, problems


_KINDS, _STATUSES = values(MilestoneKind), values(MilestoneStatus)
_LINK_TYPES = values(DependencyType)


def _read_milestone(r: _RowReader) -> MilestoneRecord | None:
    ref = r.code("ref")
    # A milestone already in the plan keeps what the file has no column for.
    old: MilestoneRecord | None = r.stored.get(ref)

    def kept(field: str, value: Any) -> Any:
        return getattr(old, field) if old is not None and not r.given(field) else value

    title = strip_bidi(r.text("title"))
    description = kept("description", r.text("description") or "")
    workstream = r.code("workstream")
    owner = normalise_email(r.text("owner_email"))
    planned_start = kept("planned_start", r.date("planned_start"))
    due_date = r.date("due_date")
    kind = kept(
        "kind",
        r.choice("kind", _KINDS)
        or (MilestoneKind.ACTIVITY if planned_start else MilestoneKind.POINT).value,
    )
    status = kept("status", r.choice("status", _STATUSES) or MilestoneStatus.NOT_STARTED.value)
    if kind == MilestoneKind.POINT and planned_start == due_date:
        planned_start = None  # a point's start typed as its due date, as the form allows
    completed_on = kept("completed_on", r.date("completed_on"))
    forecast_date = kept("forecast_date", r.date("forecast_date"))
    forecast_reason = kept("forecast_reason", r.text("forecast_reason"))
    blocked_reason = kept("blocked_reason", r.text("blocked_reason"))
    is_key = kept("is_key", r.yes_no("is_key"))
    evidence_text = kept("evidence_text", r.text("evidence_text"))
    evidence_url = kept("evidence_url", r.text("evidence_url"))
    # Without the column the file gives no links (checks.py leaves the plan's as they are).
    links = r.links("predecessors")
    r.add(check_code(workstream), {"code": "workstream"})
    r.add(r.email(owner, "owner_email"))
    # What follows from a status or kind that could not be read would only repeat the problem.
    follows: set[str] = set()
    if "status" in r.bad or status not in _STATUSES:
        follows |= {"completed_on", "blocked_reason", "evidence_text"}
    if "kind" in r.bad or kind not in _KINDS:
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
    if not r.given("type"):  # the one link already between the two keeps its type
        types = [t for t in _LINK_TYPES if (predecessor, successor, t) in r.stored]
        type_ = types[0] if len(types) == 1 else type_
    lag = r.whole_number("lag_days")
    if not r.given("lag_days"):  # a link already in the plan keeps its lag
        lag = r.stored.get((predecessor, successor, type_), 0)
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
    # An update already in the tracker keeps what the file has no column for.
    old: StatusUpdateRecord | None = r.stored.get((workstream, week))
    if old is not None:
        achievements = old.achievements if not r.given("achievements") else achievements
        next_steps = old.next_steps if not r.given("next_steps") else next_steps
        issues = old.issues if not r.given("issues") else issues
        author = old.author_email if not r.given("author_email") else author
    r.add(check_code(workstream), {"code": "workstream"})
    if week is None:
        r.problem("week_start", "Enter the Monday of the week reported on")
    elif week.weekday() != 0:
        r.problem("week_start", f"{format_date(week)} is a {week:%A}: give the Monday of the week")
    if not rag:
        r.problem("rag", "Enter Red, Amber or Green")
    r.add(check_rag("rag", rag))
    if author:
        r.add(r.email(author, "author_email"))
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
    complete: bool = True  # False when reading stopped at the budget's number of problems
    missing: tuple[str, ...] = ()  # the optional columns the file does not have (headings)

    def has(self, field: str) -> bool:
        return self.sheet.heading(field) not in self.missing


def read_sheet(
    sheet: Sheet,
    table: Table,
    budget: Budget | None = None,
    stored: Mapping[Any, Any] | None = None,
) -> ReadSheet:
    """Every row of a table as a record, or the problems that stop it being one; reading
    stops once there are `budget.problems` of them (OverBudget when time is up).

    `stored` holds the records already in the plan that the rows are matched with (by
    reference, link or workstream and week): a row of one keeps the fields whose optional
    columns the file leaves out; a new row has them blank."""
    budget = budget or Budget()
    budget.reading(f"the {sheet.title} sheet")
    at, problems = _positions(sheet, table)
    missing = tuple(c.heading for c in sheet.columns if c.field not in at)
    if problems:
        return ReadSheet(sheet, (), tuple(problems), {}, missing=missing)
    rows: list[Row[Any]] = []
    refs: dict[str, int] = {}
    seen: dict[tuple[str, date], int] = {}
    emails: dict[tuple[str, str], list[FieldError]] = {}
    for number, cells in table.rows:
        if len(problems) >= budget.problems:
            return ReadSheet(
                sheet, tuple(rows), tuple(problems), refs, complete=False, missing=missing
            )
        budget.tick()
        reader = _RowReader(sheet, number, cells, at, stored or {}, emails)
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
    return ReadSheet(sheet, tuple(rows), tuple(problems), refs, missing=missing)
