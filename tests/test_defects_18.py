"""Issue 18's defects found when the tracker was tried as a new user would: each as a test.

2. an evidence link must be https://; 3. a lag or lead is at most a year; 5. history in
people's words; 6. a completed milestone has no float and shows when it was completed;
7. times in London with their zone, and the demo's pinned today said; 9. an unchanged import
offers no confirm; 10. a go-live or due date on a non-working day is explained, not refused.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select

from tests.conftest import ADMIN, LEAD
from tests.helpers import milestone, programme, soup
from tests.helpers import page as parse
from tracker.audit import AUDITED, NOT_AUDITED_FIELDS, Actor, acting_as
from tracker.domain.gantt import COLUMNS
from tracker.domain.terms import MilestoneStatus
from tracker.domain.validation import (
    EVIDENCE_URL_RULE,
    LAG_LIMIT,
    check_dependency,
    check_evidence,
)
from tracker.domain.working_days import go_live_day_note
from tracker.extensions import db
from tracker.formatting import clock_note, london_time
from tracker.history import words
from tracker.models import Dependency, Milestone, Person
from tracker.scheduling import PlannedMilestone, WorkingCalendar, forecast_programme
from tracker.scheduling.engine import Activity, schedule
from tracker.scheduling.explain import explanation
from tracker.scheduling.programme_data import Translated
from tracker.services import templates
from tracker.services.accounts import user_by_email

BASE = "/p/kent-and-medway"
ENGLAND = WorkingCalendar(date(2022, 4, 1), "ENG")


# --- 2. the evidence link ------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://intranet/paper", "intranet/paper", "ftp://x/y"])
def test_an_evidence_link_that_is_not_https_is_refused_by_name(url: str) -> None:
    errors = check_evidence(False, "Minutes", url)
    assert [(e.field, e.message) for e in errors] == [("evidence_url", EVIDENCE_URL_RULE)]
    assert EVIDENCE_URL_RULE == (
        "The link to the evidence must start with https://, like https://example.org/paper"
    )


def test_an_https_evidence_link_is_accepted() -> None:
    assert check_evidence(True, "", "https://example.org/paper") == []
    assert check_evidence(False, "", "HTTPS://example.org/paper") == []


def test_a_lead_completing_with_an_http_link_is_told_and_nothing_is_saved(
    lead_client: FlaskClient,
) -> None:
    from tracker.services.optimistic_locking import opened_now

    response = lead_client.post(
        f"{BASE}/milestones/PEO-10/complete",
        data={
            "version": milestone("PEO-10").version,
            "opened_at": opened_now(),
            "completed_on": "2022-04-04",
            "evidence_text": "Paper",
            "evidence_url": "http://intranet/paper",
        },
    )
    assert EVIDENCE_URL_RULE in response.text
    db.session.expire_all()
    assert milestone("PEO-10").status == "not_started"


# --- 3. a lag or lead beyond a year ----------------------------------------------------------


def _lag(lag: int) -> list[tuple[str, str]]:
    errors = check_dependency(predecessor="PEO-09", successor="PEO-10", type="FS", lag_days=lag)
    return [(e.field, e.message) for e in errors]


def test_a_lag_or_lead_within_a_year_is_accepted() -> None:
    assert LAG_LIMIT == 260
    for lag in (0, 5, -2, LAG_LIMIT, -LAG_LIMIT):
        assert _lag(lag) == [], lag


def test_a_lag_or_lead_beyond_a_year_is_refused_naming_it() -> None:
    assert _lag(-500) == [
        (
            "lag_days",
            "The lead of 500 working days is more than a year: keep the lag within 260 "
            "working days either way, like 5, or -2 for a lead",
        )
    ]
    assert _lag(LAG_LIMIT + 1)[0][1].startswith("The lag of 261 working days is more than")


def test_the_add_link_page_refuses_a_lead_of_500_days(admin_client: FlaskClient) -> None:
    before = db.session.scalar(select(db.func.count(Dependency.id)))
    predecessor = db.session.scalar(select(Milestone.id).where(Milestone.ref == "GOV-18"))
    data = {"predecessor": str(predecessor), "type": "FS", "lag_days": "-500"}
    html = parse(admin_client.post(f"{BASE}/milestones/PEO-11/dependencies/new", data=data))
    message = html.find(id="lag_days-error")
    assert message is not None and "more than a year" in message.get_text()
    assert db.session.scalar(select(db.func.count(Dependency.id))) == before


def test_an_import_with_a_lag_beyond_a_year_is_refused(admin_client: FlaskClient) -> None:
    data = admin_client.get(f"{BASE}/export.csv?sheet=dependencies").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    column = rows[0].index("Lag (working days)")
    rows[1][column] = "-500"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = admin_client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(out.getvalue().encode()), "dependencies.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200  # the upload page again, with the problem
    assert "more than a year" in response.get_data(as_text=True)


def test_no_seeded_link_or_template_exceeds_the_limit(app: Flask) -> None:
    seeded = db.session.scalars(select(Dependency.lag_days)).all()
    assert seeded and all(abs(lag) <= LAG_LIMIT for lag in seeded)
    for template in templates.list_templates():
        for m in template.milestones:
            assert all(abs(p.lag_days) <= LAG_LIMIT for p in m.predecessors), m.ref


# --- 5. history in people's words ------------------------------------------------------------


def test_every_audited_column_has_words() -> None:
    missing = []
    for model in AUDITED:
        mapper = inspect(model)
        fields = [a.key for a in mapper.column_attrs if a.key not in NOT_AUDITED_FIELDS]
        fields += [r.key for r in mapper.relationships if r.secondary is not None]
        for field in fields:
            if field not in words.FIELD_WORDS and (model.__name__, field) not in (
                words.ENTITY_FIELD_WORDS
            ):
                missing.append(f"{model.__name__}.{field}")
        assert model.__name__ in words.ENTITY_WORDS, model.__name__
    assert missing == []


@pytest.mark.parametrize(
    ("field", "recorded", "shown"),
    [
        ("status", "in_progress", "In progress"),
        ("status", "not_started", "Not started"),
        ("status", "complete", "Complete"),
        ("status", "closed", "Closed"),
        ("kind", "point", "Point milestone"),
        ("type", "SS", "Start to start (SS)"),
        ("rag", "amber", "Amber"),
        ("role", "lead", "Workstream lead"),
        ("calendar_region", "SCT", "Scotland"),
        ("is_key", "yes", "Yes"),
        ("health_thresholds", "{'high_float': 44}", "high float 44"),
        ("title", "complete", "complete"),  # free text stays as typed
    ],
)
def test_values_are_in_users_words(field: str, recorded: str, shown: str) -> None:
    assert words.value_words(recorded, field) == shown


def test_every_status_has_words() -> None:
    assert set(words.VALUE_WORDS["status"]) >= {s.value for s in MilestoneStatus}


@pytest.mark.parametrize(
    ("field", "entity", "shown"),
    [
        ("completed_by_id", "Milestone", "Completed by"),
        ("evidence_url", "Milestone", "Evidence link"),
        ("forecast_by_id", "Milestone", "Forecast by"),
        ("closed_on", "Issue", "Date resolved"),
        ("name", "Person", "Full name"),
    ],
)
def test_fields_are_in_users_words(field: str, entity: str, shown: str) -> None:
    assert words.change_words("update", field, entity) == shown


def test_milestone_history_reads_in_words(app: Flask, client: FlaskClient) -> None:
    becca = user_by_email(LEAD)
    assert becca is not None
    with acting_as(Actor(becca.name, becca.id)):
        m = milestone("PEO-10")
        m.status = "in_progress"
        db.session.commit()
        m = milestone("PEO-10")  # loaded again, as the next request would
        assert m.status == "in_progress"
        m.status = "complete"
        m.completed_on = date(2022, 4, 4)
        m.completed_by = db.session.get(Person, becca.person_id)
        m.evidence_text = "Paper to the board"
        m.evidence_url = "https://example.org/paper"
        db.session.commit()
    html = soup(client, f"{BASE}/milestones/PEO-10")
    table = html.find("h2", string="History").find_next("table")
    rows = [[td.get_text(" ", strip=True) for td in tr("td")] for tr in table.tbody("tr")]
    becca_rows = [r for r in rows if r[1] == "Becca Bradd"]
    statuses = [(r[3], r[4]) for r in becca_rows if r[2] == "Status"]
    assert statuses == [("In progress", "Complete"), ("Not started", "In progress")]
    changes = {r[2]: (r[3], r[4]) for r in becca_rows}
    assert changes["Completed by"] == ("–", "Becca Bradd")
    assert changes["Evidence link"] == ("–", "https://example.org/paper")
    assert changes["Completed on"] == ("–", "4 April 2022")
    text = table.get_text(" ", strip=True)
    for raw in ("completed by id", "evidence url", "in_progress", "Update "):
        assert raw not in text, raw


def test_a_person_recorded_by_id_is_named_on_the_history_page(
    app: Flask, admin_client: FlaskClient
) -> None:
    becca = user_by_email(LEAD)
    assert becca is not None
    admin = user_by_email(ADMIN)
    assert admin is not None
    with acting_as(Actor(admin.name, admin.id)):
        m = milestone("PEO-11")
        m.forecast_date = date(2022, 6, 6)
        m.forecast_reason = "Waiting for the staff side"
        m.forecast_by_id = becca.person_id  # a bare id, as a column set directly records it
        db.session.commit()
    html = soup(admin_client, f"{BASE}/history?person={admin.id}")
    row = next(tr for tr in html.find(id="history").tbody("tr") if "Forecast by" in tr.get_text())
    cells = [td.get_text(" ", strip=True) for td in row("td")]
    assert cells[3:] == ["Forecast by", "–", "Becca Bradd"]


# --- 6. a completed milestone has no float ---------------------------------------------------


def _completed_ref() -> tuple[str, date]:
    m = db.session.scalars(
        select(Milestone).where(Milestone.status == "complete").order_by(Milestone.ref)
    ).first()
    assert m is not None and m.completed_on is not None
    return m.ref, m.completed_on


def _row_cells(html: BeautifulSoup, table_id: str | None, ref: str) -> list[str]:
    tables = [html.find("table", id=table_id)] if table_id else html.find_all("table")
    for table in tables:
        for tr in table.find_all("tr"):
            link = tr.find("a", string=ref)
            if link is not None:
                return [td.get_text(" ", strip=True) for td in tr.find_all("td")]
    raise AssertionError(f"{ref} not listed")


def test_a_completed_milestone_has_no_float_and_shows_its_completion_everywhere(
    client: FlaskClient,
) -> None:
    ref, done = _completed_ref()
    completed = f"Completed {done.day} {done:%B %Y}"
    no_float = "– not applicable: complete"
    listed = _row_cells(soup(client, f"{BASE}/milestones/"), "milestones", ref)
    assert (listed[4], listed[5]) == (completed, no_float)
    gantt = _row_cells(soup(client, f"{BASE}/gantt"), "gantt-data", ref)
    assert (gantt[5], gantt[7]) == (completed, no_float)
    workstream = _row_cells(soup(client, f"{BASE}/workstreams/{ref.split('-')[0]}"), None, ref)
    assert completed in workstream and no_float in workstream


def test_the_gantt_chart_data_gives_a_completed_milestone_no_float(client: FlaskClient) -> None:
    import json

    ref, _done = _completed_ref()
    html = soup(client, f"{BASE}/gantt")
    chart = json.loads(html.find(id="gantt-json").string)
    row = next(r for r in chart["rows"] if r[0] == ref)
    assert row[COLUMNS.index("float")] is None
    open_row = next(r for r in chart["rows"] if r[COLUMNS.index("status")] != "complete")
    assert isinstance(open_row[COLUMNS.index("float")], int)


def test_workstream_highlights_keep_their_line_breaks(app: Flask, client: FlaskClient) -> None:
    from tracker.models import StatusUpdate, Workstream

    update = db.session.scalars(
        select(StatusUpdate)
        .join(Workstream)
        .where(Workstream.code == "PEO")
        .order_by(StatusUpdate.week_start.desc())
    ).first()
    assert update is not None
    update.achievements = "First line\nSecond line\n\nA new paragraph"
    db.session.commit()
    html = soup(client, f"{BASE}/workstreams/PEO")
    heading = html.find("h3", string="Achievements")
    first, second = heading.find_next_siblings("p")[:2]
    assert first.find("br") is not None and "Second line" in first.get_text()
    assert second.get_text(strip=True) == "A new paragraph"


# --- 7. which clock ---------------------------------------------------------------------------


def test_times_are_london_time_with_the_zone() -> None:
    assert london_time(datetime(2022, 4, 4, 8, 30, tzinfo=UTC)) == "4 April 2022 09:30 BST"
    assert london_time(datetime(2022, 12, 1, 14, 5, tzinfo=UTC)) == "1 December 2022 14:05 GMT"
    assert london_time(datetime(2022, 12, 1, 14, 5, tzinfo=UTC), zone=False) == (
        "1 December 2022 14:05"
    )
    assert london_time(None) == ""


def test_the_demo_s_pinned_today_is_said(app: Flask) -> None:
    with app.test_request_context():
        note = clock_note()
        assert note is not None and note.startswith("Today is pinned to 4 April 2022 for the demo")
        assert "Times of changes and sign-ins are real, in UK time." in note
        app.config["TRACKER_TODAY"] = None
        try:
            assert clock_note() is None
        finally:
            app.config["TRACKER_TODAY"] = date(2022, 4, 4)


def test_every_page_says_which_clock_it_reads(client: FlaskClient) -> None:
    footer = soup(client, "/p/kent-and-medway/").find("footer").get_text(" ", strip=True)
    assert "Today is pinned to 4 April 2022 for the demo" in footer


def test_the_dashboard_says_a_saturday_go_live_is_measured_to_friday(
    app: Flask, client: FlaskClient
) -> None:
    assert soup(client, "/p/kent-and-medway/").find(id="go-live-day-note") is None
    kent = programme()
    kent.go_live_date = date(2022, 7, 2)  # a Saturday
    db.session.commit()
    note = soup(client, "/p/kent-and-medway/").find(id="go-live-day-note")
    assert note is not None
    assert note.get_text(" ", strip=True).startswith("2 July 2022 is a Saturday")
    assert "Friday 1 July 2022" in note.get_text(" ", strip=True)


def test_the_users_page_shows_last_sign_in_with_its_zone(
    app: Flask, admin_client: FlaskClient
) -> None:
    becca = user_by_email(LEAD)
    assert becca is not None
    becca.last_sign_in_at = datetime(2022, 4, 4, 8, 30, tzinfo=UTC)
    db.session.commit()
    assert "4 April 2022 09:30 BST" in admin_client.get("/users/").get_data(as_text=True)


# --- 9. an unchanged import -------------------------------------------------------------------


def test_an_unchanged_import_offers_no_confirm_and_a_way_back(admin_client: FlaskClient) -> None:
    data = admin_client.get(f"{BASE}/export.xlsx").data
    response = admin_client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(data), "plan.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    html = soup(admin_client, f"{BASE}/import/preview")
    assert "there is nothing to confirm" in html.find(id="no-changes").get_text()
    buttons = [b.get_text(strip=True) for b in html.find_all("button")]
    assert "Confirm import" not in buttons
    assert html.find("form", action=f"{BASE}/import/confirm") is None
    assert html.find(id="upload-again")["href"] == f"{BASE}/import"
    assert html.find(id="back-to-spreadsheets")["href"] == f"{BASE}/spreadsheets/"
    # A confirm sent anyway imports nothing and says so.
    confirmed = admin_client.post(f"{BASE}/import/confirm")
    text = parse(admin_client.get(confirmed.location)).get_text(" ", strip=True)
    assert "Nothing imported: plan.xlsx matches the plan, so nothing changed." in text


# --- 10. non-working days ---------------------------------------------------------------------


def test_the_calendar_names_a_non_working_day() -> None:
    assert ENGLAND.non_working_reason(date(2023, 4, 1)) == "a Saturday"
    assert ENGLAND.non_working_reason(date(2022, 6, 3)) == (
        "a bank holiday (Platinum Jubilee of Elizabeth II)"
    )
    assert ENGLAND.holiday_name(date(2022, 6, 2)) == "Spring Bank Holiday"
    closed = WorkingCalendar(date(2022, 4, 1), "ENG", [date(2022, 12, 28)])
    assert closed.non_working_reason(date(2022, 12, 28)) == "a day the programme is closed"
    assert ENGLAND.non_working_reason(date(2022, 6, 6)) is None


def test_a_saturday_go_live_is_explained_by_what_the_engine_measures_to() -> None:
    assert go_live_day_note(ENGLAND, date(2023, 4, 1)) == (
        "1 April 2023 is a Saturday: the tracker measures to the last working day before it, "
        "Friday 31 March 2023."
    )
    # What the engine really does: a Saturday target ends with Friday's working day.
    assert ENGLAND.finish_date(ENGLAND.finish_offset(date(2023, 4, 1))) == date(2023, 3, 31)
    assert go_live_day_note(ENGLAND, date(2022, 7, 1)) is None
    assert go_live_day_note(ENGLAND, None) is None


def _bank_holiday_milestone() -> PlannedMilestone:
    return PlannedMilestone(
        "GOV-01", "Board approves", "GOV", "Jo King", "point", None, date(2022, 6, 3), "not_started"
    )


def test_a_milestone_due_on_a_bank_holiday_says_why_its_forecast_is_earlier() -> None:
    m = _bank_holiday_milestone()
    forecast = forecast_programme(
        [m],
        [],
        go_live_ref="GOV-01",
        go_live_target=date(2022, 7, 1),
        today=date(2022, 4, 4),
        calendar=ENGLAND,
    )
    f = forecast.milestones["GOV-01"]
    assert f.forecast_due == date(2022, 6, 1)
    assert f.explanation.startswith("Forecast 1 June 2022: due 3 June 2022, ")
    assert f.explanation.endswith(", so the last working day before it.")


def test_with_the_calendar_the_explanation_names_the_bank_holiday() -> None:
    m = _bank_holiday_milestone()
    finish = ENGLAND.finish_offset(m.due)
    plan = Translated(m, 0, finish)
    sched = schedule([Activity(m.ref, 0, earliest_start=finish)], [])
    due = ENGLAND.finish_date(sched.activities[m.ref].ef)
    assert explanation(plan, "plan", (), sched, due, 0, ENGLAND) == (
        "Forecast 1 June 2022: due 3 June 2022, a bank holiday (Platinum Jubilee of "
        "Elizabeth II), so the last working day before it."
    )
    on_a_working_day = Translated(
        PlannedMilestone("A", "A", "GOV", "", "point", None, due, "not_started"), 0, finish
    )
    assert explanation(on_a_working_day, "plan", (), sched, due, 0, ENGLAND) == (
        "Forecast 1 June 2022, as planned."
    )


def test_the_go_live_preview_says_a_saturday_target_is_measured_to_friday(
    admin_client: FlaskClient,
) -> None:
    page = soup(admin_client, f"{BASE}/go-live")
    opened = page.find("input", attrs={"name": "opened_at"})["value"]
    assert "may be a weekend or bank holiday" in page.find(id="target_date-hint").get_text()
    response = admin_client.post(
        f"{BASE}/go-live",
        data={
            "opened_at": opened,
            "target_date": "2023-04-01",
            "reason": "The order names 1 April 2023",
            "scope": "all",
        },
    )
    assert response.status_code == 200
    html = parse(response)
    assert html.find("h1").get_text(strip=True) == "Check the move of go-live to 1 April 2023"
    assert html.find(id="go-live-day-note").get_text(strip=True) == (
        "1 April 2023 is a Saturday: the tracker measures to the last working day before it, "
        "Friday 31 March 2023."
    )
    assert programme().go_live_date == date(2022, 7, 1)  # nothing saved


def test_the_new_programme_preview_says_a_saturday_go_live_is_measured_to_friday(
    admin_client: FlaskClient,
) -> None:
    query = {
        "template": "icb-merger-2026-27",
        "name": "Saturday merger",
        "from_organisation": "NHS A ICB and NHS B ICB",
        "to_organisation": "NHS A and B ICB",
        "go_live": "2023-04-01",
        "region": "ENG",
    }
    html = soup(
        admin_client, "/programmes/new/preview?" + "&".join(f"{k}={v}" for k, v in query.items())
    )
    note = html.find(id="go-live-day-note")
    assert note is not None and note.get_text(strip=True).startswith("1 April 2023 is a Saturday")
    query["go_live"] = "2023-04-03"  # a Monday: nothing to say
    html = soup(
        admin_client, "/programmes/new/preview?" + "&".join(f"{k}={v}" for k, v in query.items())
    )
    assert html.find(id="go-live-day-note") is None


def test_the_service_says_it_for_a_programme_s_own_calendar(app: Flask) -> None:
    from tracker.services.go_live_moves import go_live_day_note as note_for

    assert note_for(programme()) is None  # 1 July 2022, a Friday
    assert note_for(programme(), date(2022, 12, 27)) == (
        "27 December 2022 is a bank holiday (Christmas Day (observed)): the tracker measures "
        "to the last working day before it, Friday 23 December 2022."
    )
