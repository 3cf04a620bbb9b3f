"""How much of an upload the import reads and checks: rows, columns, cells, seconds, problems.

The limits are layout.py's (MAX_ROWS and the rest). One Budget goes with one upload, from
the first byte read (tracker/spreadsheets/files.py) to the last row checked (checks.py), and
is told about each row and cell as they come; it raises OverBudget as soon as one is passed,
with a message naming the sheet, the budget and what to do. Problems are not refused: the
check stops listing them at `problems` and says there are more.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.domain.plan_sheets.layout import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    MAX_ROWS,
    MAX_SECONDS,
)

SPLIT = "split the plan into smaller files (a workstream each, say) and import them in turn"


class OverBudget(ValueError):
    """An upload is bigger than the import reads; the message says which sheet, and why."""


def _capital(text: str) -> str:
    """The Milestones sheet at the start of a sentence; a file's name as it is."""
    return "The" + text[3:] if text.startswith("the ") else text


@dataclass
class Budget:
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cells: int = MAX_CELLS
    seconds: float = MAX_SECONDS
    problems: int = MAX_PROBLEMS
    clock: Callable[[], float] = time.monotonic
    where: str = "the file"  # what is being read: "the Milestones sheet", "plan.csv"
    cells_read: int = field(default=0, init=False)
    _deadline: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._deadline = self.clock() + self.seconds

    def reading(self, where: str) -> None:
        self.where = where

    def row(self, number: int) -> None:
        """Row `number` (as the spreadsheet numbers it: the headings are row 1) is read."""
        if number - 1 > self.rows:
            raise OverBudget(
                f"{_capital(self.where)} has more than {self.rows:,} rows below the headings, "
                f"and the import reads up to {self.rows:,}: {SPLIT}, or delete any empty rows "
                "below the plan"
            )
        self.tick()

    def headings(self, count: int) -> None:
        if count > self.columns:
            raise OverBudget(
                f"{_capital(self.where)} has headings in more than {self.columns} columns, and "
                f"the import reads up to {self.columns}: delete the columns it does not need"
            )

    def cell(self, count: int = 1) -> None:
        """`count` more cells are read (blank ones the file holds included)."""
        self.cells_read += count
        if self.cells_read > self.cells:
            raise OverBudget(
                f"{_capital(self.where)} takes the upload over {self.cells:,} cells, and the "
                f"import reads up to {self.cells:,} in all: delete the columns and rows it "
                f"does not need, or {SPLIT}"
            )

    def tick(self) -> None:
        """Stop if reading and checking have taken longer than `seconds` in all."""
        if self.clock() > self._deadline:
            raise OverBudget(
                f"Reading and checking {self.where} took more than {self.seconds:g} seconds, "
                f"so the import stopped: {SPLIT}"
            )
