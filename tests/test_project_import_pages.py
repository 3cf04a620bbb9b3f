"""Microsoft Project import through the pages and the command line, reading real files with
MPXJ in its own process (the file is Project XML that MPXJ itself wrote)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, sign_in_as
from tests.helpers import audit_count, page
from tests.test_project_import import estates_plan
from tracker.extensions import db
from tracker.models import Milestone, Programme, Workstream
from tracker.project_files import files

pytestmark = pytest.mark.usefixtures("java")  # MPXJ runs in a Java runtime

BASE = "/p/kent-and-medway/import/project"


@pytest.fixture(scope="module")
def estates_xml() -> bytes:
    """The small Estates plan as Project XML, written once by MPXJ."""
    return files.write_mspdi(estates_plan())


def upload(client: FlaskClient, data: bytes, name: str = "estates.xml") -> Any:
    return client.post(
        BASE,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def estates() -> Workstream | None:
    return db.session.scalar(select(Workstream).where(Workstream.name == "Estates"))


def test_upload_preview_confirm(app: Flask, client: FlaskClient, estates_xml: bytes) -> None:
    sign_in_as(client, ADMIN)
    form = page(client.get(BASE))
    assert form.find("input", {"type": "file"}) is not None
    before = audit_count()
    response = upload(client, estates_xml)
    assert response.status_code == 302 and response.location.endswith("/import/project/preview")
    preview = page(client.get(f"{BASE}/preview"))
    assert "EST: Estates" in preview.find(id="new-workstreams").get_text()
    assert "2 new, 0 changed, 0 unchanged" in preview.find(id="milestones-counts").get_text()
    assert "Someone Unknown" in preview.find(id="unmatched-resources").get_text()
    assert "16 May 2022" in preview.find(id="new-closures").get_text()
    assert estates() is None and audit_count() == before  # nothing changed yet
    done = client.post(f"{BASE}/confirm")
    assert done.status_code == 302
    workstream = estates()
    assert workstream is not None
    refs = db.session.scalars(
        select(Milestone.ref).where(Milestone.workstream_id == workstream.id)
    ).all()
    assert sorted(refs) == ["EST-01", "EST-02"]
    # The same file again: nothing to confirm.
    assert upload(client, estates_xml).status_code == 302
    again = page(client.get(f"{BASE}/preview"))
    assert again.find(id="no-changes") is not None
    assert again.find("button", string=lambda s: s and "Confirm import" in s) is None


def test_a_file_that_is_not_a_project_is_refused_by_its_field(
    app: Flask, client: FlaskClient
) -> None:
    sign_in_as(client, ADMIN)
    response = upload(client, b"Just some notes, not a plan.\n" * 20, "notes.xml")
    assert response.status_code == 200
    soup = page(response)
    error = soup.find(class_="nhsuk-error-message").get_text()
    assert "notes.xml" in error
    assert estates() is None


def test_a_wrong_extension_is_refused_before_reading(app: Flask, client: FlaskClient) -> None:
    sign_in_as(client, ADMIN)
    soup = page(upload(client, b"x", "plan.docx"))
    assert "Upload a Microsoft Project file (.mpp) or Project XML (.xml)" in soup.get_text()


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER])
def test_only_the_programme_office_imports(
    app: Flask, client: FlaskClient, email: str, estates_xml: bytes
) -> None:
    sign_in_as(client, email)
    assert client.get(BASE).status_code == 403
    assert upload(client, estates_xml).status_code == 403
    assert client.post(f"{BASE}/confirm").status_code == 403
    assert estates() is None


def test_confirm_with_nothing_waiting_says_so(app: Flask, client: FlaskClient) -> None:
    sign_in_as(client, ADMIN)
    response = client.post(f"{BASE}/confirm")
    assert response.status_code == 302 and response.location.endswith("/import/project")


def test_the_command_line_imports_and_starts_a_programme(
    app: Flask, estates_xml: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "estates.xml"
    path.write_bytes(estates_xml)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["plan", "import-project", str(path), "--programme", "kent-and-medway", "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert "2 new milestones, 1 new link, 1 new workstream" in result.output
    assert estates() is not None
    again = runner.invoke(
        args=["plan", "import-project", str(path), "--programme", "kent-and-medway", "--yes"]
    )
    assert again.exit_code == 0 and "nothing to import" in again.output
    started = runner.invoke(
        args=[
            "plan",
            "import-project",
            str(path),
            "--new-programme",
            "Estates ICB",
            "--from",
            "NHS Estates CCG",
            "--to",
            "NHS Estates ICB",
            "--admin",
            ADMIN,
            "--yes",
        ]
    )
    assert started.exit_code == 0, started.output
    new = db.session.scalar(select(Programme).where(Programme.slug == "estates-icb"))
    assert new is not None and new.to_organisation == "NHS Estates ICB"
    assert new.go_live_ref == "EST-02" and str(new.go_live_date) == "2022-05-20"
    nameless = runner.invoke(
        args=["plan", "import-project", str(path), "--new-programme", "Other ICB", "--yes"]
    )
    assert nameless.exit_code == 1
    assert "from: Enter the organisations that close" in nameless.output
    bad = tmp_path / "bad.xml"
    bad.write_text("not a plan")
    refused = runner.invoke(
        args=["plan", "import-project", str(bad), "--programme", "kent-and-medway", "--yes"]
    )
    assert refused.exit_code == 1 and "bad.xml" in refused.output


def test_export_then_import_changes_nothing(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    """The seeded programme out as Project XML and back in: every milestone, link, date,
    workstream and baseline found as it is, so there is nothing to confirm."""
    from tests.helpers import programme
    from tracker.cli.common import OPERATOR
    from tracker.services import project_import

    sign_in_as(client, ADMIN)
    exported = client.get("/p/kent-and-medway/export.xml")
    assert exported.status_code == 200
    before = audit_count()
    assert upload(client, exported.data, "kent-and-medway.xml").status_code == 302
    preview = page(client.get(f"{BASE}/preview"))
    assert preview.find(id="no-changes") is not None, preview.get_text()[:2000]
    path = tmp_path / "kent-and-medway.xml"
    path.write_bytes(exported.data)
    check = project_import.check_project_import(
        OPERATOR, programme(), files.read_project(path), path.name
    )
    assert check.ok and not check.changes_anything
    assert check.checked is not None
    assert len(check.checked.milestones) == len(programme().milestones)
    assert {i.action for i in check.checked.items()} == {"unchanged"}
    assert check.mapped.new_workstreams == () and check.mapped.baselines == ()
    assert audit_count() == before


def test_a_file_over_the_limit_is_refused_by_its_size(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the import's own limit (50 MB; 2 KB here), by name, before Java starts; a file
    bigger than the app's usual request limit still reaches the check."""
    monkeypatch.setattr(files, "MAX_BYTES", 2048)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    monkeypatch.setattr(files, "java_available", lambda: False)  # it must not get that far
    sign_in_as(client, ADMIN)
    soup = page(upload(client, b"<Project>" + b" " * 4000 + b"</Project>", "big.xml"))
    error = soup.find(class_="nhsuk-error-message").get_text()
    assert "big.xml" in error and "the most the tracker reads is" in error, error


def test_an_outline_level_out_of_range_is_refused_by_its_field(
    app: Flask, client: FlaskClient, estates_xml: bytes
) -> None:
    sign_in_as(client, ADMIN)
    response = client.post(
        BASE,
        data={"file": (io.BytesIO(estates_xml), "estates.xml"), "workstream_level": "0"},
        content_type="multipart/form-data",
    )
    soup = page(response)
    assert "Outline level of the workstreams must be a whole number, 1 to 9" in soup.get_text()
    assert estates() is None
