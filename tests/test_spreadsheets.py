"""Export to Excel and CSV, and import back, through the pages as people use them.

The files are read back with openpyxl and the csv module (and, when it is installed, opened in
LibreOffice); problems and previews are read from the page's tables. The seed's today is
Monday 4 April 2022.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.conftest import BOARD_MEMBER, LEAD, sign_in_as
from tests.helpers import milestone, page
from tracker.audit import Actor, acting_as
from tracker.domain.notation import format_predecessor
from tracker.extensions import db
from tracker.models import AuditEvent, Dependency, Milestone, StatusUpdate
from tracker.spreadsheets import files

BASE = "/p/kent-and-medway"
SHEET_NAMES = ["Milestones", "Dependencies", "Risks", "Status updates"]
NOT_ADMINS = {"lead": LEAD, "board": BOARD_MEMBER}


@pytest.fixture(autouse=True)
def _kept_uploads(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "imports"
    monkeypatch.setitem(app.config, "PLAN_IMPORT_DIR", str(folder))
    return folder


# Reading the database and the pages ---------------------------------------------------------


def audit_events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def plan_state() -> tuple[Any, ...]:
    """Everything an import could change, to prove that nothing did."""
    db.session.expire_all()
    return (
        sorted(
            (m.ref, m.title, m.due_date, m.planned_start, m.status, m.owner_id, m.version)
            for m in db.session.scalars(select(Milestone))
        ),
        sorted(
            (d.predecessor_id, d.successor_id, d.type, d.lag_days)
            for d in db.session.scalars(select(Dependency))
        ),
        sorted(
            (u.workstream_id, u.week_start, u.rag) for u in db.session.scalars(select(StatusUpdate))
        ),
        audit_events(),
    )


def problems(response: Any) -> list[tuple[str, ...]]:
    table = page(response).find(id="problems")
    assert table is not None, "no table of problems on the page"
    return [
        tuple(td.get_text(strip=True) for td in tr.find_all("td"))
        for tr in table.find("tbody").find_all("tr")
    ]


def file_error(response: Any) -> str:
    found = page(response).find(id="file-error")
    assert found is not None, "no error next to the file field"
    return found.get_text(" ", strip=True).removeprefix("Error: ")


def exported(client: FlaskClient, url: str = f"{BASE}/export.xlsx") -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.data


def upload(client: FlaskClient, data: bytes, name: str = "plan.xlsx") -> Any:
    return client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def edited(data: bytes, sheet: str, ref: str, **cells: Any) -> tuple[bytes, int]:
    """The workbook with cells of one row changed (Due_date="31/02/2022"); and that row."""
    book = load_workbook(io.BytesIO(data))
    ws = book[sheet]
    headings = [c.value for c in ws[1]]
    number = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == ref)
    for heading, value in cells.items():
        ws.cell(number, headings.index(heading.replace("_", " ")) + 1, value)
    return _saved(book), number


def appended(data: bytes, sheet: str, values: dict[str, Any]) -> tuple[bytes, int]:
    book = load_workbook(io.BytesIO(data))
    ws = book[sheet]
    headings = [c.value for c in ws[1]]
    ws.append([values.get(h) for h in headings])
    return _saved(book), ws.max_row


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def preview_counts(client: FlaskClient, section: str = "milestones") -> str:
    response = client.get(f"{BASE}/import/preview")
    assert response.status_code == 200
    return page(response).find(id=f"{section}-counts").get_text(" ", strip=True)


# Export ---------------------------------------------------------------------------------------


def test_every_role_may_export_the_workbook(role_client: FlaskClient) -> None:
    response = role_client.get(f"{BASE}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == files.XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=kent-and-medway-plan-2022-04-04.xlsx"
    )
    assert response.headers["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == SHEET_NAMES
    refs = [row[0] for row in book["Milestones"].iter_rows(min_row=2, values_only=True)]
    assert sorted(refs) == sorted(db.session.scalars(select(Milestone.ref)))


def test_the_workbook_has_bold_frozen_filtered_headings_and_real_dates(
    client: FlaskClient,
) -> None:
    book = load_workbook(io.BytesIO(exported(client)))
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert all(cell.font.bold for cell in ws[1]), ws.title
        assert all(ws.column_dimensions[c.column_letter].width >= 6 for c in ws[1])
    ws = book["Milestones"]
    headings = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "PEO-09")
    cells = dict(zip(headings, row, strict=True))
    peo_09 = milestone("PEO-09")
    for heading, value in (("Planned start", peo_09.planned_start), ("Due date", peo_09.due_date)):
        assert isinstance(cells[heading].value, datetime)
        assert cells[heading].value.date() == value
        assert cells[heading].number_format == "dd/mm/yyyy"
    assert cells["Status"].value == "In progress"
    assert cells["Owner email"].value == "becca.bradd@example.org"
    links = sorted(peo_09.predecessor_links, key=lambda d: (d.predecessor.ref, d.type))
    assert cells["Predecessors"].value == "; ".join(
        format_predecessor(d.predecessor.ref, d.type, d.lag_days) for d in links
    )
    assert "PEO-08SS" in cells["Predecessors"].value
    dependencies = book["Dependencies"]
    assert dependencies.max_row - 1 == db.session.scalar(
        select(func.count()).select_from(Dependency)
    )
    weeks = [r[1] for r in book["Status updates"].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(w, datetime) and w.weekday() == 0 for w in weeks)


@pytest.mark.parametrize(
    ("sheet", "first_heading"),
    [
        ("milestones", "Ref"),
        ("dependencies", "Predecessor"),
        ("risks", "Ref"),
        ("status-updates", "Workstream"),
    ],
)
def test_every_role_may_export_each_sheet_as_csv_that_excel_reads(
    role_client: FlaskClient, sheet: str, first_heading: str
) -> None:
    response = role_client.get(f"{BASE}/export.csv?sheet={sheet}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=kent-and-medway-{sheet}-2022-04-04.csv"
    )
    assert response.data.startswith(b"\xef\xbb\xbf" + first_heading.encode())
    text = response.data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")[:500]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][0] == first_heading and len(rows) > 2


def test_csv_dates_are_written_day_first(client: FlaskClient) -> None:
    text = exported(client, f"{BASE}/export.csv?sheet=milestones").decode("utf-8-sig")
    rows = {r["Ref"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows["PEO-09"]["Due date"] == milestone("PEO-09").due_date.strftime("%d/%m/%Y")
    assert rows["PEO-09"]["Key"] == "Yes"


def test_an_unknown_sheet_is_not_found(client: FlaskClient) -> None:
    assert client.get(f"{BASE}/export.csv?sheet=people").status_code == 404
    assert client.get(f"{BASE}/export.csv").data.startswith(b"\xef\xbb\xbfRef,Title")


def test_text_that_would_run_as_a_formula_is_exported_with_an_apostrophe(
    admin_client: FlaskClient,
) -> None:
    with acting_as(Actor("test")):
        milestone("GOV-14").title = '=HYPERLINK("https://evil.example","Click")'
        db.session.commit()
    text = exported(admin_client, f"{BASE}/export.csv?sheet=milestones").decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    data = exported(admin_client)
    ws = load_workbook(io.BytesIO(data))["Milestones"]
    cell = next(r[1] for r in ws.iter_rows(min_row=2) if r[0].value == "GOV-14")
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")
    # And the apostrophe comes off again on the way in: the round trip changes nothing.
    assert upload(admin_client, data).status_code == 302
    assert preview_counts(admin_client).startswith("0 new, 0 changed")


def test_the_page_offers_every_export_to_everyone_and_the_import_to_admins(
    role_client: FlaskClient,
) -> None:
    response = role_client.get(f"{BASE}/spreadsheets/")
    html = page(response)
    assert html.find(id="export-workbook")["href"] == f"{BASE}/export.xlsx"
    links = [a["href"] for a in html.find(id="csv-exports").find_all("a")]
    assert links == [
        f"{BASE}/export.csv?sheet={key}"
        for key in ("milestones", "dependencies", "risks", "status-updates")
    ]
    import_link = html.find(id="import-link")
    if role_client.role == "admin":  # type: ignore[attr-defined]
        assert import_link["href"] == f"{BASE}/import"
        layout = html.find(id="layout-milestones").get_text(" ", strip=True)
        assert "Predecessors GOV-03FS+5; PEO-01" in layout
        assert "Due date a date, dd/mm/yyyy" in layout
    else:
        assert import_link is None and html.find(id="layout-milestones") is None


# The LibreOffice check ----------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_reads_the_exported_workbook(client: FlaskClient, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice is missing: `make libreoffice` installs it")
        pytest.skip("LibreOffice is not installed (`make libreoffice` installs it)")
    workbook = tmp_path / "plan.xlsx"
    workbook.write_bytes(exported(client))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",  # no clash with other runs
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path),
            str(workbook),
        ],
        check=True,
        timeout=120,
        capture_output=True,
        # LibreOffice shows a date in the locale's own order; the programme office's is UK.
        env={**os.environ, "LC_ALL": "en_GB.UTF-8", "LANG": "en_GB.UTF-8"},
    )
    text = (tmp_path / "plan.csv").read_text(encoding="utf-8")
    rows = {r["Ref"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert set(rows) == set(db.session.scalars(select(Milestone.ref)))
    peo_09 = milestone("PEO-09")
    assert rows["PEO-09"]["Title"] == peo_09.title
    assert rows["PEO-09"]["Due date"] == f"{peo_09.due_date:%d/%m/%Y}"
    assert rows["PEO-09"]["Planned start"] == f"{peo_09.planned_start:%d/%m/%Y}"
    assert "PEO-08SS" in rows["PEO-09"]["Predecessors"]


# Import: the round trip -----------------------------------------------------------------------


def test_export_then_import_changes_nothing(admin_client: FlaskClient) -> None:
    before = plan_state()
    response = upload(admin_client, exported(admin_client))
    assert response.status_code == 302
    assert response.location == f"{BASE}/import/preview"
    preview = admin_client.get(f"{BASE}/import/preview")
    html = page(preview)
    assert html.find(id="no-changes") is not None
    count = len(before[0])
    assert html.find(id="milestones-counts").get_text(strip=True) == (
        f"0 new, 0 changed, {count} unchanged, 0 not in the file."
    )
    assert html.find(id="dependencies-counts").get_text(strip=True).startswith("0 new, 0 changed")
    assert html.find(id="status-updates-counts").get_text(strip=True).startswith("0 new, 0 changed")
    assert "The Risks sheet was not read" in html.find(id="notes").get_text()
    response = admin_client.post(f"{BASE}/import/confirm")
    assert response.status_code == 302
    assert "nothing changed" in page(admin_client.get(response.location)).get_text()
    assert plan_state() == before


@pytest.mark.parametrize("sheet", ["milestones", "dependencies", "status-updates"])
def test_a_csv_round_trip_changes_nothing(admin_client: FlaskClient, sheet: str) -> None:
    before = plan_state()
    data = exported(admin_client, f"{BASE}/export.csv?sheet={sheet}")
    assert upload(admin_client, data, f"{sheet}.csv").status_code == 302
    section = "dependencies" if sheet == "dependencies" else sheet
    assert preview_counts(admin_client, section).startswith("0 new, 0 changed")
    admin_client.post(f"{BASE}/import/confirm")
    assert plan_state() == before


def test_a_csv_saved_by_excel_in_windows_1252_with_iso_dates_reads(
    admin_client: FlaskClient,
) -> None:
    text = exported(admin_client, f"{BASE}/export.csv?sheet=milestones").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    at, title = rows[0].index("Due date"), rows[0].index("Title")
    for row in rows[1:]:
        day, month, year = row[at].split("/")
        row[at] = f"{year}-{month}-{day}"
        if row[0] == "GOV-14":
            row[title] = "Constitution – final, £0 café"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode("cp1252")  # Excel's "CSV (Comma delimited)" on Windows
    assert upload(admin_client, data, "milestones.csv").status_code == 302
    html = page(admin_client.get(f"{BASE}/import/preview"))
    assert html.find(id="milestones-counts").get_text(strip=True).startswith("0 new, 1 changed")
    assert "Constitution – final, £0 café" in html.find(id="milestones-changed").get_text()


# Import: changes, previewed then applied ------------------------------------------------------


def test_changes_are_previewed_then_applied_in_one_go_into_the_audit_trail(
    admin_client: FlaskClient,
) -> None:
    gov_14 = milestone("GOV-14")
    old_due = gov_14.due_date
    data, _ = edited(exported(admin_client), "Milestones", "GOV-14", Due_date=datetime(2022, 6, 3))
    data, _ = appended(
        data,
        "Milestones",
        {
            "Ref": "GOV-21",
            "Title": "Post go-live governance review",
            "Workstream": "GOV",
            "Owner email": "mike.gilbert@example.org",
            "Kind": "Point",
            "Due date": "30/09/2022",
            "Predecessors": "GOV-99FS+20",
        },
    )
    data, _ = edited(data, "Status updates", "GOV", RAG="Red")
    before = plan_state()
    assert upload(admin_client, data).status_code == 302
    html = page(admin_client.get(f"{BASE}/import/preview"))
    assert html.find(id="milestones-new").find("tbody").get_text(strip=True) == (
        "GOV-21 Post go-live governance review"
    )
    changed = [
        [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in html.find(id="milestones-changed").find("tbody").find_all("tr")
    ]
    assert changed == [
        [f"GOV-14 {gov_14.title}", "Due date", f"{old_due.day} May 2022", "3 June 2022"]
    ]
    assert "GOV-99FS+20 → GOV-21" in html.find(id="dependencies-new").get_text()
    assert html.find(id="status-updates-changed") is not None
    assert plan_state() == before, "nothing changes before the confirm"

    response = admin_client.post(f"{BASE}/import/confirm")
    assert response.status_code == 302
    assert response.location == f"{BASE}/spreadsheets/"
    flashed = page(admin_client.get(response.location)).find(class_="tracker-flash").get_text()
    assert "1 new milestone, 1 milestone changed, 1 new link, 1 status update changed" in flashed
    db.session.expire_all()
    assert milestone("GOV-14").due_date == date(2022, 6, 3)
    new = milestone("GOV-21")
    assert (new.kind, new.status, new.planned_start, new.due_date) == (
        "point",
        "not_started",
        None,
        date(2022, 9, 30),
    )
    assert [(d.predecessor.ref, d.type, d.lag_days) for d in new.predecessor_links] == [
        ("GOV-99", "FS", 20)
    ]
    events = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc()).limit(audit_events() - before[-1])
    ).all()
    assert {e.actor for e in events} == {"Sarah Collins"}
    assert ("Milestone", "update", "due_date", old_due.isoformat(), "2022-06-03") in {
        (e.entity_type, e.action, e.field, e.old_value, e.new_value) for e in events
    }
    assert {"Milestone", "Dependency", "StatusUpdate"} <= {e.entity_type for e in events}
    assert {e.action for e in events} <= {"create", "update"}, "an import never deletes"


def test_milestones_missing_from_the_file_are_left_as_they_are(admin_client: FlaskClient) -> None:
    book = load_workbook(io.BytesIO(exported(admin_client)))
    ws = book["Milestones"]
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "PEO-10")
    ws.delete_rows(row)
    before = plan_state()
    assert upload(admin_client, _saved(book)).status_code == 302
    html = page(admin_client.get(f"{BASE}/import/preview"))
    missing = html.find(id="milestones-not-in-file")
    assert "1 milestone not in the file: left as they are" in missing.get_text(" ", strip=True)
    assert "PEO-10" in missing.get_text()
    admin_client.post(f"{BASE}/import/confirm")
    assert plan_state() == before
    assert milestone("PEO-10") is not None


def test_a_plan_changed_after_the_preview_is_shown_again_not_applied(
    admin_client: FlaskClient,
) -> None:
    data, _ = edited(exported(admin_client), "Milestones", "GOV-14", Title="Constitution final")
    upload(admin_client, data)
    admin_client.get(f"{BASE}/import/preview")
    with acting_as(Actor("someone else")):
        milestone("GOV-14").due_date = date(2022, 6, 10)
        db.session.commit()
    response = admin_client.post(f"{BASE}/import/confirm")
    assert response.status_code == 200
    html = page(response)
    assert html.find(id="plan-changed") is not None
    assert "Due date" in html.find(id="milestones-changed").get_text()
    db.session.expire_all()
    assert milestone("GOV-14").title != "Constitution final"
    # Confirming what is now shown applies it.
    assert admin_client.post(f"{BASE}/import/confirm").status_code == 302
    db.session.expire_all()
    assert milestone("GOV-14").title == "Constitution final"


def test_a_failure_while_applying_saves_nothing(
    admin_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.domain.validation import FieldError, ValidationError
    from tracker.services import plan_sheets

    apply = plan_sheets.apply_import

    def apply_then_fail(*args: Any, **kwargs: Any) -> Any:
        apply(*args, **kwargs)  # every change made and flushed, then something goes wrong
        raise ValidationError([FieldError("title", "refused late")], "GOV-14")

    monkeypatch.setattr(plan_sheets, "apply_import", apply_then_fail)
    data, _ = edited(exported(admin_client), "Milestones", "GOV-14", Title="Half saved?")
    data, _ = edited(data, "Milestones", "PEO-10", Title="Half saved too?")
    before = plan_state()
    upload(admin_client, data)
    admin_client.get(f"{BASE}/import/preview")
    response = admin_client.post(f"{BASE}/import/confirm")
    assert response.status_code == 200
    assert "Nothing was imported: GOV-14: title: refused late" in page(response).get_text()
    assert plan_state() == before


def test_cancel_forgets_the_upload(admin_client: FlaskClient, _kept_uploads: Path) -> None:
    data, _ = edited(exported(admin_client), "Milestones", "GOV-14", Title="Cancelled")
    upload(admin_client, data)
    assert len(list(_kept_uploads.glob("*.upload"))) == 1
    with admin_client.session_transaction() as session:
        assert set(session["plan_import"]) == {"token", "slug", "filename", "fingerprint"}
    response = admin_client.post(f"{BASE}/import/cancel")
    assert response.location == f"{BASE}/spreadsheets/"
    assert list(_kept_uploads.glob("*.upload")) == []
    assert admin_client.get(f"{BASE}/import/preview").location == f"{BASE}/import"
    assert admin_client.post(f"{BASE}/import/confirm").location == f"{BASE}/import"
    db.session.expire_all()
    assert milestone("GOV-14").title != "Cancelled"


def test_an_upload_left_for_over_an_hour_has_expired(
    admin_client: FlaskClient, _kept_uploads: Path
) -> None:
    upload(admin_client, exported(admin_client))
    (kept,) = _kept_uploads.glob("*.upload")
    an_hour_ago = time.time() - 3601
    os.utime(kept, (an_hour_ago, an_hour_ago))
    response = admin_client.get(f"{BASE}/import/preview")
    assert response.location == f"{BASE}/import"
    assert not kept.exists()
    assert "no upload waiting" in page(admin_client.get(response.location)).get_text()


# Import: problems, and nothing saved ----------------------------------------------------------


def refused(client: FlaskClient, data: bytes, name: str = "plan.xlsx") -> Any:
    before = plan_state()
    response = client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert page(response).title.get_text().startswith("Error: ")
    assert plan_state() == before
    assert client.get(f"{BASE}/import/preview").status_code == 302, "nothing kept to confirm"
    return response


@pytest.mark.parametrize(
    ("ref", "cells", "column", "message"),
    [
        ("GOV-14", {"Due_date": "31/02/2022"}, "Due date", "'31/02/2022' is not a date"),
        ("GOV-14", {"Workstream": "XYZ"}, "Workstream",
         "There is no workstream XYZ in this programme"),
        ("GOV-14", {"Owner_email": "nobody@example.org"}, "Owner email",
         "nobody@example.org is not anyone in the tracker: check it, or add them first"),
        ("GOV-14", {"Status": "Finished"}, "Status",
         "'Finished' must be not started, in progress, complete or blocked"),
        ("GOV-14", {"Ref": "GOV 14"}, "Ref", "'GOV 14' must look like GOV-01 (code, dash, number)"),
        ("GOV-14", {"Due_date": datetime(2022, 4, 1)}, "Due date",
         "Due date 1 April 2022 is before the planned start 29 April 2022"),
        ("GOV-14", {"Ref": "GOV-13"}, "Ref", "GOV-13 is also on row {GOV-13}: a milestone once"),
        ("GOV-14", {"Predecessors": "GOV-05; GOV-77"}, "Predecessors",
         "GOV-77 is not a milestone in the file or in the plan"),
        ("PEO-09", {"Predecessors": "PEO-06; PEO-07; PEO-08SS; PEO-10"}, "Predecessors",
         "PEO-10 → PEO-09 would make a cycle: PEO-09 → PEO-10 → PEO-09"),
        ("GOV-14", {"Due_date": "=DATE(2022,7,1)"}, "Due date",
         "formulas are not accepted; paste values instead"),
    ],
)  # fmt: skip
def test_each_problem_is_reported_by_row_and_column_and_nothing_is_imported(
    admin_client: FlaskClient, ref: str, cells: dict[str, Any], column: str, message: str
) -> None:
    data = exported(admin_client)
    ws = load_workbook(io.BytesIO(data))["Milestones"]
    rows = {ref: n for n, (ref, *_) in enumerate(ws.iter_rows(values_only=True), start=1)}
    data, number = edited(data, "Milestones", ref, **cells)
    # A good change in the same file is not saved either.
    data, _ = edited(data, "Milestones", "PEO-10", Title="Not saved")
    response = refused(admin_client, data)
    expected = ("Milestones", f"row {number}", column, message.format_map(rows))
    assert expected in problems(response)
    summary = page(response).find(class_="nhsuk-error-summary").get_text(" ", strip=True)
    assert "Nothing has been imported" in summary


def test_every_problem_in_the_file_is_listed_at_once(admin_client: FlaskClient) -> None:
    data, gov = edited(exported(admin_client), "Milestones", "GOV-14", Due_date="31/02/2022")
    data, peo = edited(data, "Milestones", "PEO-10", Status="Done", Owner_email="x@example.org")
    data, week = edited(data, "Status updates", "GOV", RAG="Purple")
    found = problems(refused(admin_client, data))
    assert [(sheet, row, column) for sheet, row, column, _ in found] == [
        ("Milestones", f"row {gov}", "Due date"),
        ("Milestones", f"row {peo}", "Status"),
        ("Status updates", f"row {week}", "RAG"),
    ]


def test_formulas_are_refused_wherever_they_are(admin_client: FlaskClient) -> None:
    data, number = edited(exported(admin_client), "Milestones", "GOV-14", Title='=A1&" draft"')
    book = load_workbook(io.BytesIO(data))  # openpyxl keeps it as a formula, as Excel would
    assert book["Milestones"].cell(number, 2).data_type == "f"
    assert problems(refused(admin_client, data)) == [
        ("Milestones", f"row {number}", "Title", "formulas are not accepted; paste values instead")
    ]


def test_a_file_over_the_size_limit_is_refused(admin_client: FlaskClient) -> None:
    response = refused(admin_client, b"Ref," + b"x" * files.MAX_UPLOAD_BYTES, "plan.csv")
    assert file_error(response).startswith("plan.csv is larger than 5 MB")


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Ref,Title\r\nGOV-01,Hello\r\n", "plan.xlsx",
         "plan.xlsx is not an Excel workbook (.xlsx): it is a text file"),
        (PNG, "plan.xlsx", "plan.xlsx is not an Excel workbook (.xlsx): it is an image or a PDF"),
        (PNG, "plan.csv", "plan.csv is not a CSV file: it is an image or a PDF"),
        (PNG, "plan.png", "Upload an Excel workbook (.xlsx) or a CSV file (.csv)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "plan.xlsx",
         "plan.xlsx is not an Excel workbook (.xlsx): it is an Excel 97-2003 workbook (.xls): "
         "save it as an Excel Workbook (.xlsx)"),
        (b"Name,Address\r\nA,B\r\n", "plan.csv",
         "The first row of plan.csv must hold the column headings of the Milestones, "
         "Dependencies or Status updates sheet, as an export has them"),
    ],
)  # fmt: skip
def test_a_file_of_the_wrong_type_is_refused_by_what_it_holds(
    admin_client: FlaskClient, data: bytes, name: str, message: str
) -> None:
    assert file_error(refused(admin_client, data, name)) == message


def test_a_zip_that_is_not_a_workbook_is_refused(admin_client: FlaskClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert file_error(refused(admin_client, buffer.getvalue())) == (
        "plan.xlsx is not an Excel workbook (.xlsx): it is a zip file but not an Excel workbook"
    )


def test_a_workbook_without_the_exports_sheets_is_refused(admin_client: FlaskClient) -> None:
    book = Workbook()
    book.active.title = "Sheet1"
    assert file_error(refused(admin_client, _saved(book))) == (
        "plan.xlsx has no sheet called Milestones, Dependencies or Status updates: name the "
        "sheets as an export does"
    )


def test_risks_are_exported_only(admin_client: FlaskClient) -> None:
    data = exported(admin_client, f"{BASE}/export.csv?sheet=risks")
    assert file_error(refused(admin_client, data, "risks.csv")) == (
        "risks.csv holds the Risks sheet: risks are exported only; change them on the risk register"
    )


def test_no_file_chosen(admin_client: FlaskClient) -> None:
    response = admin_client.post(f"{BASE}/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert file_error(response) == "Choose the .xlsx or .csv file to import"


# Who may import ---------------------------------------------------------------------------------


def test_the_admin_may_open_the_import_page(admin_client: FlaskClient) -> None:
    response = admin_client.get(f"{BASE}/import")
    assert response.status_code == 200
    form = page(response).find("form", enctype="multipart/form-data")
    assert form.find("input", type="file")["accept"] == ".xlsx,.csv"


@pytest.mark.parametrize("role", ["lead", "board"])
def test_leads_and_board_members_may_not_import(app: Flask, role: str) -> None:
    admin = sign_in_as(app.test_client(), "sarah.collins@example.org")
    data, _ = edited(exported(admin), "Milestones", "GOV-14", Title="Imported by a non-admin")
    client = sign_in_as(app.test_client(), NOT_ADMINS[role])
    before = plan_state()
    assert client.get(f"{BASE}/import").status_code == 403
    response = client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(data), "plan.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert client.get(f"{BASE}/import/preview").status_code == 403
    assert client.post(f"{BASE}/import/confirm").status_code == 403
    assert client.post(f"{BASE}/import/cancel").status_code == 403
    assert plan_state() == before
    db.session.expire_all()
    assert milestone("GOV-14").title != "Imported by a non-admin"
