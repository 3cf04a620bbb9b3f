"""Issue 16, part 2: every date a person sends lies in a window the programme makes sense in
(docs/scheduling.md, "The date window"), and a date already stored outside it cannot take a
page down. Each path refuses 9999-12-31, 0001-01-01 and 2999-01-01 with a message naming the
field; dates written straight into the database are read into the window, and the dashboard
says what to correct."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests.conftest import ADMIN, KENT_AND_MEDWAY, LEAD
from tests.helpers import (
    SEED_SLUG,
    count,
    error_for,
    fresh_milestone,
    page,
    programme,
    user_id,
)
from tests.test_api import bearer, token_for
from tests.test_feeds import make_feed
from tests.test_planning import form_values, new_milestone_data
from tests.test_raid_pages import issue_form, new_risk_form, risk_form, versioned
from tests.test_spreadsheets import edited, exported, problems, refused
from tests.test_updates import form_data
from tracker.domain.validation import format_date
from tracker.extensions import db
from tracker.models import (
    Baseline,
    BaselineItem,
    Decision,
    Issue,
    Milestone,
    Programme,
    Risk,
    RiskAction,
)
from tracker.services.optimistic_locking import opened_now
from tracker.services.seed_files import SeedError
from tracker.services.seeding import load_programme_dir

BAD = ["9999-12-31", "0001-01-01", "2999-01-01"]
P = f"/p/{SEED_SLUG}"

# --- stored dates outside the window ---------------------------------------------------------

BOARD_PAGES = [
    f"{P}/",
    f"{P}/gantt",
    f"{P}/milestones/",
    f"{P}/milestones/?sort=forecast",
    f"{P}/milestones/PEO-09",
    f"{P}/milestones/GOV-99",
    f"{P}/workstreams/PEO",
    f"{P}/baselines/",
    f"{P}/baselines/compare.csv",
    f"{P}/baselines/compare.xlsx",
    f"{P}/risks/",
    f"{P}/risks/R01",
    f"{P}/issues/",
    f"{P}/decisions/",
    f"{P}/history",
    f"{P}/history?to_date=2022-04-04",
    f"{P}/digest/",
    f"{P}/export.csv",
    f"{P}/export.xlsx",
    f"{P}/my-workstreams",
    f"{P}/plan-settings",
    f"{P}/spreadsheets/",
]
API = f"/api/v1/programmes/{SEED_SLUG}"
API_PAGES = [
    "/api/v1/programmes",
    API,
    f"{API}/milestones",
    f"{API}/milestones?per_page=200",
    f"{API}/milestones/PEO-09",
    f"{API}/milestones/GOV-99",
    f"{API}/dependencies",
    f"{API}/workstreams",
    f"{API}/risks",
]


def _store(table: Any, where: Any, **values: Any) -> None:
    """Write around every rule, as a row stored before the rule (or by hand) would be."""
    db.session.execute(sa.update(table).where(where).values(**values))
    db.session.expire_all()


def _milestone_dates(ref: str, **values: Any) -> None:
    table = Milestone.__table__
    _store(table, (table.c.ref == ref), **values)


STORED = {
    "due 9999": lambda: _milestone_dates("PEO-09", due_date=date(9999, 12, 31)),
    "due 0001": lambda: _milestone_dates(
        "PEO-09", planned_start=date(1, 1, 1), due_date=date(1, 1, 1)
    ),
    "due 2999": lambda: _milestone_dates("PEO-09", due_date=date(2999, 1, 1)),
    "start 0001": lambda: _milestone_dates("PEO-09", planned_start=date(1, 1, 1)),
    "forecast 9999": lambda: _milestone_dates(
        "PEO-10", forecast_date=date(9999, 12, 31), forecast_reason="typed"
    ),
    "completed 0001": lambda: _milestone_dates("GOV-01", completed_on=date(1, 1, 1)),
    "go-live 9999": lambda: _store(
        Programme.__table__,
        Programme.__table__.c.slug == SEED_SLUG,
        go_live_date=date(9999, 12, 31),
    ),
    "go-live milestone 9999": lambda: _milestone_dates("GOV-99", due_date=date(9999, 12, 31)),
    "baseline 9999": lambda: (
        _store(
            BaselineItem.__table__,
            BaselineItem.__table__.c.ref == "PEO-09",
            due_date=date(9999, 12, 31),
        ),
        _store(Baseline.__table__, sa.true(), go_live_date=date(9999, 12, 31)),
    ),
    "risk 9999": lambda: _store(
        Risk.__table__,
        Risk.__table__.c.ref == "R01",
        raised_on=date(1, 1, 1),
        review_on=date(9999, 12, 31),
    ),
    "action 9999": lambda: _store(RiskAction.__table__, sa.true(), due_on=date(9999, 12, 31)),
    "issue 0001": lambda: _store(Issue.__table__, sa.true(), raised_on=date(1, 1, 1)),
    "decision 9999": lambda: _store(Decision.__table__, sa.true(), decided_on=date(9999, 12, 31)),
}


@pytest.mark.parametrize("stored", list(STORED))
def test_a_date_stored_outside_the_window_takes_no_page_down(
    admin_client: FlaskClient, lead_client: FlaskClient, client: FlaskClient, stored: str
) -> None:
    token = token_for(ADMIN)
    feed = make_feed(LEAD)
    STORED[stored]()
    preview = f"{P}/digest/preview?person={user_id(LEAD)}&week=2022-W14"
    for who, allowed in ((admin_client, {200}), (lead_client, {200, 403}), (client, {200, 403})):
        for url in [*BOARD_PAGES, preview, f"{preview.replace('preview', 'preview.txt')}"]:
            response = who.get(url)
            assert response.status_code in allowed, (url, response.status_code)
            assert len(response.data) < 2_000_000, (url, len(response.data))
    api = admin_client.application.test_client()
    for url in API_PAGES:
        response = api.get(url, headers=bearer(token))
        assert response.status_code == 200, (url, response.status_code, response.get_json())
    assert api.get(f"/calendar/{feed.token}.ics").status_code == 200


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        (
            "due 9999",
            "PEO-09's due date 31 December 9999 is outside the programme's window: correct it",
        ),
        ("due 0001", "PEO-09's due date 1 January 1 is outside the programme's window: correct it"),
        (
            "due 2999",
            "PEO-09's due date 1 January 2999 is outside the programme's window: correct it",
        ),
        (
            "forecast 9999",
            "PEO-10's forecast date 31 December 9999 is outside the programme's window: correct it",
        ),
        (
            "completed 0001",
            "GOV-01's completion date 1 January 1 is outside the programme's window: correct it",
        ),
        (
            "go-live 9999",
            "The programme's go-live date 31 December 9999 is outside the programme's go-live "
            "window: correct it",
        ),
        (
            "baseline 9999",
            "PEO-09's baseline due date 31 December 9999 is outside the programme's window: "
            "correct it",
        ),
    ],
)
def test_the_dashboard_says_which_date_to_correct(
    client: FlaskClient, stored: str, message: str
) -> None:
    STORED[stored]()
    callout = page(client.get(f"{P}/")).find(id="date-problems")
    assert callout is not None
    assert message in callout.get_text(" ", strip=True)


def test_the_schedule_reads_a_stored_date_as_the_windows_nearest(app: Any) -> None:
    from tracker.services.schedule import date_window, programme_schedule

    STORED["due 9999"]()
    found = programme()
    schedule = programme_schedule(found)
    assert schedule is not None
    window = date_window(found)
    assert (window.first, window.last) == (date(2016, 7, 1), date(2027, 7, 1))
    assert schedule.planned()["PEO-09"].due == date(2027, 7, 1)
    # What follows PEO-09 follows it from there, not from the year 9999.
    assert max(m.forecast_due for m in schedule.forecast.milestones.values()) < date(2028, 1, 1)
    assert schedule.date_problems == (
        "PEO-09's due date 31 December 9999 is outside the programme's window: correct it",
    )


@pytest.mark.parametrize("stored", ["due 9999", "go-live 9999", "due 0001"])
def test_the_digest_sends_with_a_date_stored_outside_the_window(runner: Any, stored: str) -> None:
    STORED[stored]()
    result = runner.invoke(args=["digest", "send", "--dry-run", "--week", "2022-W14"])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "Would send" in result.output


# --- every path refuses a date outside the window, naming the field --------------------------

PROGRAMME_WINDOW = "the programme's window: enter a date from 1 July 2016 to 1 July 2027"
TRACKER_WINDOW = "the tracker's window: enter a date from 1 January 2000 to 31 December 2100"
GO_LIVE_WINDOW = "the programme's go-live window: enter a date from 1 July 2021 to 1 July 2031"


def outside(what: str, typed: str, window: str = PROGRAMME_WINDOW) -> str:
    return f"The {what} {format_date(date.fromisoformat(typed))} is outside {window}"


def refused_on(response: Any, field: str, message: str) -> None:
    assert response.status_code == 200, response.status_code
    html = page(response)
    assert html.title.get_text().startswith("Error: ")
    assert error_for(html, field) == message


@pytest.fixture(params=BAD)
def bad(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_new_milestone(admin_client: FlaskClient, bad: str) -> None:
    before = count(Milestone)
    data = new_milestone_data(kind="point", planned_start="", due_date=bad)
    response = admin_client.post(f"{P}/milestones/new", data=data)
    refused_on(response, "due_date", outside("due date", bad))
    data = new_milestone_data(planned_start=bad, due_date=bad)
    response = admin_client.post(f"{P}/milestones/new", data=data)
    refused_on(response, "planned_start", outside("planned start", bad))
    assert count(Milestone) == before


def test_a_milestone_edit(admin_client: FlaskClient, bad: str) -> None:
    data = form_values(page(admin_client.get(f"{P}/milestones/PEO-11/edit")))
    data.update(planned_start=bad, due_date=bad)
    response = admin_client.post(f"{P}/milestones/PEO-11/edit", data=data)
    refused_on(response, "due_date", outside("due date", bad))
    assert error_for(page(response), "planned_start") == outside("planned start", bad)
    assert fresh_milestone("PEO-11").due_date == date(2022, 5, 20)


def test_go_live(admin_client: FlaskClient, bad: str) -> None:
    response = admin_client.post(f"{P}/go-live", data={"target_date": bad, "reason": "Typed"})
    refused_on(response, "target_date", outside("go-live date", bad, GO_LIVE_WINDOW))
    response = admin_client.post(
        f"{P}/go-live", data={"target_date": "2031-07-02", "reason": "Typed"}
    )
    refused_on(response, "target_date", outside("go-live date", "2031-07-02", GO_LIVE_WINDOW))
    assert programme().go_live_date == date(2022, 7, 1)


def test_a_forecast_and_a_completion(lead_client: FlaskClient, bad: str) -> None:
    response = lead_client.post(
        f"{P}/milestones/PEO-10/forecast",
        data=form_data("PEO-10", forecast_date=bad, forecast_reason="Typed"),
    )
    refused_on(response, "forecast_date", outside("forecast date", bad))
    response = lead_client.post(
        f"{P}/milestones/PEO-10/complete",
        data=form_data("PEO-10", completed_on=bad, evidence_text="Letters sent"),
    )
    refused_on(response, "completed_on", outside("completion date", bad))
    found = fresh_milestone("PEO-10")
    assert (found.forecast_date, found.completed_on) == (None, None)


def test_a_risk_raised_and_its_review_date(admin_client: FlaskClient, bad: str) -> None:
    before = count(Risk)
    response = admin_client.post(f"{P}/risks/new", data=new_risk_form(raised_on=bad))
    refused_on(response, "raised_on", outside("date raised", bad))
    response = admin_client.post(f"{P}/risks/R03/edit", data=risk_form("R03", review_on=bad))
    refused_on(response, "review_on", outside("review date", bad))
    assert count(Risk) == before


def test_a_risk_review_and_an_action(admin_client: FlaskClient, bad: str) -> None:
    response = admin_client.post(
        f"{P}/risks/R03/review",
        data=versioned("R03", consequence="4", likelihood="3", note="Checked", review_on=bad),
    )
    refused_on(response, "review_on", outside("next review date", bad))
    response = admin_client.post(
        f"{P}/risks/R03/actions/new",
        data={"description": "Escalate", "owner": str(user_id(ADMIN)), "due_on": bad},
    )
    refused_on(response, "due_on", outside("action's due date", bad))


def test_an_issue_raised_and_closed(admin_client: FlaskClient, bad: str) -> None:
    response = admin_client.post(f"{P}/issues/I02/edit", data=issue_form("I02", raised_on=bad))
    refused_on(response, "raised_on", outside("date raised", bad))
    response = admin_client.post(
        f"{P}/issues/I02/close", data={"closed_on": bad, "opened_at": opened_now()}
    )
    refused_on(response, "closed_on", outside("date closed", bad))


def test_a_decision(admin_client: FlaskClient, bad: str) -> None:
    before = count(Decision)
    data = {"decided_on": bad, "forum": "Transition board", "decision": "Go", "milestones": ""}
    response = admin_client.post(f"{P}/decisions/new", data=data)
    refused_on(response, "decided_on", outside("date decided", bad))
    assert count(Decision) == before


@pytest.mark.parametrize(
    ("url", "field", "what"),
    [
        (f"{P}/history?to_date=", "to_date", "to date"),
        (f"{P}/history?from_date=", "from_date", "from date"),
        (f"{P}/milestones/?due_to=", "due_to", "latest due date"),
        (f"{P}/milestones/?due_from=", "due_from", "earliest due date"),
        (f"{P}/decisions/?decided_to=", "decided_to", "latest decision date"),
        (f"{P}/decisions/?decided_from=", "decided_from", "earliest decision date"),
    ],
)
def test_a_filter_date_is_a_form_error(
    admin_client: FlaskClient, bad: str, url: str, field: str, what: str
) -> None:
    response = admin_client.get(url + bad)
    assert response.status_code == 200
    assert error_for(page(response), field) == outside(what, bad, TRACKER_WINDOW)


def test_an_import_row(admin_client: FlaskClient, bad: str) -> None:
    data, number = edited(exported(admin_client), "Milestones", "GOV-14", Due_date=bad)
    found = problems(refused(admin_client, data))
    assert (
        "Milestones",
        f"row {number}",
        "Due date",
        outside("due date", bad, TRACKER_WINDOW),
    ) in (found)


def test_an_import_row_outside_the_programmes_window(admin_client: FlaskClient) -> None:
    data, number = edited(
        exported(admin_client),
        "Milestones",
        "GOV-14",
        Due_date="2030-01-31",
        Planned_start="2030-01-02",
    )
    data, peo = edited(
        data, "Milestones", "PEO-10", Forecast_date="2029-01-01", Forecast_reason="Typed"
    )
    found = problems(refused(admin_client, data))
    assert ("Milestones", f"row {number}", "Due date", outside("due date", "2030-01-31")) in found
    assert (
        "Milestones",
        f"row {number}",
        "Planned start",
        outside("planned start", "2030-01-02"),
    ) in found
    assert (
        "Milestones",
        f"row {peo}",
        "Forecast date",
        outside("forecast date", "2029-01-01"),
    ) in found


def test_the_api(admin_client: FlaskClient, bad: str) -> None:
    api = admin_client.application.test_client()
    token = token_for(ADMIN)
    for path, body, field, what in (
        (
            "complete",
            {"completed_on": bad, "evidence_text": "Done"},
            "completed_on",
            "completion date",
        ),
        ("forecast", {"forecast_date": bad, "reason": "Typed"}, "forecast_date", "forecast date"),
    ):
        response = api.post(f"{API}/milestones/PEO-10/{path}", headers=bearer(token), json=body)
        assert response.status_code == 422, response.get_json()
        error = response.get_json()["error"]
        assert error["field"] == field
        assert outside(what, bad, TRACKER_WINDOW) in error["message"]
    # Inside the tracker's window but not the programme's: the service's rule, same words.
    response = api.post(
        f"{API}/milestones/PEO-10/forecast",
        headers=bearer(token),
        json={"forecast_date": "2029-01-01", "reason": "Typed"},
    )
    assert response.status_code == 422, response.get_json()
    assert outside("forecast date", "2029-01-01") in response.get_json()["error"]["message"]
    assert fresh_milestone("PEO-10").forecast_date is None


def test_the_digest_week(runner: Any) -> None:
    for week in ("9999-W52", "0001-W01", "2999-W01"):
        result = runner.invoke(args=["digest", "send", "--dry-run", "--week", week])
        assert result.exit_code == 2, result.output
        assert "is outside the tracker's window" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_seed_file(app: Any, tmp_path: Path, bad: str) -> None:
    copy = tmp_path / "bad"
    shutil.copytree(KENT_AND_MEDWAY, copy)
    (copy / "programme.yaml").write_text(
        (copy / "programme.yaml").read_text().replace("slug: kent-and-medway", "slug: bad-dates")
    )
    peo = copy / "milestones" / "PEO.yaml"
    text = peo.read_text()
    assert text.count("due: 2022-03-31") >= 1
    peo.write_text(text.replace("due: 2022-03-31", f"due: {bad}", 1))
    with pytest.raises(SeedError) as refused_seed:
        load_programme_dir(copy)
    message = str(refused_seed.value)
    assert str(peo) in message and ", due: " in message
    assert outside("date", bad) in message
    db.session.rollback()


def test_a_seed_go_live(app: Any, tmp_path: Path) -> None:
    copy = tmp_path / "bad"
    shutil.copytree(KENT_AND_MEDWAY, copy)
    text = (copy / "programme.yaml").read_text()
    text = text.replace("slug: kent-and-medway", "slug: bad-dates")
    text = text.replace("{date: 2022-07-01,", "{date: 9999-12-31,")
    (copy / "programme.yaml").write_text(text)
    with pytest.raises(SeedError) as refused_seed:
        load_programme_dir(copy)
    assert str(copy / "programme.yaml") in str(refused_seed.value)
    assert outside("date", "9999-12-31", TRACKER_WINDOW) in str(refused_seed.value)
    db.session.rollback()
