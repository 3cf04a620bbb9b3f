"""The layout of each sheet: its columns, in order, with their headings, widths and hints.

The same layout is written by the export and expected by the import, so a file exported and
uploaded again reads back as the plan it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    heading: str
    field: str
    width: int  # in characters, for the workbook
    type: str = "text"  # text, word ("Not started"), date, number, yes_no, links
    hint: str = ""
    # A file must have a required column; one without an optional column leaves that field as
    # it is on the records it already has, and blank on new ones.
    required: bool = False


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

    @property
    def required(self) -> list[str]:
        """The headings a file of this sheet must have."""
        return [c.heading for c in self.columns if c.required]


DATE_HINT = "a date, dd/mm/yyyy"
MILESTONES = Sheet(
    "milestones",
    "Milestones",
    "Every milestone with its dates, owner, status, evidence and predecessors.",
    (
        Column("Ref", "ref", 10, hint="workstream code, dash, number: GOV-01", required=True),
        Column("Title", "title", 50, hint="up to 200 characters", required=True),
        Column("Description", "description", 50, hint="optional"),
        Column("Workstream", "workstream", 12, hint="the workstream's code: GOV", required=True),
        Column("Owner email", "owner_email", 30,
               hint="someone already in the tracker", required=True),
        Column("Kind", "kind", 10, "word", hint="Activity or Point"),
        Column("Planned start", "planned_start", 14, "date", hint="blank for a point"),
        Column("Due date", "due_date", 14, "date", hint=DATE_HINT, required=True),
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
        Column("Predecessor", "predecessor", 14,
               hint="the milestone that comes first", required=True),
        Column("Successor", "successor", 14, hint="the milestone that waits for it", required=True),
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
        Column("Workstream", "workstream", 12, hint="the workstream's code: GOV", required=True),
        Column("Week commencing", "week_start", 16, "date",
               hint="the Monday, dd/mm/yyyy", required=True),
        Column("RAG", "rag", 8, "word", hint="Red, Amber or Green", required=True),
        Column("Achievements", "achievements", 50),
        Column("Next steps", "next_steps", 50),
        Column("Issues", "issues", 50),
        Column("Author email", "author_email", 30, hint="optional; someone in the tracker"),
    ),
)  # fmt: skip
SHEETS = (MILESTONES, DEPENDENCIES, RISKS, STATUS_UPDATES)


def sheet_by_key(key: str) -> Sheet | None:
    return next((s for s in SHEETS if s.key == key), None)


def name_key(text: Any) -> str:
    """A sheet title or column heading as compared: spacing and capitals do not matter."""
    return " ".join(str(text or "").split()).casefold()


def sheet_named(title: str) -> Sheet | None:
    """The sheet a worksheet's name stands for, however it is capitalised."""
    return next((s for s in SHEETS if name_key(s.title) == name_key(title)), None)


def sheet_for_headings(headings: Sequence[Any]) -> Sheet | None:
    """The sheet whose column headings a CSV file's first row holds: most of them, or most
    of its required ones (a file may leave out optional columns)."""
    given = {name_key(h) for h in headings}

    def share(wanted: Sequence[str]) -> float:
        return sum(name_key(h) in given for h in wanted) / len(wanted) if wanted else 0.0

    scores = [(max(share(s.headings), share(s.required)), s) for s in SHEETS]
    score, best = max(scores, key=lambda pair: pair[0])
    return best if score >= 0.5 else None


# Budgets: how much of an upload the import reads and checks (docs/spreadsheets.md, "Limits").
# A transition plan has a few hundred milestones; the biggest synthetic programme the pages
# are measured with (bench/, 2,000 milestones and 5,000 links) is a third of these, and its
# export reads and checks in about a second. Anything bigger is split into files (a
# workstream each, say). Each budget is checked while the file is read, as the rows and
# cells come, and the import stops at the first one passed.
MAX_ROWS = 10_000  # rows below the headings, in each sheet (blank rows in between count)
MAX_COLUMNS = 50  # headings in row 1 (17 are the import's); cells right of the last are skipped
MAX_CELLS = 250_000  # cells in all the sheets read, blank ones the file holds included
MAX_SECONDS = 10.0  # reading and checking the whole upload
MAX_PROBLEMS = 200  # problems listed; the check stops there ("…and more: fix these first")
