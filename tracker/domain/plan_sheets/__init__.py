"""The plan as spreadsheet sheets: the columns of each sheet, and rows read back into records.

Pure: plain values in and out. The files themselves (openpyxl, csv) are read and written in
tracker/spreadsheets/files.py, the database in tracker/services/plan_sheets.py.

Export turns records into cell values: real dates, words as people write them ("Not started",
"Yes"), and a leading apostrophe on text a spreadsheet would take for a formula. Import turns
cell values back into records, naming every problem by sheet, row and column ("row 14",
"Due date", "'31/02/2022' is not a date"), then compares them with the stored plan for the
preview: new, changed (field: old -> new), unchanged, and not in the file (left as it is: an
import never deletes anything).

The modules, in the order an import uses them:

- layout: the sheets and their columns (Sheet, Column, MILESTONES, ...), found by name or
  by a CSV file's headings, and the budgets of an upload (MAX_ROWS, MAX_CELLS, ...);
- budget: an upload's rows, cells and seconds counted as they are read (Budget), and
  OverBudget when one is passed;
- records: what a row holds (MilestoneRecord, DependencyRecord, RiskRecord,
  StatusUpdateRecord);
- cells: one cell written for export (guarded against formulas) or read back (CellError);
- rows: a sheet's rows read into records, each problem named by sheet, row and column;
- checks: an upload checked against the stored plan, and the preview of what it would do
  (new links checked for cycles by cycles);
- kept: a check kept as text between the import's steps (KeptCheck).

Everything public is importable from here, as `tracker.domain.plan_sheets.check_upload`.
"""

from tracker.domain.plan_sheets.budget import Budget, OverBudget
from tracker.domain.plan_sheets.cells import (
    FORMULA_START,
    BadCell,
    CellError,
    CellValue,
    ExportValue,
    export_rows,
    export_value,
    guard,
    read_date,
    read_number,
    read_text,
    read_word,
    read_yes_no,
    unguard,
    word,
)
from tracker.domain.plan_sheets.checks import (
    CHANGED,
    NEW,
    UNCHANGED,
    Change,
    CheckedImport,
    Item,
    StoredPlan,
    check_upload,
    shown,
)
from tracker.domain.plan_sheets.kept import KeptCheck, kept_from_text, kept_text
from tracker.domain.plan_sheets.layout import (
    DATE_HINT,
    DEPENDENCIES,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    MAX_ROWS,
    MAX_SECONDS,
    MILESTONES,
    RISKS,
    SHEETS,
    STATUS_UPDATES,
    Column,
    Sheet,
    sheet_by_key,
    sheet_for_headings,
    sheet_named,
)
from tracker.domain.plan_sheets.records import (
    DependencyRecord,
    LinkKey,
    MilestoneRecord,
    RiskRecord,
    StatusUpdateRecord,
)
from tracker.domain.plan_sheets.rows import Problem, ReadSheet, Row, Table, read_sheet

__all__ = [
    "CHANGED",
    "DATE_HINT",
    "DEPENDENCIES",
    "FORMULA_START",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_PROBLEMS",
    "MAX_ROWS",
    "MAX_SECONDS",
    "MILESTONES",
    "NEW",
    "RISKS",
    "SHEETS",
    "STATUS_UPDATES",
    "UNCHANGED",
    "BadCell",
    "Budget",
    "CellError",
    "CellValue",
    "Change",
    "CheckedImport",
    "Column",
    "DependencyRecord",
    "ExportValue",
    "Item",
    "KeptCheck",
    "LinkKey",
    "MilestoneRecord",
    "OverBudget",
    "Problem",
    "ReadSheet",
    "RiskRecord",
    "Row",
    "Sheet",
    "StatusUpdateRecord",
    "StoredPlan",
    "Table",
    "check_upload",
    "export_rows",
    "export_value",
    "guard",
    "kept_from_text",
    "kept_text",
    "read_date",
    "read_number",
    "read_sheet",
    "read_text",
    "read_word",
    "read_yes_no",
    "sheet_by_key",
    "sheet_for_headings",
    "sheet_named",
    "shown",
    "unguard",
    "word",
]
