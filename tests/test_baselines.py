"""Several baselines per programme: the comparison page and its exports, choosing the one slip
is measured against, and the dashboard following that choice."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.test_board_pages import card, soup
from tracker.extensions import db
from tracker.models import AuditEvent, Baseline, Milestone, Programme
from tracker.scheduling import WorkingCalendar

BASE = "/p/kent-and-medway"
APRIL = "Plan for go-live 1 April 2022"
JULY = "Plan for go-live 1 July 2022"


def baseline(label: str) -> Baseline:
    found = db.session.scalar(select(Baseline).where(Baseline.label == label))
    assert found is not None
    return found


def programme() -> Programme:
    db.session.expire_all()
    return db.session.scalar(select(Programme))


def rows(page: BeautifulSoup) -> dict[str, list[str]]:
    table = page.find("table", id="comparison-table")
    return {
        tr["data-ref"]: [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    }


def test_the_current_baseline_is_compared_by_default(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/baselines/")
    assert page.find("h2", id="comparison").text == f"“{JULY}” compared with the plan now"
    listed = [tr.find("td").text for tr in page.find("table", id="baselines").tbody("tr")]
    assert listed == [JULY, APRIL]  # newest first
    summary = page.find("h2", id="comparison").find_next("ul").get_text(" ", strip=True)
    assert "Go-live: 1 July 2022 in the baseline, forecast 1 July 2022 (no slip)" in summary
    assert "0 new since the baseline; 0 removed from the plan" in summary
    assert len(rows(page)) == 109


def test_slip_is_counted_in_working_days_against_the_chosen_baseline(
    client: FlaskClient,
) -> None:
    april = baseline(APRIL)
    page = soup(client, f"{BASE}/baselines/?baseline={april.id}")
    summary = page.find("h2", id="comparison").find_next("ul").get_text(" ", strip=True)
    calendar = WorkingCalendar(date(2021, 7, 1))
    go_live_slip = calendar.working_days_between(date(2022, 4, 1), date(2022, 7, 1))
    assert f"forecast 1 July 2022 ({go_live_slip} working days later)" in summary
    item = next(i for i in april.items if i.ref == "GOV-99")
    line = rows(page)["GOV-99"]
    assert line[2] == "1 April 2022" and line[3] == "1 July 2022"
    assert line[5] == f"+{calendar.working_days_between(item.due_date, date(2022, 7, 1))}"


def test_new_and_removed_milestones(admin_client: FlaskClient) -> None:
    peo_16 = db.session.scalar(select(Milestone).where(Milestone.ref == "PEO-16"))
    db.session.delete(peo_16)
    db.session.commit()
    page = soup(admin_client, f"{BASE}/baselines/")
    line = rows(page)["PEO-16"]
    assert "Removed" in line[1] and line[3] == "–"
    assert "1 removed from the plan" in page.text


@pytest.mark.parametrize("role", ["admin", "lead", "board"])
def test_choosing_the_baseline_for_each_role(role: str, app, request) -> None:  # type: ignore[no-untyped-def]
    client = request.getfixturevalue(
        {"admin": "admin_client", "lead": "lead_client", "board": "client"}[role]
    )
    april = baseline(APRIL)
    before = programme().current_baseline_id
    events = len(db.session.scalars(select(AuditEvent.id)).all())
    response = client.post(f"{BASE}/baselines/choose", data={"baseline": april.id})
    if role == "admin":
        assert response.status_code == 302
        assert programme().current_baseline_id == april.id
        dashboard = soup(client, f"{BASE}/")
        slip = card(dashboard, "Slip against baseline")
        assert APRIL in slip.text and "later" in slip.find(class_="tracker-figure").text
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.field, event.new_value, event.actor) == (
            "current_baseline_id",
            APRIL,
            "Sarah Collins",
        ) or event.actor == "Sarah Collins"
    else:
        assert response.status_code == 403
        assert programme().current_baseline_id == before
        assert len(db.session.scalars(select(AuditEvent.id)).all()) == events


def test_exports(client: FlaskClient) -> None:
    april = baseline(APRIL)
    response = client.get(f"{BASE}/baselines/compare.csv?baseline={april.id}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 109
    gov_99 = next(r for r in table if r["Ref"] == "GOV-99")
    assert gov_99["Baseline due"] == "01/04/2022" and gov_99["Due now"] == "01/07/2022"

    response = client.get(f"{BASE}/baselines/compare.xlsx?baseline={april.id}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Ref", "Title", "Workstream", "Change", "Baseline due"]
    gov = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "GOV-99")
    assert gov[4].value.date() == date(2022, 4, 1) and gov[4].number_format == "dd/mm/yyyy"


def test_unknown_baselines_are_404(client: FlaskClient) -> None:
    assert client.get(f"{BASE}/baselines/?baseline=99999").status_code == 404
    assert client.get(f"{BASE}/baselines/?baseline=abc").status_code == 404
