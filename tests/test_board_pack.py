"""The board pack: its figures are the dashboard's for the same day, its PDF holds them in
text (read back with poppler's pdftotext), is tagged (PDF/UA-1) and fetches nothing; every
member reads it; what changed since the last pack.

The test app pins today to Monday 4 April 2022 (tests/conftest.py).
"""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import sign_in_as
from tests.helpers import pdf_text, programme, soup
from tracker.clock import today
from tracker.domain import figures
from tracker.domain.board_pack import (
    DEFAULT_MARKING,
    PackSnapshot,
    changes_since,
    gantt_selection,
)
from tracker.formatting import long_date
from tracker.scheduling.calendar import WorkingCalendar
from tracker.services import board, board_pack

BASE = "/p/kent-and-medway"


def inflated(data: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated beside them: WeasyPrint keeps the
    catalog (and so /Lang and /StructTreeRoot) in a compressed object stream."""
    parts = [data]
    for found in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            parts.append(zlib.decompress(found.group(1)))
        except zlib.error:
            continue  # a stream that is not Flate (none here)
    return b"\n".join(parts)


def the_pack(app: Flask) -> board_pack.BoardPack:
    with app.test_request_context():
        return board_pack.gather(programme(), prepared_by="Sarah Collins")


# --- the figures are the dashboard's --------------------------------------------------------


def test_the_packs_figures_equal_the_dashboards_for_the_same_day(app: Flask) -> None:
    with app.test_request_context():
        kent = programme()
        pack = board_pack.gather(kent, prepared_by="Sarah Collins")
        # What the dashboard's _board() reads, from the same services.
        schedule = board.schedule_for(kent)
        assert schedule is not None
        forecast = schedule.forecast
        milestones = list(forecast.milestones.values())
        progress = figures.progress(milestones, forecast.today)
        workstreams = board.workstreams(kent)
        ws_figures = figures.workstream_figures(
            [ws.code for ws in workstreams], milestones, forecast.workstream_rags
        )
        top = board.top_risks(kent, today())

    h = pack.headline
    assert h is not None
    assert pack.position_at == forecast.today == date(2022, 4, 4)
    assert h.forecast_go_live == forecast.forecast_go_live
    assert h.go_live_target == forecast.go_live_target
    assert h.slack == forecast.go_live_float
    assert h.status == forecast.status
    assert h.slip_days == forecast.slip_days
    assert h.baseline_slip_days == forecast.baseline_slip_days
    assert h.progress == progress
    assert h.progress.complete == progress.complete and h.progress.overdue == progress.overdue
    assert len(pack.overdue) == progress.overdue
    assert [m.ref for m in pack.overdue] == [m.ref for m in figures.overdue(milestones)]
    assert [w.code for w in pack.workstreams] == [ws.code for ws in workstreams]
    for line in pack.workstreams:
        f = ws_figures[line.code]
        assert line.schedule_rag == f.schedule_rag == forecast.workstream_rags.get(line.code)
        assert (line.complete, line.total, line.overdue) == (f.complete, f.total, f.overdue)
    assert [(r.ref, r.score) for r in pack.risks] == [(r.ref, r.score) for r in top]
    assert pack.marking == DEFAULT_MARKING == "OFFICIAL"


def test_the_pack_has_the_chance_of_making_go_live_worked_out(app: Flask) -> None:
    pack = the_pack(app)
    assert pack.headline is not None
    assert pack.headline.chance is not None
    assert re.fullmatch(r"Chance of making \d+ \w+ \d{4}: \d+ %", pack.headline.chance)
    assert pack.snapshot.chance is not None and 0 <= pack.snapshot.chance <= 100


def test_the_pack_has_plan_health_and_reported_highlights(app: Flask) -> None:
    pack = the_pack(app)
    assert pack.headline is not None
    assert pack.headline.health_summary is not None
    assert re.fullmatch(r"\d+ of 12 checks pass", pack.headline.health_summary)
    passed = int(pack.headline.health_summary.split()[0])
    assert len(pack.headline.health_failing) == 12 - passed
    reported = [w for w in pack.workstreams if w.reported_week is not None]
    assert reported, "the seed has highlights"
    assert all(w.reported_rag in ("red", "amber", "green", "blue") for w in reported)
    assert any(w.achievements for w in reported)


# --- the page and the PDF -------------------------------------------------------------------


def test_the_page_shows_the_pack_in_order(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/board-pack")
    headings = [h.name for h in page.select("main h1, main h2, main h3")]
    assert headings[0] == "h1"
    # Headings never skip a level going down.
    for before, after in zip(headings, headings[1:], strict=False):
        assert int(after[1]) <= int(before[1]) + 1, headings
    ids = [s["id"] for s in page.select("main section[id]")]
    assert ids == [
        "cover",
        "headline",
        "workstreams",
        "gantt",
        "gantt-text",
        "milestones",
        "risks",
        "raid",
        "changes",
    ]
    assert page.find(id="marking").get_text(strip=True) == "OFFICIAL"
    assert page.find(id="first-pack").get_text(strip=True) == "This is the first pack."
    assert page.select_one("#gantt svg title").get_text().startswith("Kent and Medway")
    for table in page.select("main table"):
        assert table.find("caption") is not None
        assert table.select("th[scope]"), table.get("id")


def test_the_pdf_holds_the_headline_every_workstream_and_the_marking(
    app: Flask, client: FlaskClient
) -> None:
    response = client.get(f"{BASE}/board-pack.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    # A long name wraps in its table cell: compare words, not line breaks.
    text = " ".join(pdf_text(response.data).split())
    pack = the_pack(app)
    assert pack.headline is not None
    assert pack.programme in text
    assert f"Position at {long_date(pack.position_at)}" in text
    assert long_date(pack.headline.forecast_go_live) in text
    slack = pack.headline.slack
    assert f"{slack} working day{'' if abs(slack) == 1 else 's'}" in text
    assert pack.headline.status.capitalize() in text
    for line in pack.workstreams:
        assert line.name in text, line.name
    assert "OFFICIAL" in text
    assert "Page 1 of" in text
    assert "This is the first pack." in text


def test_the_pdf_is_tagged_with_its_title_and_language(app: Flask) -> None:
    pack = the_pack(app)
    with app.test_request_context():
        data = inflated(board_pack.pdf(pack))
    assert b"/StructTreeRoot" in data
    assert b"/Lang (en-GB)" in data
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked true", data)
    # PDF/UA-1's identification in the XMP metadata, and the title shown in the title bar.
    assert re.search(rb"pdfuaid:part[^0-9]{0,3}1", data)
    assert b"/DisplayDocTitle true" in data
    assert b"board pack, position at 4 April 2022" in data


def test_the_pdf_asks_for_nothing_from_another_host(app: Flask) -> None:
    pack = the_pack(app)
    fetcher = board_pack.LocalOnly()
    with app.test_request_context():
        board_pack.pdf(pack, fetcher)
    assert fetcher.asked, "the chart is fetched, from a data: URL"
    assert all(url.startswith(("data:", "file:")) for url in fetcher.asked), fetcher.asked


def test_the_fetcher_refuses_other_hosts_and_files_outside_static() -> None:
    assert board_pack.LocalOnly.static_file("https://example.org/x.css") is None
    assert board_pack.LocalOnly.static_file("file:///etc/passwd") is None
    inside = board_pack.STATIC / "js" / "init.js"
    assert board_pack.LocalOnly.static_file(inside.as_uri()) == inside.resolve()


# --- who reads it ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["board-pack", "board-pack.pdf"])
def test_every_member_reads_the_page_and_the_pdf(role_client: FlaskClient, url: str) -> None:
    assert role_client.get(f"{BASE}/{url}").status_code == 200


@pytest.mark.parametrize("url", ["board-pack", "board-pack.pdf"])
def test_a_non_member_is_told_there_is_no_such_programme(app: Flask, url: str) -> None:
    from tracker.services.accounts import create_user

    create_user("olive.outsider@example.org", None, "Olive Outsider")
    outsider = sign_in_as(app.test_client(), "olive.outsider@example.org")
    response = outsider.get(f"{BASE}/{url}")
    assert response.status_code == 404
    assert response.mimetype != "application/pdf"


def test_prepared_by_is_the_reader_until_issuing(admin_client: FlaskClient) -> None:
    page = soup(admin_client, f"{BASE}/board-pack")
    assert page.find(id="prepared-by").get_text(strip=True) == "Sarah Collins"


# --- what changed since the last pack -------------------------------------------------------

CALENDAR = WorkingCalendar(date(2022, 1, 3), "ENG")


def snap(
    day: date,
    milestones: dict[str, tuple[str, date]],
    risks: dict[str, int],
    chance: int | None = 40,
) -> PackSnapshot:
    return PackSnapshot(day, date(2022, 7, 1), chance, milestones, risks, {"PEO-09": "TUPE"})


def test_the_first_pack_lists_nothing() -> None:
    now = snap(date(2022, 4, 4), {"PEO-09": ("in_progress", date(2022, 5, 3))}, {"R-01": 12})
    changes = changes_since(None, now, CALENDAR)
    assert changes.first
    assert changes.completed == () and changes.slipped == ()
    assert changes.new_risks == () and changes.rescored == ()


def test_changes_name_completed_slipped_new_and_rescored() -> None:
    before = snap(
        date(2022, 3, 7),
        {
            "PEO-08": ("in_progress", date(2022, 3, 25)),
            "PEO-09": ("not_started", date(2022, 4, 29)),  # a Friday
            "FIN-01": ("not_started", date(2022, 5, 10)),
            "GOV-02": ("complete", date(2022, 2, 1)),
        },
        {"R-01": 12, "R-02": 9},
        chance=55,
    )
    now = snap(
        date(2022, 4, 4),
        {
            "PEO-08": ("complete", date(2022, 3, 30)),
            # Friday 29 April to Friday 6 May 2022: 4 working days (Monday 2 May is a bank holiday).
            "PEO-09": ("not_started", date(2022, 5, 6)),
            "FIN-01": ("not_started", date(2022, 5, 9)),  # earlier: not a slip
            "GOV-02": ("complete", date(2022, 2, 1)),
            "NEW-01": ("not_started", date(2022, 6, 1)),  # new: no slip to speak of
        },
        {"R-01": 16, "R-02": 9, "R-03": 20},
    )
    changes = changes_since(before, now, CALENDAR)
    assert not changes.first
    assert changes.previous_position == date(2022, 3, 7)
    assert changes.completed == ("PEO-08",)
    assert [(s.ref, s.title, s.was, s.now, s.working_days) for s in changes.slipped] == [
        ("PEO-09", "TUPE", date(2022, 4, 29), date(2022, 5, 6), 4)
    ]
    assert changes.new_risks == (("R-03", 20),)
    assert [(r.ref, r.was, r.now) for r in changes.rescored] == [("R-01", 12, 16)]
    assert changes.chance_was == 55
    assert not changes.nothing


def test_a_snapshot_survives_json_unchanged(app: Flask) -> None:
    import json

    pack = the_pack(app)
    stored = json.loads(json.dumps(pack.snapshot.as_json()))
    assert PackSnapshot.from_json(stored) == pack.snapshot
    # Compared with itself, nothing changed.
    assert changes_since(pack.snapshot, pack.snapshot, CALENDAR).nothing


def test_a_big_plans_chart_keeps_to_one_page(app: Flask) -> None:
    with app.test_request_context():
        schedule = board.schedule_for(programme())
        assert schedule is not None
        forecast = schedule.forecast
        milestones = list(forecast.milestones.values())
    chosen = gantt_selection(milestones, forecast.driving_path, limit=10)
    assert len(chosen) == 10
    path = [r for r in forecast.driving_path if r in forecast.milestones]
    assert [m.ref for m in chosen[: min(10, len(path))]] == path[:10]
    assert gantt_selection(milestones, forecast.driving_path, limit=len(milestones)) == milestones
