"""The spreadsheet layout and the import's checks, from plain data: no app, no database.

Each problem is asserted as the person reads it: sheet, row, column and message.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest

from tracker.domain.network import path_between
from tracker.domain.notation import PredecessorLink
from tracker.domain.plan_sheets import (
    DEPENDENCIES,
    MILESTONES,
    RISKS,
    STATUS_UPDATES,
    BadCell,
    CellError,
    MilestoneRecord,
    Problem,
    Sheet,
    StatusUpdateRecord,
    StoredPlan,
    Table,
    check_upload,
    export_rows,
    export_value,
    guard,
    read_date,
    read_number,
    read_sheet,
    read_word,
    read_yes_no,
    sheet_for_headings,
    sheet_named,
    unguard,
)
from tracker.domain.plan_sheets.cycles import CycleCheck

TODAY = date(2022, 4, 4)  # a Monday


def milestone(**changes: Any) -> MilestoneRecord:
    values: dict[str, Any] = {
        "ref": "GOV-01",
        "title": "Constitution drafted",
        "description": "",
        "workstream": "GOV",
        "owner_email": "mike@example.org",
        "kind": "activity",
        "planned_start": date(2022, 1, 4),
        "due_date": date(2022, 2, 25),
        "status": "complete",
        "completed_on": date(2022, 2, 25),
        "forecast_date": None,
        "forecast_reason": None,
        "blocked_reason": None,
        "is_key": False,
        "evidence_text": None,
        "evidence_url": None,
        "predecessors": (),
    }
    values.update(changes)
    return MilestoneRecord(**values)


GOV_01 = milestone()
GOV_02 = milestone(
    ref="GOV-02",
    title="Constitution approved",
    kind="point",
    planned_start=None,
    due_date=date(2022, 5, 3),
    status="not_started",
    completed_on=None,
    is_key=True,
    predecessors=(PredecessorLink("GOV-01"),),
)
UPDATE = StatusUpdateRecord(
    "GOV", date(2022, 3, 28), "amber", "Draft done", "Submit it", "", "mike@example.org"
)
PLAN = StoredPlan(
    workstreams=frozenset({"GOV", "PEO"}),
    people=frozenset({"mike@example.org", "becca@example.org"}),
    milestones={"GOV-01": GOV_01, "GOV-02": GOV_02},
    dependencies={("GOV-01", "GOV-02", "FS"): 0},
    status_updates={("GOV", date(2022, 3, 28)): UPDATE},
)


def table(sheet: Sheet, records: list[Any] | None = None, **cells: Any) -> Table:
    """A sheet as an export writes it, with `cells` ({"row 3, Due date": value}) typed over."""
    rows = [list(r) for r in export_rows(sheet, records or [])]
    for where, value in cells.items():
        row, heading = where.split("__")
        number = int(row.removeprefix("row"))
        while len(rows) < number - 1:
            rows.append([None] * len(sheet.columns))
        rows[number - 2][sheet.headings.index(heading.replace("_", " "))] = value
    return Table(sheet.title, tuple(sheet.headings), tuple(enumerate(map(tuple, rows), start=2)))


def problems_of(*tables: tuple[Sheet, Table], plan: StoredPlan = PLAN) -> list[tuple[str, ...]]:
    checked = check_upload(list(tables), plan, TODAY)
    return [(p.sheet, p.row, p.column, p.message) for p in checked.problems]


# Cells ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+44 1622", "-2 weeks", "@risk", "'=x"])
def test_text_a_spreadsheet_would_run_gets_an_apostrophe_and_comes_back_as_it_was(
    text: str,
) -> None:
    assert guard(text) == "'" + text
    assert unguard(guard(text)) == text


def test_ordinary_text_and_apostrophes_before_other_text_are_left_alone() -> None:
    assert guard("Board's decision") == "Board's decision"
    assert unguard("'quoted'") == "'quoted'"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2022, 7, 1), date(2022, 7, 1)),
        (date(2022, 7, 1), date(2022, 7, 1)),
        ("01/07/2022", date(2022, 7, 1)),
        ("1/7/2022", date(2022, 7, 1)),
        (" 2022-07-01 ", date(2022, 7, 1)),
        ("01/07/2022 00:00:00", date(2022, 7, 1)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_real_dates_or_uk_or_iso_text(value: Any, expected: date | None) -> None:
    assert read_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2022", "'31/02/2022' is not a date"),
        ("07/01/22", "'07/01/22' is not a date: write it as dd/mm/yyyy, like 01/07/2022"),
        ("next Tuesday", "'next Tuesday' is not a date: write it as dd/mm/yyyy, like 01/07/2022"),
        (44743, "'44743' is not a date: format the cell as a date, like 01/07/2022"),
        (BadCell("formulas are not accepted; paste values instead"), "formulas are not accepted"),
    ],
)
def test_what_is_not_a_date_says_so(value: Any, message: str) -> None:
    with pytest.raises(CellError) as raised:
        read_date(value)
    assert str(raised.value).startswith(message)


def test_numbers_yes_no_and_words() -> None:
    assert [read_number(v) for v in (5, 5.0, "+5", "-2", " 3 ", None, "")] == [
        5,
        5,
        5,
        -2,
        3,
        None,
        None,
    ]
    with pytest.raises(CellError, match="'2.5' is not a whole number"):
        read_number("2.5")
    assert [read_yes_no(v) for v in ("Yes", "y", True, "No", "", None, 0)] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    with pytest.raises(CellError, match="'maybe' must be Yes or No"):
        read_yes_no("maybe")
    assert read_word("In progress") == read_word("in-progress") == "in_progress"
    assert [read_word(v) for v in ("Point in time", "R", "a", "Green")] == [
        "point",
        "red",
        "amber",
        "green",
    ]


def test_export_writes_words_dates_and_predecessors_as_planners_do() -> None:
    row = dict(zip(MILESTONES.headings, export_rows(MILESTONES, [GOV_02])[0], strict=True))
    assert row["Kind"] == "Point"
    assert row["Status"] == "Not started"
    assert row["Key"] == "Yes"
    assert row["Due date"] == date(2022, 5, 3)
    assert row["Planned start"] is None
    assert row["Predecessors"] == "GOV-01"
    links = (PredecessorLink("GOV-03", "FS", 5), PredecessorLink("PEO-01"))
    assert export_value(MILESTONES.columns[-1], links) == "GOV-03FS+5; PEO-01"


def test_a_sheet_is_known_by_its_name_or_by_its_headings_in_any_order() -> None:
    assert sheet_named(" status UPDATES ") is STATUS_UPDATES
    assert sheet_for_headings(list(reversed(MILESTONES.headings))) is MILESTONES
    assert sheet_for_headings(RISKS.headings) is RISKS
    assert sheet_for_headings(DEPENDENCIES.headings) is DEPENDENCIES
    assert sheet_for_headings(["Name", "Address", "Ref"]) is None


# Reading rows -----------------------------------------------------------------------------


def test_an_exported_row_reads_back_as_the_same_record() -> None:
    read = read_sheet(MILESTONES, table(MILESTONES, [GOV_01, GOV_02]))
    assert read.problems == ()
    assert [row.record for row in read.rows] == [GOV_01, GOV_02]
    assert [row.number for row in read.rows] == [2, 3]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"row2__Due_date": "31/02/2022"}, "Due date", "'31/02/2022' is not a date"),
        (
            {"row2__Status": "Done"},
            "Status",
            "'Done' must be not started, in progress, complete or blocked",
        ),
        ({"row2__Ref": "GOV_1"}, "Ref", "'GOV_1' must look like GOV-01 (code, dash, number)"),
        (
            {"row2__Due_date": "01/01/2022"},
            "Due date",
            "Due date 1 January 2022 is before the planned start 4 January 2022",
        ),
        (
            {"row2__Due_date": BadCell("formulas are not accepted; paste values instead")},
            "Due date",
            "formulas are not accepted; paste values instead",
        ),
        (
            {"row2__Owner_email": "mike"},
            "Owner email",
            "'mike' is not an email address, like name@example.org",
        ),
        (
            {"row2__Workstream": "gov team"},
            "Workstream",
            "'GOV TEAM' must be 2 to 10 capital letters or digits, like GOV or FIN",
        ),
        (
            {"row2__Predecessors": "GOV-1X"},
            "Predecessors",
            "'GOV-1X' is not a predecessor like GOV-03, GOV-03SS or GOV-03FS+5",
        ),
        ({"row2__Predecessors": "GOV-01"}, "Predecessors", "GOV-01 cannot depend on itself"),
        (
            {"row2__Key": "Yes", "row2__Evidence": None},
            "Evidence",
            "Give evidence of completion: this is a key milestone the board tracks",
        ),
        (
            {"row2__Status": "Blocked", "row2__Completed_on": None},
            "Blocked reason",
            "Say why the milestone is blocked",
        ),
        ({"row2__Title": "x" * 201}, "Title", "The title is 201 characters: keep it to 200"),
    ],
)
def test_each_problem_names_its_row_and_column(
    cells: dict[str, Any], column: str, message: str
) -> None:
    read = read_sheet(MILESTONES, table(MILESTONES, [GOV_01], **cells))
    assert Problem("Milestones", "row 2", column, message) in read.problems
    assert read.rows == ()


def test_every_problem_in_every_row_is_reported_at_once() -> None:
    read = read_sheet(
        MILESTONES,
        table(
            MILESTONES,
            [GOV_01, GOV_02],
            row2__Due_date="31/02/2022",
            row2__Status="Done",
            row3__Kind="Thing",
        ),
    )
    assert [(p.row, p.column) for p in read.problems] == [
        ("row 2", "Due date"),
        ("row 2", "Status"),
        ("row 3", "Kind"),
    ]


def test_a_missing_required_column_is_named_and_no_row_is_read() -> None:
    headings = tuple(h for h in MILESTONES.headings if h != "Due date")
    read = read_sheet(MILESTONES, Table("Milestones", headings, ((2, ("GOV-01",)),)))
    assert read.problems == (
        Problem(
            "Milestones",
            "row 1",
            "Due date",
            "this column is missing: row 1 must hold the column headings, as in an export",
        ),
    )


def test_a_reference_twice_in_the_file_is_refused_on_its_second_row() -> None:
    read = read_sheet(MILESTONES, table(MILESTONES, [GOV_01, GOV_02, GOV_01]))
    assert read.problems == (
        Problem("Milestones", "row 4", "Ref", "GOV-01 is also on row 2: a milestone once"),
    )


def test_blank_kind_and_status_read_as_activity_or_point_and_not_started() -> None:
    read = read_sheet(
        MILESTONES,
        table(
            MILESTONES,
            [GOV_01, GOV_02],
            row2__Kind=None,
            row2__Status=None,
            row2__Completed_on=None,
            row3__Kind=None,
        ),
    )
    assert [(r.record.kind, r.record.status) for r in read.rows] == [
        ("activity", "not_started"),
        ("point", "not_started"),
    ]


def test_status_updates_need_a_monday_and_red_amber_or_green() -> None:
    read = read_sheet(
        STATUS_UPDATES,
        table(
            STATUS_UPDATES, [UPDATE, UPDATE], row2__Week_commencing="29/03/2022", row3__RAG="Blue"
        ),
    )
    assert read.problems == (
        Problem(
            "Status updates",
            "row 2",
            "Week commencing",
            "29 March 2022 is a Tuesday: give the Monday of the week",
        ),
        Problem("Status updates", "row 3", "RAG", "'Blue' must be one of red, amber, green"),
    )


def test_a_workstream_reports_a_week_once() -> None:
    read = read_sheet(STATUS_UPDATES, table(STATUS_UPDATES, [UPDATE, UPDATE]))
    assert read.problems == (
        Problem(
            "Status updates",
            "row 3",
            "Week commencing",
            "GOV week commencing 28 March 2022 is also on row 2",
        ),
    )


def test_dependency_rows() -> None:
    read = read_sheet(
        DEPENDENCIES,
        Table(
            "Dependencies",
            tuple(DEPENDENCIES.headings),
            ((2, ("GOV-01", "GOV-02", "ss", "-2")), (3, ("GOV-01", "GOV-02", "XX", "two"))),
        ),
    )
    assert [(r.record.type, r.record.lag_days) for r in read.rows] == [("SS", -2)]
    assert [(p.column, p.message) for p in read.problems] == [
        ("Lag (working days)", "'two' is not a whole number"),
        ("Type", "'XX' must be FS, SS, FF or SF"),
    ]


# Checking against the plan ------------------------------------------------------------------


def test_the_plan_itself_is_all_unchanged() -> None:
    checked = check_upload(
        [
            (MILESTONES, table(MILESTONES, [GOV_01, GOV_02])),
            (STATUS_UPDATES, table(STATUS_UPDATES, [UPDATE])),
        ],
        PLAN,
        TODAY,
    )
    assert checked.ok and not checked.changes_anything
    assert {i.action for i in checked.items()} == {"unchanged"}
    assert checked.dependencies[0].label == "GOV-01 → GOV-02"
    assert checked.milestones_not_in_file == ()


def test_new_and_changed_rows_say_what_changes_in_words() -> None:
    new = milestone(
        ref="PEO-01", title="Staff list", workstream="PEO", status="not_started", completed_on=None
    )
    moved = replace(GOV_02, due_date=date(2022, 5, 10), is_key=False)
    checked = check_upload([(MILESTONES, table(MILESTONES, [new, moved]))], PLAN, TODAY)
    assert checked.ok
    assert [(i.action, i.label) for i in checked.milestones] == [
        ("new", "PEO-01 Staff list"),
        ("changed", "GOV-02 Constitution approved"),
    ]
    assert [(c.column, c.old, c.new) for c in checked.milestones[1].changes] == [
        ("Due date", "3 May 2022", "10 May 2022"),
        ("Key", "Yes", "No"),
    ]
    assert checked.milestones_not_in_file == ("GOV-01",)
    assert checked.changes_anything


def test_unknown_workstream_owner_and_predecessor_are_named() -> None:
    row = milestone(
        ref="FIN-01",
        workstream="FIN",
        owner_email="nobody@example.org",
        predecessors=(PredecessorLink("GOV-77"),),
    )
    assert problems_of((MILESTONES, table(MILESTONES, [row]))) == [
        ("Milestones", "row 2", "Workstream", "There is no workstream FIN in this programme"),
        (
            "Milestones",
            "row 2",
            "Owner email",
            "nobody@example.org is not anyone in the tracker: check it, or add them first",
        ),
        (
            "Milestones",
            "row 2",
            "Predecessors",
            "GOV-77 is not a milestone in the file or in the plan",
        ),
    ]


def test_a_link_that_closes_a_cycle_is_refused_naming_the_cycle() -> None:
    looped = milestone(predecessors=(PredecessorLink("GOV-02"),))
    assert problems_of((MILESTONES, table(MILESTONES, [looped, GOV_02]))) == [
        (
            "Milestones",
            "row 2",
            "Predecessors",
            "GOV-02 → GOV-01 would make a cycle: GOV-01 → GOV-02 → GOV-01",
        )
    ]


def test_a_cycle_within_the_dependencies_sheet() -> None:
    links = Table(
        "Dependencies",
        tuple(DEPENDENCIES.headings),
        ((2, ("GOV-02", "PEO-01", "FS", 0)), (3, ("PEO-01", "GOV-01", "FS", 0))),
    )
    plan = StoredPlan(
        PLAN.workstreams,
        PLAN.people,
        {**PLAN.milestones, "PEO-01": milestone(ref="PEO-01")},
        PLAN.dependencies,
        {},
    )
    assert problems_of((DEPENDENCIES, links), plan=plan) == [
        (
            "Dependencies",
            "row 3",
            "Predecessor",
            "PEO-01 → GOV-01 would make a cycle: GOV-01 → GOV-02 → PEO-01 → GOV-01",
        )
    ]


def test_the_predecessors_column_and_the_dependencies_sheet_must_agree() -> None:
    links = Table(
        "Dependencies", tuple(DEPENDENCIES.headings), ((2, ("GOV-01", "GOV-02", "FS", 3)),)
    )
    found = problems_of((MILESTONES, table(MILESTONES, [GOV_01, GOV_02])), (DEPENDENCIES, links))
    assert found == [
        (
            "Dependencies",
            "row 2",
            "Predecessor",
            "GOV-01FS+3 → GOV-02 disagrees with GOV-01 → GOV-02 on Milestones row 3: "
            "make them agree",
        )
    ]


def test_a_changed_lag_is_a_change_and_links_are_never_deleted() -> None:
    longer = replace(GOV_02, predecessors=(PredecessorLink("GOV-01", "FS", 2),))
    checked = check_upload([(MILESTONES, table(MILESTONES, [longer]))], PLAN, TODAY)
    assert [(i.action, [(c.old, c.new) for c in i.changes]) for i in checked.dependencies] == [
        ("changed", [("0", "2")])
    ]
    alone = replace(GOV_02, predecessors=())
    checked = check_upload([(MILESTONES, table(MILESTONES, [alone]))], PLAN, TODAY)
    assert checked.dependencies == () and checked.dependencies_not_in_file == ("GOV-01 → GOV-02",)


def test_dates_relative_to_today_are_checked_only_when_they_change() -> None:
    future = milestone(completed_on=date(2022, 4, 5))
    assert problems_of((MILESTONES, table(MILESTONES, [future]))) == [
        (
            "Milestones",
            "row 2",
            "Completed on",
            "The completion date 5 April 2022 is in the future: enter today (4 April 2022) or "
            "earlier",
        )
    ]
    # A forecast that has since passed is left alone; typing a new past one is refused.
    stale = milestone(
        ref="GOV-03",
        status="in_progress",
        completed_on=None,
        forecast_date=date(2022, 3, 1),
        forecast_reason="Late papers",
    )
    plan = StoredPlan(PLAN.workstreams, PLAN.people, {"GOV-03": stale}, {}, {})
    assert problems_of((MILESTONES, table(MILESTONES, [stale])), plan=plan) == []
    earlier = replace(stale, forecast_date=date(2022, 3, 2))
    assert problems_of((MILESTONES, table(MILESTONES, [earlier])), plan=plan)[0][2:] == (
        "Forecast date",
        "The forecast 2 March 2022 is in the past: if it is done, mark it complete instead",
    )


def test_risks_are_noted_as_not_imported() -> None:
    checked = check_upload(
        [(MILESTONES, table(MILESTONES, [GOV_01])), (RISKS, Table("Risks", (), ()))], PLAN, TODAY
    )
    assert checked.notes == (
        "The Risks sheet was not read: risks are exported only; change them on the risk register",
    )


def test_the_fingerprint_stands_for_what_would_change() -> None:
    def fingerprint(*records: MilestoneRecord) -> str:
        return check_upload(
            [(MILESTONES, table(MILESTONES, list(records)))], PLAN, TODAY
        ).fingerprint()

    moved = replace(GOV_02, due_date=date(2022, 5, 10))
    assert fingerprint(GOV_01) == fingerprint(GOV_01, GOV_02)  # unchanged rows change nothing
    assert fingerprint(moved) != fingerprint(GOV_02)
    assert fingerprint(moved) == fingerprint(moved)


# Many links: the cycle check by components, against the plain one --------------------------


def _plain_cycles(stored: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[Any]:
    """What each new link closes, asked of the whole plan each time (path_between)."""
    edges = list(stored)
    found: list[Any] = []
    for p, s in new:
        chain = path_between(edges, s, p)
        found.append(chain)
        if chain is None:
            edges.append((p, s))
    return found


@pytest.mark.parametrize("seed", range(40))
def test_the_cycle_check_finds_what_asking_the_whole_plan_finds(seed: int) -> None:
    rnd = random.Random(seed)
    nodes = [f"GOV-{n:02}" for n in range(rnd.randint(3, 14))]
    stored = list({(a, b) for a, b in (rnd.sample(nodes, 2) for _ in range(len(nodes))) if a < b})
    new = [tuple(rnd.sample(nodes, 2)) for _ in range(rnd.randint(1, 20))]
    check = CycleCheck(stored, new)
    mine = [check.closes(p, s) for p, s in new]
    plain = _plain_cycles(stored, new)
    # The same links are refused, each naming a loop as short as the plain check's.
    assert [m is None for m in mine] == [p is None for p in plain]
    assert [len(m) for m in mine if m] == [len(p) for p in plain if p]
    for (p, s), chain in zip(new, mine, strict=True):
        if chain:
            assert chain[0] == s and chain[-1] == p


def test_a_long_chain_checks_without_recursion() -> None:
    refs = [f"GOV-{n:05}" for n in range(5000)]
    chain = list(zip(refs, refs[1:], strict=False))
    check = CycleCheck(chain[:-1], [chain[-1], (refs[-1], refs[0])])
    assert check.closes(*chain[-1]) is None
    assert check.closes(refs[-1], refs[0]) == refs


# Optional columns ---------------------------------------------------------------------------


def _without(sheet: Sheet, records: list[Any], left_out: set[str]) -> Table:
    full = table(sheet, records)
    keep = [i for i, h in enumerate(full.headings) if h not in left_out]
    return Table(
        full.title,
        tuple(full.headings[i] for i in keep),
        tuple((n, tuple(cells[i] for i in keep)) for n, cells in full.rows),
    )


def test_a_missing_optional_column_keeps_a_stored_milestones_field_and_blanks_a_new_ones() -> None:
    new = milestone(ref="GOV-03", kind="point", planned_start=None, status="not_started")
    new = replace(new, completed_on=None, predecessors=())
    left_out = {"Status", "Completed on", "Kind", "Planned start", "Predecessors"}
    read = read_sheet(
        MILESTONES, _without(MILESTONES, [GOV_01, new], left_out), stored=PLAN.milestones
    )
    assert read.problems == ()
    assert read.missing == ("Kind", "Planned start", "Status", "Completed on", "Predecessors")
    kept, added = (row.record for row in read.rows)
    assert kept == replace(GOV_01, predecessors=())  # as stored; no links given
    assert (added.kind, added.status, added.planned_start, added.completed_on) == (
        "point",
        "not_started",
        None,
        None,
    )


def test_a_status_update_keeps_the_writing_the_file_has_no_column_for() -> None:
    read = read_sheet(
        STATUS_UPDATES,
        _without(STATUS_UPDATES, [replace(UPDATE, achievements="")], {"Achievements"}),
        stored=PLAN.status_updates,
    )
    assert [row.record for row in read.rows] == [UPDATE]


def test_a_csv_with_the_required_headings_only_is_known_by_them() -> None:
    assert sheet_for_headings(MILESTONES.required) is MILESTONES
    assert sheet_for_headings(["Ref", "Title", "Workstream"]) is MILESTONES
    assert sheet_for_headings(DEPENDENCIES.required) is DEPENDENCIES
    assert sheet_for_headings(STATUS_UPDATES.required) is STATUS_UPDATES
    assert MILESTONES.required == ["Ref", "Title", "Workstream", "Owner email", "Due date"]
