"""The import's steps share one check of the upload while the plan stays as it was (issue 19):
the preview and the confirm read and check the kept file again only when the plan changed
since, the day changed, or the kept check is gone or damaged. The seed's today is Monday
4 April 2022.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.helpers import milestone, page
from tests.test_spreadsheets import BASE, _kept_uploads, edited, exported, upload
from tracker.audit import Actor, acting_as
from tracker.domain.notation import PredecessorLink
from tracker.domain.plan_sheets import (
    MILESTONES,
    KeptCheck,
    StoredPlan,
    Table,
    check_upload,
    export_rows,
    kept_from_text,
    kept_text,
)
from tracker.domain.plan_sheets.records import MilestoneRecord
from tracker.extensions import db
from tracker.spreadsheets import files

__all__ = ["_kept_uploads"]  # the fixture keeping uploads in the test's own folder


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each file the import reads, as it reads it."""
    read = files.read_upload
    found: list[str] = []

    def counted(filename: str, *args: Any) -> Any:
        found.append(filename)
        return read(filename, *args)

    monkeypatch.setattr(files, "read_upload", counted)
    return found


def test_the_preview_and_the_confirm_use_the_uploads_check(
    admin_client: FlaskClient, reads: list[str]
) -> None:
    data, _ = edited(exported(admin_client), "Milestones", "GOV-14", Title="Constitution final")
    assert upload(admin_client, data).status_code == 302
    assert reads == ["plan.xlsx"]
    html = page(admin_client.get(f"{BASE}/import/preview"))
    assert "Constitution final" in html.find(id="milestones-changed").get_text()
    assert admin_client.post(f"{BASE}/import/confirm").status_code == 302
    assert reads == ["plan.xlsx"], "the plan did not change: the file was checked once"
    db.session.expire_all()
    assert milestone("GOV-14").title == "Constitution final"


def test_a_change_to_the_plan_has_the_file_checked_again(
    admin_client: FlaskClient, reads: list[str]
) -> None:
    data, _ = edited(exported(admin_client), "Milestones", "GOV-14", Title="Constitution final")
    upload(admin_client, data)
    with acting_as(Actor("someone else")):
        milestone("PEO-10").title = "Renamed meanwhile"
        db.session.commit()
    html = page(admin_client.get(f"{BASE}/import/preview"))
    assert reads == ["plan.xlsx", "plan.xlsx"]
    assert "Renamed meanwhile" in html.find(id="milestones-changed").get_text(), "seen again"
    admin_client.post(f"{BASE}/import/confirm")  # the plan is as this preview saw it
    assert len(reads) == 2
    db.session.expire_all()
    assert milestone("PEO-10").title != "Renamed meanwhile", "the file's title, as previewed"
    assert milestone("GOV-14").title == "Constitution final"


def test_another_day_has_the_file_checked_again(
    admin_client: FlaskClient, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import clock

    upload(admin_client, exported(admin_client))
    monkeypatch.setattr(clock, "today", lambda: date(2022, 4, 5))
    admin_client.get(f"{BASE}/import/preview")
    assert len(reads) == 2


def test_a_damaged_kept_check_has_the_file_checked_again(
    admin_client: FlaskClient, reads: list[str], _kept_uploads: Path
) -> None:
    data, _ = edited(exported(admin_client), "Milestones", "GOV-14", Title="Constitution final")
    upload(admin_client, data)
    (kept,) = _kept_uploads.glob("*.check")
    assert kept.stat().st_mode & 0o777 == 0o600
    kept.write_text('{"_kind": "KeptCheck", "stamp": "x", "checked": {"_kind": "Popen"}}')
    html = page(admin_client.get(f"{BASE}/import/preview"))
    assert len(reads) == 2
    assert "Constitution final" in html.find(id="milestones-changed").get_text()
    admin_client.post(f"{BASE}/import/cancel")
    assert list(_kept_uploads.iterdir()) == [], "cancel deletes the file and its check"


def test_a_check_reads_back_as_it_was_kept() -> None:
    record = MilestoneRecord(
        "GOV-02",
        "Constitution approved",
        "",
        "GOV",
        "mike@example.org",
        "point",
        None,
        date(2022, 5, 3),
        "not_started",
        None,
        None,
        None,
        None,
        True,
        None,
        None,
        (PredecessorLink("GOV-01", "SS", -2),),
    )
    plan = StoredPlan(frozenset({"GOV"}), frozenset({"mike@example.org"}), {}, {}, {})
    first = replace(record, ref="GOV-01", kind="activity", planned_start=date(2022, 4, 4))
    rows = export_rows(MILESTONES, [replace(first, is_key=False, predecessors=()), record])
    table = Table(
        "Milestones", tuple(MILESTONES.headings), tuple(enumerate(map(tuple, rows), start=2))
    )
    checked = check_upload([(MILESTONES, table)], plan, date(2022, 4, 4))
    assert checked.ok and len(checked.milestones) == 2 and len(checked.dependencies) == 1
    kept = KeptCheck(checked, "1/abc/2022-04-04")
    again = kept_from_text(kept_text(kept))
    assert again == kept
    assert again is not None and again.checked.fingerprint() == checked.fingerprint()
    assert kept_from_text("not json") is None
    assert kept_from_text('{"_kind": "KeptCheck", "stamp": 1, "checked": []}') is None
