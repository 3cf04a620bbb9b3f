"""The lead's workflow: "My workstreams", completing with evidence, forecasts, blocks, weekly
highlights, and the programme office's reopen. Every change is tested for each role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import OTHER_LEAD, sign_in_as
from tests.helpers import audit_count, programme
from tests.helpers import fresh_milestone as milestone
from tests.test_board_pages import card, soup
from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import AuditEvent, Milestone, StatusUpdate, Workstream
from tracker.services.optimistic_locking import opened_now

BASE = "/p/kent-and-medway"


def snapshot(ref: str) -> dict[str, Any]:
    m = milestone(ref)
    return {c.key: getattr(m, c.key) for c in Milestone.__table__.columns}


def form_data(ref: str, **fields: str) -> dict[str, Any]:
    """What the form would post, opened just now at the milestone's current version."""
    return {"version": milestone(ref).version, "opened_at": opened_now(), **fields}


def section_refs(page: BeautifulSoup, heading_id: str) -> list[str]:
    heading = page.find("h2", id=heading_id)
    table = heading.find_next_sibling()
    if table.name != "table":
        return []
    return [row["data-ref"] for row in table.tbody.find_all("tr")]


# --- My workstreams ---------------------------------------------------------------------


def test_my_workstreams_groups_the_leads_milestones(lead_client: FlaskClient) -> None:
    page = soup(lead_client, f"{BASE}/my-workstreams")
    groups = {
        g: section_refs(page, g)
        for g in ("overdue", "this-week", "next-two-weeks", "later", "done")
    }
    everything = [ref for refs in groups.values() for ref in refs]
    # Only Becca Bradd's workstreams, each milestone once.
    assert {ref.split("-")[0] for ref in everything} == {"PEO", "MED", "ENG"}
    assert len(everything) == len(set(everything))
    assert "PEO-09" in groups["overdue"]  # due 31 March, in progress
    assert "PEO-01" in groups["done"]
    assert "PEO-10" in groups["later"]  # due 29 April: after 24 April
    seeded = {m.ref: m for m in db.session.scalars(select(Milestone))}
    for ref in groups["this-week"]:
        assert date(2022, 4, 4) <= seeded[ref].due_date <= date(2022, 4, 10)
    for ref in groups["next-two-weeks"]:
        assert date(2022, 4, 11) <= seeded[ref].due_date <= date(2022, 4, 24)
    for ref in groups["overdue"]:
        assert seeded[ref].due_date < date(2022, 4, 4) and seeded[ref].status != "complete"
    lead_refs = {r for r, m in seeded.items() if r.split("-")[0] in {"PEO", "MED", "ENG"}}
    assert set(everything) == lead_refs
    # This week's highlight for each of the three workstreams.
    rows = page.find("table", id="highlights").tbody.find_all("tr")
    assert [r.find("a").text for r in rows] == ["PEO", "MED", "ENG"]


def test_someone_who_leads_nothing_is_told_so(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/my-workstreams")
    assert "You do not lead a workstream" in page.text


# --- each change, for each role ------------------------------------------------------------


def _block_peo_10() -> None:
    m = milestone("PEO-10")
    m.status, m.blocked_reason = "blocked", "Waiting for staff side"
    db.session.commit()


CHANGES: list[
    tuple[
        str, str, dict[str, str], Callable[[], None] | None, Callable[[Milestone], bool], set[str]
    ]
] = [
    (
        "complete",
        "PEO-10",
        {"completed_on": "2022-04-04", "evidence_text": "Response published on the intranet"},
        None,
        lambda m: m.status == "complete" and m.completed_on == date(2022, 4, 4),
        {"admin", "lead"},
    ),
    (
        "forecast",
        "PEO-10",
        {"forecast_date": "2022-05-06", "forecast_reason": "Consultation extended a week"},
        None,
        lambda m: m.forecast_date == date(2022, 5, 6),
        {"admin", "lead"},
    ),
    (
        "block",
        "PEO-10",
        {"blocked_reason": "Waiting for the staff side's response"},
        None,
        lambda m: m.status == "blocked",
        {"admin", "lead"},
    ),
    (
        "unblock",
        "PEO-10",
        {},
        _block_peo_10,
        lambda m: m.status == "in_progress",
        {"admin", "lead"},
    ),
    ("start", "PEO-10", {}, None, lambda m: m.status == "in_progress", {"admin", "lead"}),
    ("clear-forecast", "PEO-09", {}, None, lambda m: m.forecast_date is None, {"admin", "lead"}),
    (
        "reopen",
        "PEO-08",
        {"reason": "The national framework was reissued; review it again"},
        None,
        lambda m: m.status == "in_progress" and m.completed_on is None,
        {"admin"},
    ),
]


@pytest.mark.parametrize(
    ("action", "ref", "fields", "setup", "changed", "allowed"),
    CHANGES,
    ids=[c[0] for c in CHANGES],
)
def test_each_change_for_each_role(
    role_client: FlaskClient,
    action: str,
    ref: str,
    fields: dict[str, str],
    setup: Callable[[], None] | None,
    changed: Callable[[Milestone], bool],
    allowed: set[str],
) -> None:
    if setup:
        setup()
    before, events = snapshot(ref), audit_count()
    url = f"{BASE}/milestones/{ref}/{action}"
    if action in ("complete", "forecast", "block", "reopen"):
        form = role_client.get(url)
        assert form.status_code == (200 if role_client.role in allowed else 403)
    response = role_client.post(url, data=form_data(ref, **fields))
    if role_client.role in allowed:
        assert response.status_code == 302, response.text[-2000:]
        assert changed(milestone(ref))
        new = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[events:]
        assert new and {e.actor for e in new} == {
            {"admin": "Sarah Collins", "lead": "Becca Bradd"}[role_client.role]
        }
    else:
        assert response.status_code == 403
        assert snapshot(ref) == before
        assert audit_count() == events


def test_a_lead_cannot_change_another_leads_workstream(app: Flask) -> None:
    other = sign_in_as(app.test_client(), OTHER_LEAD)  # Mike Gilbert leads GOV only
    before = snapshot("PEO-10")
    for action, fields in (
        ("complete", {"completed_on": "2022-04-04", "evidence_text": "x"}),
        ("forecast", {"forecast_date": "2022-05-06", "forecast_reason": "x"}),
        ("block", {"blocked_reason": "x"}),
        ("start", {}),
    ):
        url = f"{BASE}/milestones/PEO-10/{action}"
        assert other.post(url, data=form_data("PEO-10", **fields)).status_code == 403
    assert other.get(f"{BASE}/workstreams/PEO/highlight").status_code == 403
    assert snapshot("PEO-10") == before
    # ... and can change their own.
    response = other.post(f"{BASE}/milestones/GOV-99/start", data=form_data("GOV-99"))
    assert response.status_code == 302
    assert milestone("GOV-99").status == "in_progress"


def test_board_members_see_no_progress_actions(
    client: FlaskClient, lead_client: FlaskClient
) -> None:
    assert soup(client, f"{BASE}/milestones/PEO-10").find(id="progress-actions") is None
    actions = soup(lead_client, f"{BASE}/milestones/PEO-10").find(id="progress-actions")
    assert "Mark complete" in actions.text and "Mark blocked" in actions.text
    # A lead sees none on another lead's milestone.
    assert soup(lead_client, f"{BASE}/milestones/GOV-99").find(id="progress-actions") is None


# --- completing ---------------------------------------------------------------------------


def test_completion_defaults_to_today(lead_client: FlaskClient) -> None:
    page = soup(lead_client, f"{BASE}/milestones/PEO-10/complete")
    assert page.find("input", attrs={"name": "completed_on"})["value"] == "2022-04-04"


def test_completion_date_cannot_be_in_the_future(lead_client: FlaskClient) -> None:
    response = lead_client.post(
        f"{BASE}/milestones/PEO-10/complete",
        data=form_data("PEO-10", completed_on="2022-04-05", evidence_text="Published"),
    )
    page = BeautifulSoup(response.text, "html.parser")
    assert response.status_code == 200
    assert page.title.text.startswith("Error:")
    error = page.find(id="completed_on-error").text
    assert "5 April 2022 is in the future" in error
    assert page.find(class_="nhsuk-error-summary").find("a", href="#completed_on")
    # What was typed is kept, and nothing was saved.
    assert page.find("textarea", attrs={"name": "evidence_text"}).text == "Published"
    assert milestone("PEO-10").status == "not_started"


def test_a_key_milestone_needs_evidence(lead_client: FlaskClient) -> None:
    url = f"{BASE}/milestones/PEO-09/complete"
    response = lead_client.post(url, data=form_data("PEO-09", completed_on="2022-04-01"))
    assert "Give evidence of completion" in response.text
    assert milestone("PEO-09").status == "in_progress"
    response = lead_client.post(
        url,
        data=form_data(
            "PEO-09",
            completed_on="2022-04-01",
            evidence_text="Consultation closed; outcome paper to the 14 April board",
            evidence_url="https://example.org/papers/consultation-outcome",
        ),
    )
    assert response.status_code == 302
    done = milestone("PEO-09")
    assert (done.status, done.completed_on, done.completed_by.name) == (
        "complete",
        date(2022, 4, 1),
        "Becca Bradd",
    )
    assert done.evidence_url == "https://example.org/papers/consultation-outcome"
    assert done.forecast_date is None  # done is done


def test_an_evidence_link_must_be_a_web_address(lead_client: FlaskClient) -> None:
    response = lead_client.post(
        f"{BASE}/milestones/PEO-10/complete",
        data=form_data(
            "PEO-10", completed_on="2022-04-04", evidence_text="x", evidence_url="S:\\HR\\x.docx"
        ),
    )
    assert "must start with https://" in response.text
    assert milestone("PEO-10").status == "not_started"


def test_completing_moves_the_dashboard_and_turns_the_milestone_blue(
    lead_client: FlaskClient,
) -> None:
    before = soup(lead_client, f"{BASE}/")
    assert card(before, "Milestones complete").find(class_="tracker-figure").text == "48 of 109"
    lead_client.post(
        f"{BASE}/milestones/PEO-09/complete",
        data=form_data("PEO-09", completed_on="2022-04-04", evidence_text="Consultation closed"),
    )
    after = soup(lead_client, f"{BASE}/")
    assert card(after, "Milestones complete").find(class_="tracker-figure").text == "49 of 109"
    page = soup(lead_client, f"{BASE}/milestones/PEO-09")
    assert page.find(class_="nhsuk-tag--blue").get_text(strip=True) == "Blue"
    assert "Consultation closed" in page.text


# --- forecasts and blocks -------------------------------------------------------------------


def test_a_forecast_moves_the_schedule(lead_client: FlaskClient) -> None:
    url = f"{BASE}/milestones/PEO-14/forecast"
    typed = form_data("PEO-14", forecast_date="2022-07-05", forecast_reason="Pensions slipped")
    shown = BeautifulSoup(lead_client.post(url, data=typed).text, "html.parser")
    # It uses up the slack, so its effect is shown first (tests/test_forecast_effect.py).
    assert "Saving this moves go-live" in shown.find(id="effect-sentence").text
    hidden = shown.find("form", id="confirm-form").find_all("input", type="hidden")
    confirm = {i["name"]: i["value"] for i in hidden} | {"confirm": "yes"}
    assert lead_client.post(url, data=confirm).status_code == 302
    page = soup(lead_client, f"{BASE}/")
    # docs/scheduling.md: a 5 July forecast on PEO-14 takes go-live off track.
    assert "Off track" in page.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"forecast_date": "2022-04-01", "forecast_reason": "x"}, "forecast_date", "in the past"),
        ({"forecast_date": "2022-05-06", "forecast_reason": " "}, "forecast_reason", "Say why"),
        (
            {"forecast_date": "31/06/2022", "forecast_reason": "x"},
            "forecast_date",
            "Enter the forecast date as a date, like 1 April 2022",
        ),
        ({"forecast_date": "", "forecast_reason": "x"}, "forecast_date", "Enter the date"),
    ],
)
def test_bad_forecasts_are_refused(
    lead_client: FlaskClient, fields: dict[str, str], field: str, message: str
) -> None:
    response = lead_client.post(
        f"{BASE}/milestones/PEO-10/forecast", data=form_data("PEO-10", **fields)
    )
    page = BeautifulSoup(response.text, "html.parser")
    assert message in page.find(id=f"{field}-error").text
    assert milestone("PEO-10").forecast_date is None


def test_blocking_needs_a_reason(lead_client: FlaskClient) -> None:
    response = lead_client.post(
        f"{BASE}/milestones/PEO-10/block", data=form_data("PEO-10", blocked_reason="")
    )
    assert "Say why it is blocked" in response.text
    assert milestone("PEO-10").status == "not_started"


def test_reopen_needs_a_reason_and_records_it(admin_client: FlaskClient) -> None:
    url = f"{BASE}/milestones/PEO-08/reopen"
    response = admin_client.post(url, data=form_data("PEO-08", reason=""))
    assert "Say why it is being reopened" in response.text
    assert milestone("PEO-08").status == "complete"
    admin_client.post(url, data=form_data("PEO-08", reason="Framework reissued"))
    history = soup(admin_client, f"{BASE}/milestones/PEO-08").text
    assert "Framework reissued" in history
    assert milestone("PEO-08").status == "in_progress"


# --- someone else saved first --------------------------------------------------------------


def test_a_stale_save_is_refused_showing_what_changed(lead_client: FlaskClient) -> None:
    opened = form_data("PEO-10")  # Becca opens the form ...
    with acting_as(Actor("Sarah Collins")):  # ... and the programme office moves the date
        m = milestone("PEO-10")
        m.due_date = date(2022, 5, 6)
        db.session.commit()
    typed = {**opened, "completed_on": "2022-04-04", "evidence_text": "Response published"}
    response = lead_client.post(f"{BASE}/milestones/PEO-10/complete", data=typed)
    page = BeautifulSoup(response.text, "html.parser")
    notice = page.find(id="edit-conflict")
    assert "Someone else changed this" in notice.text
    assert "Sarah Collins" in notice.text
    assert "due date" in notice.text and "6 May 2022" in notice.text
    # Nothing saved; what Becca typed is still there; the form now holds the new version.
    assert milestone("PEO-10").status == "not_started"
    assert page.find("textarea", attrs={"name": "evidence_text"}).text == "Response published"
    version = int(page.find("input", attrs={"name": "version"})["value"])
    assert version == milestone("PEO-10").version != opened["version"]
    # Saving again, having seen the change, goes through.
    again = {**typed, "version": version, "opened_at": opened_now()}
    assert lead_client.post(f"{BASE}/milestones/PEO-10/complete", data=again).status_code == 302
    assert milestone("PEO-10").status == "complete"
    assert milestone("PEO-10").due_date == date(2022, 5, 6)  # the other change is kept


def test_a_stale_button_is_refused(lead_client: FlaskClient) -> None:
    stale = form_data("PEO-10")
    with acting_as(Actor("Sarah Collins")):
        milestone("PEO-10").title = "Consultation outcome published"
        db.session.commit()
    response = lead_client.post(f"{BASE}/milestones/PEO-10/start", data=stale)
    assert milestone("PEO-10").status == "not_started"
    assert "changed by someone else" in lead_client.get(response.location).text


# --- weekly highlights ---------------------------------------------------------------------

HIGHLIGHT = {
    "rag": "amber",
    "achievements": "Consultation closed with 214 responses",
    "next_steps": "Management response to the 14 April board",
    "issues": "Pensions set-up depends on NHSBSA dates",
}


def highlights(code: str) -> list[StatusUpdate]:
    db.session.expire_all()
    ws = db.session.scalar(select(Workstream).where(Workstream.code == code))
    return list(
        db.session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.workstream_id == ws.id)
            .order_by(StatusUpdate.week_start)
        )
    )


def test_highlight_for_each_role(role_client: FlaskClient) -> None:
    before = [(h.week_start, h.rag, h.achievements) for h in highlights("PEO")]
    url = f"{BASE}/workstreams/PEO/highlight"
    response = role_client.post(url, data=HIGHLIGHT)
    after = highlights("PEO")
    if role_client.role in ("admin", "lead"):
        assert response.status_code == 302
        this_week = [h for h in after if h.week_start == date(2022, 4, 4)]
        assert len(this_week) == 1
        assert this_week[0].achievements == HIGHLIGHT["achievements"]
        # Earlier weeks are kept as they were.
        assert [
            (h.week_start, h.rag, h.achievements) for h in after if h.week_start < date(2022, 4, 4)
        ] == [b for b in before if b[0] < date(2022, 4, 4)]
    else:
        assert response.status_code == 403
        assert role_client.get(url).status_code == 403
        assert [(h.week_start, h.rag, h.achievements) for h in after] == before


def opened_highlight(client: FlaskClient, code: str = "PEO") -> dict[str, str]:
    """The hidden fields of the highlight form as the page gives them: the version it was
    opened at (empty before the week's first) and when."""
    page = soup(client, f"{BASE}/workstreams/{code}/highlight")
    return {
        name: page.find("input", attrs={"name": name})["value"] for name in ("version", "opened_at")
    }


def test_one_highlight_per_week_editable_through_the_week(lead_client: FlaskClient) -> None:
    url = f"{BASE}/workstreams/PEO/highlight"
    lead_client.post(url, data={**HIGHLIGHT, **opened_highlight(lead_client)})
    again = opened_highlight(lead_client)
    response = lead_client.post(
        url, data={**HIGHLIGHT, **again, "rag": "red", "issues": "TUPE list late"}
    )
    assert response.status_code == 302
    this_week = [h for h in highlights("PEO") if h.week_start == date(2022, 4, 4)]
    assert [(h.rag, h.issues) for h in this_week] == [("red", "TUPE list late")]
    page = soup(lead_client, url)
    assert page.find("input", attrs={"name": "rag", "value": "red"}).has_attr("checked")


def test_a_highlight_saved_over_anothers_is_refused_and_what_was_typed_kept(
    lead_client: FlaskClient, admin_client: FlaskClient
) -> None:
    url = f"{BASE}/workstreams/PEO/highlight"
    lead_client.post(url, data={**HIGHLIGHT, **opened_highlight(lead_client)})
    lead_form, admin_form = opened_highlight(lead_client), opened_highlight(admin_client)
    assert lead_form["version"] == admin_form["version"] == "1"
    saved = admin_client.post(url, data={**HIGHLIGHT, **admin_form, "issues": "Admin's words"})
    assert saved.status_code == 302

    response = lead_client.post(url, data={**HIGHLIGHT, **lead_form, "issues": "Lead's words"})
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    notice = page.find(id="edit-conflict")
    assert notice is not None and "Admin's words" in notice.text
    assert page.find("textarea", attrs={"name": "issues"}).text == "Lead's words"
    assert page.find("input", attrs={"name": "version"})["value"] == "2"
    [this_week] = [h for h in highlights("PEO") if h.week_start == date(2022, 4, 4)]
    assert this_week.issues == "Admin's words"

    # Saving again, having seen the change, is a deliberate choice and saves.
    hidden = {n: page.find("input", attrs={"name": n})["value"] for n in ("version", "opened_at")}
    again = lead_client.post(url, data={**HIGHLIGHT, **hidden, "issues": "Lead's words"})
    assert again.status_code == 302
    [this_week] = [h for h in highlights("PEO") if h.week_start == date(2022, 4, 4)]
    assert this_week.issues == "Lead's words"


def test_a_first_highlight_written_meanwhile_is_not_overwritten(
    lead_client: FlaskClient, admin_client: FlaskClient
) -> None:
    url = f"{BASE}/workstreams/PEO/highlight"
    lead_form, admin_form = opened_highlight(lead_client), opened_highlight(admin_client)
    assert lead_form["version"] == admin_form["version"] == ""
    admin_client.post(url, data={**HIGHLIGHT, **admin_form, "achievements": "Admin first"})
    response = lead_client.post(url, data={**HIGHLIGHT, **lead_form, "achievements": "Lead"})
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.find(id="edit-conflict") is not None
    assert page.find("textarea", attrs={"name": "achievements"}).text == "Lead"
    [this_week] = [h for h in highlights("PEO") if h.week_start == date(2022, 4, 4)]
    assert this_week.achievements == "Admin first"


def test_a_highlight_needs_a_rag(lead_client: FlaskClient) -> None:
    response = lead_client.post(f"{BASE}/workstreams/PEO/highlight", data={**HIGHLIGHT, "rag": ""})
    page = BeautifulSoup(response.text, "html.parser")
    assert "Choose red, amber or green" in page.find(id="rag-error").text
    assert page.find("textarea", attrs={"name": "achievements"}).text == HIGHLIGHT["achievements"]
    assert not [h for h in highlights("PEO") if h.week_start == date(2022, 4, 4)]


def test_dates_decades_away_are_refused(lead_client: FlaskClient) -> None:
    response = lead_client.post(
        f"{BASE}/milestones/PEO-10/forecast",
        data=form_data("PEO-10", forecast_date="9999-12-31", forecast_reason="typo"),
    )
    assert (
        "The forecast date 31 December 9999 is outside the programme's window: enter a date "
        "from 1 July 2016 to 1 July 2027"
    ) in BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)
    assert milestone("PEO-10").forecast_date is None
    assert lead_client.get(f"{BASE}/").status_code == 200
    response = lead_client.post(
        f"{BASE}/milestones/PEO-10/complete",
        data=form_data("PEO-10", completed_on="1922-04-04", evidence_text="x"),
    )
    assert (
        "The completion date 4 April 1922 is outside the programme's window: enter a date "
        "from 1 July 2016 to 1 July 2027"
    ) in BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)


# --- issue 18: defects found when tried as a new user would ---------------------------------

IVOR = "ivor.duffy@example.org"  # leads PRC and FIN; PRC-04 is owned by Neil Carter


def test_the_milestone_page_names_who_entered_the_forecast(app: Flask) -> None:
    ivor = sign_in_as(app.test_client(), IVOR)
    response = ivor.post(
        f"{BASE}/milestones/PRC-04/forecast",
        data=form_data("PRC-04", forecast_date="2022-05-06", forecast_reason="Leases late"),
    )
    assert response.status_code == 302  # within its float: no effect on go-live, saved at once
    text = soup(ivor, f"{BASE}/milestones/PRC-04").get_text(" ", strip=True)
    assert "as forecast by Ivor Duffy" in text
    assert "as forecast by Neil Carter" not in text


def this_weeks(code: str = "PEO") -> list[StatusUpdate]:
    return [h for h in highlights(code) if h.week_start == date(2022, 4, 4)]


@pytest.mark.parametrize(
    ("typed", "errors"),
    [
        (
            {"rag": "red", "achievements": "", "next_steps": "", "issues": ""},
            {"achievements": "at least one of", "issues": "why the week is red"},
        ),
        (
            {"rag": "", "achievements": " ", "next_steps": "", "issues": ""},
            {"rag": "Choose red, amber or green", "achievements": "at least one of"},
        ),
        (
            {"rag": "amber", "achievements": "Consultation closed", "issues": ""},
            {"issues": "why the week is amber"},
        ),
        (
            {"rag": "amber", "achievements": "x" * 4001, "issues": ""},
            {"achievements": "4000", "issues": "why the week is amber"},
        ),
    ],
    ids=["red and empty", "no rag and empty", "amber without a reason", "too long and no reason"],
)
def test_a_highlight_shows_every_problem_at_once(
    lead_client: FlaskClient, typed: dict[str, str], errors: dict[str, str]
) -> None:
    response = lead_client.post(f"{BASE}/workstreams/PEO/highlight", data=typed)
    page = BeautifulSoup(response.text, "html.parser")
    assert response.status_code == 200
    for field, words in errors.items():
        assert words in page.find(id=f"{field}-error").text, field
    summary = page.find(class_="nhsuk-error-summary")
    assert len(summary.find_all("li")) == len(errors)
    assert not this_weeks()


def test_a_green_highlight_with_one_box_filled_is_saved(lead_client: FlaskClient) -> None:
    typed = {"rag": "green", "achievements": "", "next_steps": "Issue the letters", "issues": ""}
    assert lead_client.post(f"{BASE}/workstreams/PEO/highlight", data=typed).status_code == 302
    assert [h.next_steps for h in this_weeks()] == ["Issue the letters"]


def test_the_highlight_form_shows_the_schedule_rag_and_last_weeks_next_steps(
    lead_client: FlaskClient,
) -> None:
    from tracker.services.schedule import programme_schedule

    [previous] = [h for h in highlights("PEO") if h.week_start == date(2022, 3, 28)]
    with acting_as(Actor("Becca Bradd")):  # as typed, with its line breaks
        previous.next_steps = "Close the consultation\nPublish the outcome\n\nStart the letters"
        db.session.commit()
    schedule = programme_schedule(programme())
    assert schedule is not None
    rag = schedule.forecast.workstream_rag("PEO")
    assert rag is not None

    page = soup(lead_client, f"{BASE}/workstreams/PEO/highlight")
    assert page.find(id="schedule-rag").find(class_="nhsuk-tag").text.strip() == rag.capitalize()
    shown = page.find(id="previous-next-steps")
    assert [p.get_text("|", strip=True) for p in shown.find_all("p")] == [
        "Close the consultation|Publish the outcome",
        "Start the letters",
    ]
    assert "28 March 2022" in page.find(id="beside").text


def test_a_completed_milestone_shows_no_empty_progress_heading(
    lead_client: FlaskClient, admin_client: FlaskClient
) -> None:
    assert milestone("PEO-01").status == "complete"
    assert soup(lead_client, f"{BASE}/milestones/PEO-01").find(id="progress-actions") is None
    actions = soup(admin_client, f"{BASE}/milestones/PEO-01").find(id="progress-actions")
    assert [a.text for a in actions.find_all("a")] == ["Reopen"]


def refusal(response: Any) -> str:
    assert response.status_code == 403
    return str(BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True))


def test_a_refusal_names_its_reason(app: Flask, client: FlaskClient) -> None:
    mike = sign_in_as(app.test_client(), OTHER_LEAD)  # leads GOV only
    said = refusal(mike.get(f"{BASE}/milestones/PEO-10/forecast"))
    assert (
        "You lead GOV, not PEO: only a lead of PEO or a programme admin can update PEO-10." in said
    )
    said = refusal(mike.post(f"{BASE}/milestones/PEO-10/start", data=form_data("PEO-10")))
    assert "You lead GOV, not PEO" in said
    said = refusal(mike.get(f"{BASE}/workstreams/PEO/highlight"))
    assert "only a lead of PEO or a programme admin can write its weekly highlight" in said
    said = refusal(mike.get(f"{BASE}/milestones/GOV-99/edit"))
    assert "Only the programme office changes the plan. You are a workstream lead here" in said
    assert "Only a programme admin can reopen a milestone: you are a workstream lead here" in (
        refusal(mike.get(f"{BASE}/milestones/PEO-08/reopen"))
    )
    said = refusal(client.get(f"{BASE}/milestones/PEO-10/block"))
    assert "You are a board member here, who reads the plan and changes nothing" in said


def test_the_service_names_the_reason_too(app: Flask) -> None:
    from tracker.services import progress
    from tracker.services.accounts import user_by_email, viewer_for
    from tracker.services.optimistic_locking import Seen
    from tracker.services.unit_of_work import ChangeRefused

    mike = user_by_email(OTHER_LEAD)
    assert mike is not None
    peo_10 = milestone("PEO-10")
    with pytest.raises(ChangeRefused) as refused:
        progress.block(
            viewer_for(mike, "kent-and-medway"), peo_10, Seen(peo_10.version), reason="x"
        )
    assert refused.value.message.startswith("You lead GOV, not PEO:")


def test_every_problem_on_a_form_shows_at_once(lead_client: FlaskClient) -> None:
    # PEO-09 is a key milestone: an unreadable date and no evidence, both named.
    response = lead_client.post(
        f"{BASE}/milestones/PEO-09/complete", data=form_data("PEO-09", completed_on="31 June 2022")
    )
    page = BeautifulSoup(response.text, "html.parser")
    assert page.find(id="completed_on-error") is not None
    assert "evidence" in page.find(id="evidence_text-error").text.lower()
    assert milestone("PEO-09").status == "in_progress"
