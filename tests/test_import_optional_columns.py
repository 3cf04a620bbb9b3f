"""A file may leave out the export's optional columns (issue 19): a milestone, link or status
update already in the tracker keeps what the missing column would have held, a new one has it
blank; a missing required column is refused, naming it. Through the import pages, as CSV and
as a workbook. The seed's today is Monday 4 April 2022.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import milestone, page
from tests.test_spreadsheets import BASE, _kept_uploads, exported, problems, upload
from tracker.domain.plan_sheets import DEPENDENCIES, MILESTONES, STATUS_UPDATES
from tracker.extensions import db
from tracker.models import Dependency, Milestone, StatusUpdate

__all__ = ["_kept_uploads"]  # the fixture keeping uploads in the test's own folder

REQUIRED = ["Ref", "Title", "Workstream", "Owner email", "Due date"]
LEFT_OUT = [h for h in MILESTONES.headings if h not in REQUIRED]  # every optional column


def fields(m: Milestone) -> tuple[Any, ...]:
    """What the optional columns hold for a milestone, links included."""
    return (
        m.description,
        m.kind,
        m.planned_start,
        m.status,
        m.completed_on,
        m.forecast_date,
        m.forecast_reason,
        m.blocked_reason,
        m.is_key,
        m.evidence_text,
        m.evidence_url,
        sorted((d.predecessor.ref, d.type, d.lag_days) for d in m.predecessor_links),
    )


def busy_milestone() -> Milestone:
    """A milestone whose optional columns hold something: started or done, and linked."""
    found = [
        m
        for m in db.session.scalars(select(Milestone).order_by(Milestone.ref))
        if m.status != "not_started" and m.predecessor_links and m.planned_start
    ]
    assert found, "the seed has a started milestone with predecessors"
    return found[0]


def csv_without(data: bytes, columns: list[str], edit: dict[str, dict[str, str]]) -> bytes:
    """A CSV export without `columns`, with cells edited by reference ({ref: {heading: v}})
    and rows added (a reference not in the file)."""
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    kept = [h for h in rows[0] if h not in columns]
    by_ref = {row.get("Ref"): row for row in rows}
    for ref, cells in edit.items():
        if ref in by_ref:
            by_ref[ref].update(cells)
        else:
            rows.append({h: "" for h in kept} | cells)
    out = io.StringIO()
    writer = csv.DictWriter(out, kept, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def workbook_without(data: bytes, sheet: str, columns: list[str], **titles: str) -> bytes:
    """The exported workbook with `columns` deleted from one sheet, and titles edited."""
    book = load_workbook(io.BytesIO(data))
    ws = book[sheet]
    headings = [c.value for c in ws[1]]
    for heading in sorted(columns, key=headings.index, reverse=True):
        ws.delete_cols(headings.index(heading) + 1)
    headings = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if sheet == "Milestones" and row[0].value in titles:
            row[headings.index("Title")].value = titles[row[0].value]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


NEW_ROW = {
    "Ref": "GOV-21",
    "Title": "Post go-live governance review",
    "Workstream": "GOV",
    "Owner email": "mike.gilbert@example.org",
    "Due date": "30/09/2022",
}


def test_a_csv_without_the_optional_columns_keeps_what_they_hold(
    admin_client: FlaskClient,
) -> None:
    busy = busy_milestone()
    ref, before, links = busy.ref, fields(busy), db.session.query(Dependency).count()
    data = csv_without(
        exported(admin_client, f"{BASE}/export.csv?sheet=milestones"),
        LEFT_OUT,
        {ref: {"Title": "Retitled in a short file"}, "GOV-21": NEW_ROW},
    )
    assert upload(admin_client, data, "milestones.csv").status_code == 302
    html = page(admin_client.get(f"{BASE}/import/preview"))
    counts = html.find(id="milestones-counts").get_text(strip=True)
    assert counts.startswith("1 new, 1 changed"), counts
    changed = html.find(id="milestones-changed").get_text(" ", strip=True)
    assert "Title" in changed and "Status" not in changed and "Planned start" not in changed
    note = html.find(id="notes").get_text(" ", strip=True)
    assert "The Milestones sheet has no Description, Kind, Planned start" in note
    assert "already in the tracker keep what they have there" in note
    assert html.find(id="dependencies") is None, "a file without Predecessors says nothing"

    assert admin_client.post(f"{BASE}/import/confirm").status_code == 302
    db.session.expire_all()
    kept = milestone(ref)
    assert kept.title == "Retitled in a short file"
    assert fields(kept) == before, "every field the file has no column for is as it was"
    assert db.session.query(Dependency).count() == links
    new = milestone("GOV-21")
    assert (new.kind, new.status, new.planned_start, new.is_key, new.predecessor_links) == (
        "point",
        "not_started",
        None,
        False,
        [],
    )


def test_a_workbook_without_optional_columns_keeps_what_they_hold(
    admin_client: FlaskClient,
) -> None:
    busy = busy_milestone()
    ref, before = busy.ref, fields(busy)
    update = db.session.scalars(select(StatusUpdate).where(StatusUpdate.achievements != "")).first()
    assert update is not None
    said = (update.id, update.achievements, update.next_steps)
    data = workbook_without(
        exported(admin_client), "Milestones", ["Status", "Planned start", "Key", "Kind"]
    )
    data = workbook_without(data, "Status updates", ["Achievements", "Next steps"])
    data = workbook_without(data, "Milestones", [], **{ref: "Retitled in a workbook"})
    assert upload(admin_client, data).status_code == 302
    html = page(admin_client.get(f"{BASE}/import/preview"))
    assert html.find(id="milestones-counts").get_text(strip=True).startswith("0 new, 1 changed")
    assert html.find(id="status-updates-counts").get_text(strip=True).startswith("0 new, 0 chan")
    note = html.find(id="notes").get_text(" ", strip=True)
    assert "The Status updates sheet has no Achievements, Next steps columns" in note
    assert admin_client.post(f"{BASE}/import/confirm").status_code == 302
    db.session.expire_all()
    assert milestone(ref).title == "Retitled in a workbook"
    assert fields(milestone(ref)) == before
    update = db.session.get(StatusUpdate, said[0])
    assert update is not None and (update.id, update.achievements, update.next_steps) == said


def test_an_empty_cell_in_a_column_that_is_there_still_means_blank(
    admin_client: FlaskClient,
) -> None:
    """Only a missing column keeps a field: a blank Forecast date clears the forecast."""
    forecast = next(
        m for m in db.session.scalars(select(Milestone)) if m.forecast_date and not m.is_complete
    )
    data = csv_without(
        exported(admin_client, f"{BASE}/export.csv?sheet=milestones"),
        ["Description"],
        {forecast.ref: {"Forecast date": "", "Forecast reason": ""}},
    )
    ref = forecast.ref
    assert upload(admin_client, data, "milestones.csv").status_code == 302
    assert admin_client.post(f"{BASE}/import/confirm").status_code == 302
    db.session.expire_all()
    assert milestone(ref).forecast_date is None


def test_a_dependencies_csv_without_type_and_lag_keeps_each_links_own(
    admin_client: FlaskClient,
) -> None:
    before = sorted(
        (d.predecessor_id, d.successor_id, d.type, d.lag_days)
        for d in db.session.scalars(select(Dependency))
    )
    assert any(lag for *_, lag in before) and any(t != "FS" for _, _, t, _ in before)
    data = csv_without(
        exported(admin_client, f"{BASE}/export.csv?sheet=dependencies"),
        ["Type", "Lag (working days)"],
        {},
    )
    assert upload(admin_client, data, "dependencies.csv").status_code == 302
    html = page(admin_client.get(f"{BASE}/import/preview"))
    assert html.find(id="dependencies-counts").get_text(strip=True).startswith("0 new, 0 changed")
    admin_client.post(f"{BASE}/import/confirm")
    db.session.expire_all()
    after = sorted(
        (d.predecessor_id, d.successor_id, d.type, d.lag_days)
        for d in db.session.scalars(select(Dependency))
    )
    assert after == before


def test_a_csv_of_only_the_required_columns_is_read_as_milestones(
    admin_client: FlaskClient,
) -> None:
    data = csv_without(exported(admin_client, f"{BASE}/export.csv?sheet=milestones"), LEFT_OUT, {})
    assert upload(admin_client, data, "milestones.csv").status_code == 302
    html = page(admin_client.get(f"{BASE}/import/preview"))
    assert html.find(id="milestones-counts").get_text(strip=True).startswith("0 new, 0 changed")


def test_a_csv_without_a_required_column_is_refused_naming_it(
    admin_client: FlaskClient,
) -> None:
    missing = "this column is missing: row 1 must hold the column headings, as in an export"
    for column in REQUIRED:
        data = csv_without(
            exported(admin_client, f"{BASE}/export.csv?sheet=milestones"), [column], {}
        )
        response = upload(admin_client, data, "milestones.csv")
        assert response.status_code == 200, column
        assert problems(response) == [("Milestones", "row 1", column, missing)]


def test_a_workbook_without_a_required_column_is_refused_naming_it(
    admin_client: FlaskClient,
) -> None:
    missing = "this column is missing: row 1 must hold the column headings, as in an export"
    for sheet, column in (
        (MILESTONES.title, "Owner email"),
        (DEPENDENCIES.title, "Successor"),
        (STATUS_UPDATES.title, "RAG"),
    ):
        data = workbook_without(exported(admin_client), sheet, [column])
        response = upload(admin_client, data)
        assert response.status_code == 200, column
        assert problems(response) == [(sheet, "row 1", column, missing)]
