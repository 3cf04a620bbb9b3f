"""The import's budgets (issue 16, part 8): rows, columns, cells, seconds and problems.

An upload is counted as it is read and refused as soon as it passes a budget, with a message
naming the sheet and the budget; problems are listed up to MAX_PROBLEMS, then "…and more".
The hostile workbooks are written as XML by hand (no dimensions, as a script would make
them), so that building one takes no time; a plan of a few thousand rows still imports.
"""

from __future__ import annotations

import io
import time
import zipfile
from functools import partial
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook

from tests.test_spreadsheets import BASE, file_error, page, plan_state, problems, refused, upload
from tracker.domain.plan_sheets import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    MAX_ROWS,
    MILESTONES,
    Budget,
    OverBudget,
    Table,
    read_sheet,
)
from tracker.spreadsheets import files

OWNER = "sarah.collins@example.org"
QUICK = 5.0  # seconds: a refusal reads a fraction of the file, so it comes well within this


def workbook(sheet_data: str, sheet: str = "Milestones") -> bytes:
    """A workbook whose one sheet holds `sheet_data` (the rows' XML) and nothing else: no
    <dimension>, so nothing says how big it is before it is read."""
    book = Workbook()
    book.active.title = sheet
    buffer = io.BytesIO()
    book.save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            data = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = (
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f"<sheetData>{sheet_data}</sheetData></worksheet>"
                ).encode()
            target.writestr(part, data)
    return out.getvalue()


def inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


HEADINGS = "<row>" + "".join(inline(h) for h in MILESTONES.headings) + "</row>"
JUNK_ROW = "<row>" + inline("x") * 20 + "</row>"  # 11 problems a row, as in the issue


def timed_refusal(client: FlaskClient, data: bytes, name: str = "plan.xlsx") -> tuple[str, float]:
    started = time.perf_counter()
    response = refused(client, data, name)
    return file_error(response), time.perf_counter() - started


# The hostile workbook, over each budget ------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet_data", "message"),
    [
        (HEADINGS + JUNK_ROW * (MAX_ROWS + 1),
         f"The Milestones sheet has more than {MAX_ROWS:,} rows below the headings, and the "
         f"import reads up to {MAX_ROWS:,}: split the plan into smaller files (a workstream "
         "each, say) and import them in turn, or delete any empty rows below the plan"),
        # One cell far down: the rows between count, though the file leaves them out.
        (HEADINGS + f'<row r="{MAX_ROWS + 2}">{inline("GOV-01")}</row>',
         f"The Milestones sheet has more than {MAX_ROWS:,} rows below the headings"),
        # One row of more cells than the whole budget, none with an address: counted as it
        # streams, so the row is never built.
        (HEADINGS + "<row>" + "<c><v>1</v></c>" * (MAX_CELLS + 1) + "</row>",
         f"The Milestones sheet takes the upload over {MAX_CELLS:,} cells, and the import reads "
         f"up to {MAX_CELLS:,} in all: delete the columns and rows it does not need, or split "
         "the plan into smaller files (a workstream each, say) and import them in turn"),
        ("<row>" + "".join(inline(f"Column {n}") for n in range(MAX_COLUMNS + 1)) + "</row>",
         f"The Milestones sheet has headings in more than {MAX_COLUMNS} columns, and the import "
         f"reads up to {MAX_COLUMNS}: delete the columns it does not need"),
    ],
    ids=["rows", "rows-far-down", "cells-in-one-row", "columns"],
)  # fmt: skip
def test_a_workbook_over_a_budget_is_refused_quickly_naming_the_sheet_and_budget(
    admin_client: FlaskClient, sheet_data: str, message: str
) -> None:
    data = workbook(sheet_data)
    assert len(data) < files.MAX_UPLOAD_BYTES
    error, seconds = timed_refusal(admin_client, data)
    assert error.startswith(message)
    assert seconds < QUICK


def test_a_sheet_the_import_does_not_read_counts_by_cells_only(
    admin_client: FlaskClient,
) -> None:
    """Opening a workbook looks through every sheet, so every sheet's cells count."""
    data = workbook(JUNK_ROW * (MAX_CELLS // 20 + 1), sheet="Notes")
    error, seconds = timed_refusal(admin_client, data)
    assert error.startswith(f"The Notes sheet takes the upload over {MAX_CELLS:,} cells")
    assert seconds < QUICK


def test_reading_and_checking_stop_when_the_time_is_up(
    admin_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.spreadsheets.routes.Budget", partial(Budget, seconds=-1))
    data = workbook(HEADINGS + JUNK_ROW)
    assert file_error(refused(admin_client, data)) == (
        "Reading and checking the Milestones sheet took more than -1 seconds, so the import "
        "stopped: split the plan into smaller files (a workstream each, say) and import them "
        "in turn"
    )


# CSV ------------------------------------------------------------------------------------------


def milestones_csv(rows: list[list[str]]) -> bytes:
    lines = [",".join(MILESTONES.headings), *(",".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_csv_file_with_too_many_rows_is_refused_quickly(admin_client: FlaskClient) -> None:
    data = milestones_csv([["GOV-01", "x"]] * (MAX_ROWS + 1))
    error, seconds = timed_refusal(admin_client, data, "plan.csv")
    assert error.startswith(
        f"plan.csv has more than {MAX_ROWS:,} rows below the headings, and the import reads "
        f"up to {MAX_ROWS:,}"
    )
    assert seconds < QUICK


def test_a_csv_file_with_too_many_cells_is_refused(admin_client: FlaskClient) -> None:
    data = milestones_csv([["GOV-01", "x", *[""] * MAX_CELLS]])
    assert file_error(refused(admin_client, data, "plan.csv")).startswith(
        f"plan.csv takes the upload over {MAX_CELLS:,} cells"
    )


# Problems: the first MAX_PROBLEMS, then "and more" ---------------------------------------------


def test_problems_are_listed_up_to_the_budget_then_and_more(admin_client: FlaskClient) -> None:
    bad = [[f"GOV-{n}", "A milestone", "", "GOV", OWNER, "", "", "31/02/2022"] for n in range(300)]
    response = refused(admin_client, milestones_csv(bad), "plan.csv")
    listed = problems(response)
    assert len(listed) == MAX_PROBLEMS
    assert listed[0] == ("Milestones", "row 2", "Due date", "'31/02/2022' is not a date")
    assert listed[-1][1] == f"row {MAX_PROBLEMS + 1}", "the first ones, in the file's order"
    more = page(response).find(id="more-problems").get_text(" ", strip=True)
    assert more.startswith("…and more: fix these first,")
    summary = page(response).find(class_="nhsuk-error-summary").get_text(" ", strip=True)
    assert f"plan.csv has more than {MAX_PROBLEMS} problems" in summary


def test_the_issues_hostile_rows_stop_at_the_budget_of_problems(
    admin_client: FlaskClient,
) -> None:
    """Within the row budget, 11 problems a row: the check stops at the first 200."""
    response = refused(admin_client, workbook(HEADINGS + JUNK_ROW * 300))
    assert len(problems(response)) == MAX_PROBLEMS
    assert page(response).find(id="more-problems") is not None


def test_a_few_problems_have_no_and_more(admin_client: FlaskClient) -> None:
    bad = [["GOV-90", "A milestone", "", "GOV", OWNER, "", "", "31/02/2022"]]
    response = refused(admin_client, milestones_csv(bad), "plan.csv")
    assert len(problems(response)) == 1
    assert page(response).find(id="more-problems") is None


def test_reading_a_sheet_stops_at_the_budget_of_problems() -> None:
    table = Table(
        "Milestones", tuple(MILESTONES.headings), tuple((n, ("x",)) for n in range(2, 50))
    )
    read = read_sheet(MILESTONES, table, Budget(problems=5))
    assert not read.complete
    assert 5 <= len(read.problems) < 5 + len(MILESTONES.columns)
    assert read_sheet(MILESTONES, Table("Milestones", table.headings, table.rows[:1])).complete


# The budget itself ----------------------------------------------------------------------------


def test_the_budget_counts_rows_cells_and_time() -> None:
    now = [0.0]
    budget = Budget(rows=3, columns=2, cells=4, seconds=10, clock=lambda: now[0])
    budget.reading("the Dependencies sheet")
    budget.row(4)  # three below the headings
    with pytest.raises(OverBudget, match="^The Dependencies sheet has more than 3 rows"):
        budget.row(5)
    budget.headings(2)
    with pytest.raises(OverBudget, match="headings in more than 2 columns"):
        budget.headings(3)
    budget.cell(4)
    with pytest.raises(OverBudget, match="over 4 cells"):
        budget.cell()
    now[0] = 10.5
    with pytest.raises(OverBudget, match="took more than 10 seconds"):
        budget.tick()


# A real big plan still imports -----------------------------------------------------------------


def test_a_plan_of_a_few_thousand_rows_still_imports(admin_client: FlaskClient) -> None:
    rows = [
        [f"GOV-{n}", f"Milestone {n}", "", "GOV", OWNER, "", "", "01/06/2022"]
        for n in range(1000, 3000)
    ]
    data = milestones_csv(rows)
    response = upload(admin_client, data, "plan.csv")
    assert response.status_code == 302, file_error(response)
    preview = admin_client.get(f"{BASE}/import/preview")
    counts = page(preview).find(id="milestones-counts").get_text(" ", strip=True)
    assert counts.startswith("2000 new, 0 changed")
    before = plan_state()
    confirmed: Any = admin_client.post(f"{BASE}/import/confirm")
    assert confirmed.status_code == 302
    assert plan_state() != before
