"""An upload checked against the stored plan: the problems that stop it, or the preview of
what confirming it would do (new, changed field by field, unchanged, not in the file). An
import never deletes anything, so what is not in the file is left as it is."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from tracker.domain.plan_sheets.budget import Budget
from tracker.domain.plan_sheets.cells import word
from tracker.domain.plan_sheets.cycles import CycleCheck
from tracker.domain.plan_sheets.layout import (
    DEPENDENCIES,
    MILESTONES,
    SHEETS,
    STATUS_UPDATES,
    Column,
    Sheet,
    sheet_named,
)
from tracker.domain.plan_sheets.records import (
    DependencyRecord,
    LinkKey,
    MilestoneRecord,
    StatusUpdateRecord,
)
from tracker.domain.plan_sheets.rows import Problem, ReadSheet, Table, read_sheet
from tracker.domain.validation import (
    PLAUSIBLE_DATES,
    DateWindow,
    check_completion,
    check_date_in_window,
    check_forecast,
    format_date,
)

R = TypeVar("R")

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


def _plausible(value: date | None) -> bool:
    """A date (not none) that reading the row did not refuse as outside every window."""
    return value is not None and value in PLAUSIBLE_DATES


@dataclass(frozen=True)
class StoredPlan:
    """What the import is checked and compared against, read from the database."""

    workstreams: frozenset[str]  # codes
    people: frozenset[str]  # email addresses
    milestones: Mapping[str, MilestoneRecord]  # by reference
    dependencies: Mapping[LinkKey, int]  # lag by link
    status_updates: Mapping[tuple[str, date], StatusUpdateRecord]
    window: DateWindow = PLAUSIBLE_DATES  # where the programme's dates may be


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
    more_problems: bool = False  # there are more than `problems` lists: the check stopped
    describes_links: bool = False  # a Dependencies sheet, or a Predecessors column

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


def _left_out(part: ReadSheet) -> str:
    """The note on a sheet's optional columns that the file does not have."""
    columns = ", ".join(part.missing)
    kinds = {MILESTONES.key: "milestones", DEPENDENCIES.key: "links"}
    records = kinds.get(part.sheet.key, "status updates")
    return (
        f"The {part.sheet.title} sheet has no {columns} column"
        f"{'s' if len(part.missing) > 1 else ''}: {records} already in the tracker keep "
        "what they have there, and new ones have them blank"
    )


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
    budget: Budget | None = None,
) -> CheckedImport:
    """Read and check every row of an upload against the plan; nothing is changed here.

    Problems are listed up to `budget.problems`, the first in the file's order, and the
    check stops there (`more_problems`); OverBudget if it takes longer than the budget."""
    budget = budget or Budget()
    notes = [
        *notes,
        *(
            f"The {sheet.title} sheet was not read: {sheet.not_imported}"
            for sheet, _ in tables
            if not sheet.importable
        ),
    ]
    stored: dict[str, Mapping[Any, Any]] = {
        MILESTONES.key: plan.milestones,
        DEPENDENCIES.key: plan.dependencies,
        STATUS_UPDATES.key: plan.status_updates,
    }
    read: list[ReadSheet] = []
    for sheet, table in tables:
        if sheet.importable and sum(len(part.problems) for part in read) < budget.problems:
            read.append(read_sheet(sheet, table, budget, stored[sheet.key]))
    problems = [p for part in read for p in part.problems]
    by_sheet = {part.sheet.key: part for part in read}
    sheets = tuple(part.sheet.title for part in read)

    def refused(stopped: bool = False) -> CheckedImport:
        found = sorted(problems, key=_place)
        more = stopped or len(found) > budget.problems
        return CheckedImport(
            tuple(found[: budget.problems]), sheets, tuple(notes), more_problems=more
        )

    if len(problems) >= budget.problems or not all(part.complete for part in read):
        return refused(stopped=True)
    notes += [_left_out(part) for part in read if part.missing]
    budget.reading("the upload")

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
        budget.tick()
        m: MilestoneRecord = row.record
        known(row.number, MILESTONES, m.workstream, {"owner_email": m.owner_email})
        old = plan.milestones.get(m.ref)
        changes = () if old is None else _compare(MILESTONES, old, m, skip=("predecessors",))
        changed = {c.field for c in changes}
        # A date outside every window was refused as the row was read (rows.py).
        for field in ("planned_start", "due_date"):
            value = getattr(m, field)
            if _plausible(value) and (old is None or field in changed):
                for error in check_date_in_window(field, value, plan.window):
                    problem(MILESTONES, row.number, field, error.message)
        if _plausible(m.completed_on) and (old is None or "completed_on" in changed):
            for error in check_completion(m.completed_on, today, plan.window):
                problem(MILESTONES, row.number, "completed_on", error.message)
        if _plausible(m.forecast_date) and (old is None or "forecast_date" in changed):
            for error in check_forecast(m.forecast_date, m.forecast_reason, today, plan.window):
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
    new_links = [
        (p, s)
        for (p, s, t) in links
        if (p, s, t) not in plan.dependencies and p in all_refs and s in all_refs
    ]
    cycles = CycleCheck(((p, s) for p, s, _ in plan.dependencies), new_links)
    link_items: list[Item[DependencyRecord]] = []
    for key, link in links.items():
        budget.tick()
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
            chain = cycles.closes(d.predecessor, d.successor)
            if chain is not None:
                cycle = " → ".join([*chain, d.successor])
                message = f"{d.label} would make a cycle: {cycle}"
                problems.append(Problem(where.sheet, where.row, where.column, message))
                continue
        changes = (
            ()
            if old_lag is None or old_lag == d.lag_days
            else (Change("lag_days", "Lag", shown(None, old_lag), shown(None, d.lag_days)),)
        )
        link_items.append(_item(d.label, d, old_lag, changes))

    if problems:
        return refused()
    # Only links into milestones the file describes are "missing" from it, unless the file
    # has the whole Dependencies sheet; a Milestones sheet without its Predecessors column
    # describes no links.
    whole = DEPENDENCIES.key in by_sheet
    linked = whole or (milestones is not None and milestones.has("predecessors"))
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
        dependencies_not_in_file=tuple(links_left) if linked else (),
        describes_links=linked,
        status_updates_not_in_file=len(set(plan.status_updates) - file_updates) if updates else 0,
    )
