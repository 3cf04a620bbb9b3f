"""The programme office's plan edits, read and posted as a user would.

Only admins change the plan: for every change there is a test that the admin's change is
stored, audited against Sarah Collins and shown at once, and one that a lead and a board
member get 403 with nothing changed. The seed's today is Monday 4 April 2022, its go-live
target 1 July 2022 and its go-live milestone GOV-99.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, OTHER_LEAD, sign_in_as
from tests.helpers import milestone as existing
from tests.helpers import page as parse
from tests.helpers import programme, soup, workstream_id
from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Baseline,
    BaselineItem,
    Dependency,
    GoLiveTarget,
    Milestone,
)
from tracker.services.accounts import user_by_email
from tracker.services.schedule import programme_schedule

BASE = "/p/kent-and-medway"
ADMIN_NAME = "Sarah Collins"
NOT_ADMINS = {"lead": LEAD, "board": BOARD_MEMBER}


# Reading the database ----------------------------------------------------------------


def milestone(ref: str) -> Milestone | None:
    return db.session.scalar(select(Milestone).where(Milestone.ref == ref))


def person_id(email: str) -> int:
    user = user_by_email(email)
    assert user is not None
    return user.person_id


def link(predecessor: str, successor: str) -> Dependency | None:
    return db.session.scalar(
        select(Dependency).where(
            Dependency.predecessor_id == existing(predecessor).id,
            Dependency.successor_id == existing(successor).id,
        )
    )


def audit(entity_type: str, action: str, **where: Any) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.entity_type == entity_type, AuditEvent.action == action
    )
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def snapshot() -> dict[str, Any]:
    """Everything the plan edits could change, to compare before and after a refusal."""
    db.session.expire_all()
    counts = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Milestone, Dependency, Baseline, BaselineItem, GoLiveTarget, AuditEvent)
    }
    p = programme()
    peo_11 = existing("PEO-11")
    return {
        **counts,
        "go_live": p.go_live_date,
        "current_baseline": p.current_baseline_id,
        "PEO-11": (peo_11.title, peo_11.planned_start, peo_11.due_date, peo_11.version),
        "milestones": sorted(db.session.scalars(select(Milestone.ref))),
    }


def forecast_due(ref: str) -> date:
    db.session.expire_all()
    schedule = programme_schedule(programme())
    assert schedule is not None
    return schedule.forecast.milestones[ref].forecast_due


# Reading pages --------------------------------------------------------------------------


def form_values(page: BeautifulSoup) -> dict[str, str]:
    """What the page's main form would send as it stands (as a browser fills it)."""
    form = page.find("main").find("form", method="post")
    assert isinstance(form, Tag)
    values: dict[str, str] = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or name == "csrf_token":
            continue
        if field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            values[name] = chosen.get("value", "")
        elif field.name == "textarea":
            values[name] = field.text
        elif field.get("type") in ("radio", "checkbox"):
            if field.has_attr("checked"):
                values[name] = field.get("value", "on")
        else:
            values[name] = field.get("value", "")
    return values


def error_for(page: BeautifulSoup, field_id: str) -> str:
    found = page.find(id=f"{field_id}-error")
    assert found is not None, f"no error message next to {field_id}"
    return found.get_text(" ", strip=True)


def summary_errors(page: BeautifulSoup) -> list[str]:
    summary = page.find(class_="nhsuk-error-summary")
    assert summary is not None, "no error summary"
    return [li.get_text(" ", strip=True) for li in summary.find_all("li")]


def title(page: BeautifulSoup) -> str:
    return page.title.get_text(strip=True)


def flash_text(page: BeautifulSoup) -> str:
    return " ".join(f.get_text(" ", strip=True) for f in page.find_all(class_="tracker-flash"))


def as_role(app: Flask, role: str) -> FlaskClient:
    return sign_in_as(app.test_client(), NOT_ADMINS[role])


def new_milestone_data(**changes: Any) -> dict[str, Any]:
    data = {
        "ref": "GOV-30",
        "title": "Board effectiveness review scheduled",
        "description": "A date set for the first review of the ICB board's effectiveness.",
        "workstream": str(workstream_id("GOV")),
        "owner": str(person_id(OTHER_LEAD)),
        "kind": "activity",
        "planned_start": "2022-05-03",
        "due_date": "2022-05-27",
        "is_key": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# Plan settings ---------------------------------------------------------------------------


def test_plan_settings_show_the_go_live_target_its_history_and_the_baselines(
    admin_client: FlaskClient,
) -> None:
    page = soup(admin_client, f"{BASE}/plan-settings")
    assert "The go-live target is 1 July 2022" in page.get_text(" ", strip=True)
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page.find(id="go-live-history").tbody.find_all("tr")
    ]
    assert [r[:2] for r in rows] == [
        ["1 July 2022 Current", "24 December 2021"],
        ["1 April 2022", "30 June 2021"],
    ]
    assert "NHS England letter of 24 December 2021" in rows[0][2]
    baselines = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page.find(id="baselines").tbody.find_all("tr")
    ]
    assert [b[0].split(" Re-plan")[0] for b in baselines][0] == "Plan for go-live 1 July 2022"
    assert baselines[0][2] == "1 July 2022" and baselines[0][4] == "Current"
    assert baselines[1][0].startswith("Plan for go-live 1 April 2022")
    assert baselines[1][2] == "1 April 2022" and baselines[1][4] == "No"
    actions = {a.text: a["href"] for a in page.find(id="plan-actions").find_all("a")}
    assert actions == {
        "Add a milestone": f"{BASE}/milestones/new",
        "Change go-live target": f"{BASE}/go-live",
        "Baseline now": f"{BASE}/baselines/new",
    }


FORM_PAGES = [
    "/plan-settings",
    "/milestones/new",
    "/milestones/PEO-11/edit",
    "/milestones/PEO-11/delete",
    "/milestones/PEO-11/dependencies/new",
    "/baselines/new",
    "/go-live",
]


@pytest.mark.parametrize("role", ["lead", "board"])
@pytest.mark.parametrize("path", FORM_PAGES)
def test_plan_pages_are_refused_to_leads_and_the_board(app: Flask, role: str, path: str) -> None:
    response = as_role(app, role).get(BASE + path)
    assert response.status_code == 403
    page = parse(response)
    assert page.find("main").find("form", method="post") is None
    assert "Only the programme office changes the plan." in page.text


@pytest.mark.parametrize("path", FORM_PAGES)
def test_plan_pages_open_for_the_programme_office(admin_client: FlaskClient, path: str) -> None:
    page = soup(admin_client, BASE + path)
    assert page.find("h1") is not None
    if path != "/plan-settings":
        assert page.find("main").find("form", method="post") is not None


# Adding a milestone --------------------------------------------------------------------


def test_admin_adds_a_milestone_and_it_is_scheduled_at_once(
    app: Flask, admin_client: FlaskClient
) -> None:
    response = admin_client.post(f"{BASE}/milestones/new", data=new_milestone_data())
    assert response.status_code == 302
    assert response.location == f"{BASE}/milestones/GOV-30"

    added = existing("GOV-30")
    assert (added.title, added.kind, added.planned_start, added.due_date, added.is_key) == (
        "Board effectiveness review scheduled",
        "activity",
        date(2022, 5, 3),
        date(2022, 5, 27),
        True,
    )
    assert added.workstream.code == "GOV" and added.owner.email == OTHER_LEAD
    assert added.status == "not_started"
    (created,) = audit("Milestone", "create", entity_id=added.id)
    assert created.actor == ADMIN_NAME

    page = soup(admin_client, response.location)
    assert "Added GOV-30 Board effectiveness review scheduled." in flash_text(page)
    assert page.find("h1").text == "GOV-30 Board effectiveness review scheduled"
    assert forecast_due("GOV-30") == date(2022, 5, 27)


def test_a_point_milestone_has_no_start(admin_client: FlaskClient) -> None:
    data = new_milestone_data(kind="point", planned_start="", due_date="2022-06-10")
    assert admin_client.post(f"{BASE}/milestones/new", data=data).status_code == 302
    added = existing("GOV-30")
    assert (added.kind, added.planned_start, added.due_date) == ("point", None, date(2022, 6, 10))


@pytest.mark.parametrize("role", ["lead", "board"])
def test_leads_and_the_board_cannot_add_a_milestone(app: Flask, role: str) -> None:
    before = snapshot()
    response = as_role(app, role).post(f"{BASE}/milestones/new", data=new_milestone_data())
    assert response.status_code == 403
    assert snapshot() == before
    assert milestone("GOV-30") is None


def test_a_reference_already_used_is_refused_keeping_what_was_typed(
    admin_client: FlaskClient,
) -> None:
    before = snapshot()
    response = admin_client.post(f"{BASE}/milestones/new", data=new_milestone_data(ref="gov-01"))
    assert response.status_code == 200
    page = parse(response)
    assert title(page).startswith("Error: ")
    message = "GOV-01 is already used, by “System governance review completed”: choose another"
    assert error_for(page, "ref") == f"Error: {message}"
    assert message in summary_errors(page)
    assert page.find(id="title")["value"] == "Board effectiveness review scheduled"
    assert page.find(id="due_date")["value"] == "2022-05-27"
    assert snapshot() == before


def test_due_before_start_and_missing_values_are_named_next_to_their_fields(
    admin_client: FlaskClient,
) -> None:
    before = snapshot()
    data = new_milestone_data(title="  ", planned_start="2022-05-27", due_date="2022-05-03")
    page = parse(admin_client.post(f"{BASE}/milestones/new", data=data))
    assert title(page).startswith("Error: ")
    assert error_for(page, "due_date") == (
        "Error: Due date 3 May 2022 is before the planned start 27 May 2022"
    )
    assert error_for(page, "title") == "Error: Enter a title"
    assert page.find(id="planned_start")["value"] == "2022-05-27"
    assert page.find(id="due_date")["value"] == "2022-05-03"

    data = new_milestone_data(planned_start="", due_date="not a date", workstream="", owner="")
    page = parse(admin_client.post(f"{BASE}/milestones/new", data=data))
    assert error_for(page, "planned_start") == "Error: Enter a planned start for an activity"
    assert error_for(page, "due_date") == "Error: Enter the due date as a date, like 1 April 2022"
    assert error_for(page, "workstream") == "Error: Choose the workstream it belongs to"
    assert error_for(page, "owner") == "Error: Choose the person who owns it"
    assert page.find(id="due_date")["value"] == "not a date"
    assert snapshot() == before


# Editing a milestone -----------------------------------------------------------------------


def edit_url(ref: str) -> str:
    return f"{BASE}/milestones/{ref}/edit"


def confirmed(client: FlaskClient, url: str, response: Any) -> Any:
    """Through the confirm step of an edit that uses slack (tests/test_forecast_effect.py)."""
    form = parse(response).find("form", id="confirm-form")
    assert form is not None, "no confirm step"
    data = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    return client.post(url, data={**data, "confirm": "yes"})


def test_admin_moves_a_milestone_and_the_forecast_follows_at_once(
    admin_client: FlaskClient,
) -> None:
    # Forecast later than due: the staff consultation before it (PEO-09) has slipped.
    assert forecast_due("PEO-11") == date(2022, 6, 7)
    page = soup(admin_client, edit_url("PEO-11"))
    data = form_values(page)
    assert (data["title"], data["planned_start"], data["due_date"], data["kind"]) == (
        "Formal transfer letters issued to staff",
        "2022-05-03",
        "2022-05-20",
        "activity",
    )
    data.update(planned_start="2022-06-13", due_date="2022-06-24")
    response = confirmed(
        admin_client, edit_url("PEO-11"), admin_client.post(edit_url("PEO-11"), data=data)
    )
    assert response.status_code == 302
    assert response.location == f"{BASE}/milestones/PEO-11"

    moved = existing("PEO-11")
    assert (moved.planned_start, moved.due_date) == (date(2022, 6, 13), date(2022, 6, 24))
    changes = {e.field: e for e in audit("Milestone", "update", entity_id=moved.id)}
    assert set(changes) == {"planned_start", "due_date"}
    assert changes["due_date"].actor == ADMIN_NAME
    assert (changes["due_date"].old_value, changes["due_date"].new_value) == (
        "2022-05-20",
        "2022-06-24",
    )
    assert forecast_due("PEO-11") == date(2022, 6, 24)
    page = soup(admin_client, response.location)
    assert "Saved the changes to PEO-11" in flash_text(page)
    assert "Due 24 June 2022" in page.get_text(" ", strip=True)


@pytest.mark.parametrize("role", ["lead", "board"])
def test_leads_and_the_board_cannot_edit_a_milestone(
    app: Flask, admin_client: FlaskClient, role: str
) -> None:
    # Becca Bradd leads PEO, and still may not change its plan: only its progress.
    data = form_values(soup(admin_client, edit_url("PEO-11")))
    data.update(title="Changed without permission", due_date="2022-06-30")
    before = snapshot()
    response = as_role(app, role).post(edit_url("PEO-11"), data=data)
    assert response.status_code == 403
    assert snapshot() == before


def test_a_save_over_someone_elses_change_is_refused_and_keeps_what_was_typed(
    admin_client: FlaskClient,
) -> None:
    # Sarah opens the form...
    data = form_values(soup(admin_client, edit_url("PEO-11")))
    opened_version = int(data["version"])
    # ...Mike Gilbert saves a change to the same milestone meanwhile...
    mike = user_by_email(OTHER_LEAD)
    assert mike is not None
    with acting_as(Actor("Mike Gilbert", mike.id)):
        existing("PEO-11").title = "Transfer letters issued to every member of staff"
        db.session.commit()
    # ...then Sarah saves what she typed, based on the old version.
    data.update(title="Formal transfer letters posted to staff", due_date="2022-05-27")
    response = admin_client.post(edit_url("PEO-11"), data=data)

    assert response.status_code == 200
    page = parse(response)
    notice = page.find(id="edit-conflict")
    assert notice is not None
    assert "Someone else changed this while you were editing it" in notice.text
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in notice.tbody("tr")]
    assert [r[1:] for r in rows] == [
        [
            "Mike Gilbert",
            "title",
            "Formal transfer letters issued to staff",
            "Transfer letters issued to every member of staff",
        ]
    ]
    # What Sarah typed is kept, and the form now carries the version she has seen.
    assert page.find(id="title")["value"] == "Formal transfer letters posted to staff"
    assert page.find(id="due_date")["value"] == "2022-05-27"
    shown = form_values(page)
    db.session.expire_all()
    current = existing("PEO-11")
    assert int(shown["version"]) == current.version == opened_version + 1
    # Nothing of hers was saved over his.
    assert current.title == "Transfer letters issued to every member of staff"
    assert current.due_date == date(2022, 5, 20)

    # Saving again, now knowingly, replaces his title with hers.
    response = confirmed(
        admin_client, edit_url("PEO-11"), admin_client.post(edit_url("PEO-11"), data=shown)
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = existing("PEO-11")
    assert (saved.title, saved.due_date) == (
        "Formal transfer letters posted to staff",
        date(2022, 5, 27),
    )
    (event,) = audit("Milestone", "update", entity_id=saved.id, field="title", actor=ADMIN_NAME)
    assert event.old_value == "Transfer letters issued to every member of staff"


def test_a_change_saved_between_reading_and_writing_is_refused_too(
    admin_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version check in the database (StaleDataError) backs up the form's check."""
    from tracker.services import plan

    data = form_values(soup(admin_client, edit_url("PEO-11")))
    original = plan.update_milestone

    def meanwhile(target: Milestone, changes: plan.MilestonePlan) -> None:
        original(target, changes)
        # Another save lands in the database after the form's check, behind the ORM's back.
        table = Milestone.__table__
        with db.session.no_autoflush:
            db.session.execute(
                update(table).where(table.c.id == target.id).values(version=table.c.version + 1)
            )

    monkeypatch.setattr(plan, "update_milestone", meanwhile)
    data.update(title="Formal transfer letters posted to staff")
    response = admin_client.post(edit_url("PEO-11"), data=data)

    assert response.status_code == 200
    page = parse(response)
    assert page.find(id="edit-conflict") is not None
    assert page.find(id="title")["value"] == "Formal transfer letters posted to staff"
    db.session.expire_all()
    assert existing("PEO-11").title == "Formal transfer letters issued to staff"


def test_an_edit_with_bad_dates_is_refused_next_to_the_field(admin_client: FlaskClient) -> None:
    data = form_values(soup(admin_client, edit_url("PEO-11")))
    before = snapshot()
    data.update(due_date="2022-04-29")
    page = parse(admin_client.post(edit_url("PEO-11"), data=data))
    assert title(page).startswith("Error: ")
    assert error_for(page, "due_date") == (
        "Error: Due date 29 April 2022 is before the planned start 3 May 2022"
    )
    assert page.find(id="due_date")["value"] == "2022-04-29"
    assert snapshot() == before


# Deleting a milestone ------------------------------------------------------------------------


def test_delete_asks_first_and_names_the_links_that_go_too(admin_client: FlaskClient) -> None:
    page = soup(admin_client, f"{BASE}/milestones/PEO-11/delete")
    assert page.find("h1").text == "Delete PEO-11?"
    listed = [li.get_text(" ", strip=True) for li in page.find(id="links-to-delete")("li")]
    assert "PEO-10 → PEO-11, finish to start" in listed
    assert "PEO-11 → PEO-12, finish to start" in listed
    peo_11 = existing("PEO-11")
    assert len(listed) == len(peo_11.predecessor_links) + len(peo_11.successor_links) == 5


def test_admin_deletes_a_milestone_with_its_links(admin_client: FlaskClient) -> None:
    peo_11 = existing("PEO-11")
    milestone_id = peo_11.id
    link_ids = {d.id for d in [*peo_11.predecessor_links, *peo_11.successor_links]}
    links_before = db.session.scalar(select(func.count()).select_from(Dependency))

    response = admin_client.post(f"{BASE}/milestones/PEO-11/delete")
    assert response.status_code == 302
    assert response.location == f"{BASE}/milestones/"
    page = soup(admin_client, response.location)
    deleted = "Deleted PEO-11 Formal transfer letters issued to staff and its 5 links."
    assert deleted in flash_text(page)

    db.session.expire_all()
    assert milestone("PEO-11") is None
    assert db.session.scalar(select(func.count()).select_from(Dependency)) == links_before - 5
    assert db.session.scalar(select(Dependency).where(Dependency.id.in_(link_ids))) is None
    (deleted,) = audit("Milestone", "delete", entity_id=milestone_id)
    assert deleted.actor == ADMIN_NAME
    gone = audit("Dependency", "delete", actor=ADMIN_NAME)
    assert {e.entity_id for e in gone} == link_ids
    # Baselines keep their copy of its dates.
    kept = db.session.scalars(select(BaselineItem).where(BaselineItem.ref == "PEO-11")).all()
    assert len(kept) == 2 and all(item.milestone_id is None for item in kept)
    schedule = programme_schedule(programme())
    assert schedule is not None and "PEO-11" not in schedule.forecast.milestones
    assert admin_client.get(f"{BASE}/milestones/PEO-11").status_code == 404


@pytest.mark.parametrize("role", ["lead", "board"])
def test_leads_and_the_board_cannot_delete_a_milestone(app: Flask, role: str) -> None:
    before = snapshot()
    response = as_role(app, role).post(f"{BASE}/milestones/PEO-11/delete")
    assert response.status_code == 403
    assert snapshot() == before


def test_the_go_live_milestone_cannot_be_deleted(admin_client: FlaskClient) -> None:
    page = soup(admin_client, f"{BASE}/milestones/GOV-99/delete")
    assert "cannot be deleted" in page.find("main").text
    assert page.find("main").find("form", method="post") is None
    before = snapshot()
    page = parse(admin_client.post(f"{BASE}/milestones/GOV-99/delete"))
    assert any("GOV-99 is the programme's go-live milestone" in e for e in summary_errors(page))
    assert snapshot() == before


# Dependencies ----------------------------------------------------------------------------------


def dependency_url(ref: str) -> str:
    return f"{BASE}/milestones/{ref}/dependencies/new"


def test_admin_adds_a_dependency_and_the_forecast_follows(admin_client: FlaskClient) -> None:
    page = soup(admin_client, dependency_url("PEO-11"))
    options = {o.text: o["value"] for o in page.find(id="predecessor")("option")}
    assert "PEO-11 Formal transfer letters issued to staff" not in options
    labels = [x.get_text(strip=True) for x in page.find_all("label", class_="nhsuk-radios__label")]
    assert labels[0] == "Finish to start: this cannot start until that finishes"
    due_before = forecast_due("PEO-11")

    predecessor = next(v for k, v in options.items() if k.startswith("GOV-18 "))
    response = admin_client.post(
        dependency_url("PEO-11"), data={"predecessor": predecessor, "type": "FS", "lag_days": "5"}
    )
    assert response.status_code == 302
    assert response.location == f"{BASE}/milestones/PEO-11"
    added = link("GOV-18", "PEO-11")
    assert added is not None and (added.type, added.lag_days) == ("FS", 5)
    (created,) = audit("Dependency", "create", entity_id=added.id)
    assert created.actor == ADMIN_NAME and created.entity_label == "GOV-18FS+5 -> PEO-11"

    page = soup(admin_client, response.location)
    assert "PEO-11 now depends on GOV-18FS+5." in flash_text(page)
    predecessors = page.find("h2", string="Predecessors").find_next("table")
    assert "GOV-18" in [a.text for a in predecessors("a")]
    assert forecast_due("PEO-11") > due_before


@pytest.mark.parametrize("role", ["lead", "board"])
def test_leads_and_the_board_cannot_add_a_dependency(app: Flask, role: str) -> None:
    before = snapshot()
    data = {"predecessor": str(existing("GOV-18").id), "type": "FS", "lag_days": "0"}
    response = as_role(app, role).post(dependency_url("PEO-11"), data=data)
    assert response.status_code == 403
    assert snapshot() == before
    assert link("GOV-18", "PEO-11") is None


def test_a_dependency_that_would_make_a_cycle_is_refused_naming_the_cycle(
    admin_client: FlaskClient,
) -> None:
    before = snapshot()
    data = {"predecessor": str(existing("GOV-99").id), "type": "FS", "lag_days": "0"}
    page = parse(admin_client.post(dependency_url("PEO-11"), data=data))
    assert title(page).startswith("Error: ")
    message = error_for(page, "predecessor")
    assert message.startswith("Error: This link would create a cycle: PEO-11 -> ")
    assert message.endswith(" -> GOV-99 -> PEO-11")
    assert summary_errors(page) == [message.removeprefix("Error: ")]
    selected = page.find(id="predecessor").find("option", selected=True)
    assert selected.text.startswith("GOV-99 ")
    assert snapshot() == before


def test_a_dependency_already_there_is_refused(admin_client: FlaskClient) -> None:
    before = snapshot()
    data = {"predecessor": str(existing("PEO-10").id), "type": "FS", "lag_days": "0"}
    page = parse(admin_client.post(dependency_url("PEO-11"), data=data))
    assert "PEO-11 already depends on PEO-10 (FS)" in error_for(page, "predecessor")
    data = {"predecessor": "", "type": "XX", "lag_days": "soon"}
    page = parse(admin_client.post(dependency_url("PEO-11"), data=data))
    assert error_for(page, "predecessor") == "Error: Choose the milestone it depends on"
    assert error_for(page, "type") == "Error: Choose the type of link"
    assert error_for(page, "lag_days") == (
        "Error: The lag must be a whole number of working days, like 0, 5 or -2"
    )
    assert snapshot() == before


def remove_url(dependency: Dependency) -> str:
    return f"{BASE}/dependencies/{dependency.id}/delete"


def test_admin_removes_a_dependency(admin_client: FlaskClient) -> None:
    doomed = link("PEO-10", "PEO-11")
    assert doomed is not None
    doomed_id = doomed.id
    response = admin_client.post(remove_url(doomed), data={"ref": "PEO-10"})
    assert response.status_code == 302
    assert response.location == f"{BASE}/milestones/PEO-10"
    db.session.expire_all()
    assert link("PEO-10", "PEO-11") is None
    (deleted,) = audit("Dependency", "delete", entity_id=doomed_id)
    assert deleted.actor == ADMIN_NAME and deleted.entity_label == "PEO-10 -> PEO-11"
    schedule = programme_schedule(programme())
    assert schedule is not None
    assert ("PEO-10", "PEO-11") not in {(d.predecessor, d.successor) for d in schedule.dependencies}
    page = soup(admin_client, response.location)
    assert "Removed the link PEO-10 -> PEO-11." in flash_text(page)


@pytest.mark.parametrize("role", ["lead", "board"])
def test_leads_and_the_board_cannot_remove_a_dependency(app: Flask, role: str) -> None:
    kept = link("PEO-10", "PEO-11")
    assert kept is not None
    before = snapshot()
    response = as_role(app, role).post(remove_url(kept), data={"ref": "PEO-11"})
    assert response.status_code == 403
    assert snapshot() == before
    assert link("PEO-10", "PEO-11") is not None


# Baselines ---------------------------------------------------------------------------------------


def test_admin_takes_a_baseline_and_slip_is_measured_against_it(
    admin_client: FlaskClient,
) -> None:
    page = soup(admin_client, f"{BASE}/baselines/new")
    assert page.find(id="make_current").has_attr("checked")
    assert "Like 'Plan for go-live 1 April 2022'" in page.find(id="label-hint").text
    response = admin_client.post(
        f"{BASE}/baselines/new",
        data={
            "label": "Plan at 4 April 2022",
            "note": "After the March review",
            "make_current": "y",
        },
    )
    assert response.status_code == 302
    assert response.location == f"{BASE}/plan-settings"

    db.session.expire_all()
    taken = db.session.scalar(select(Baseline).where(Baseline.label == "Plan at 4 April 2022"))
    assert taken is not None
    assert (taken.note, taken.go_live_date, taken.taken_by_id) == (
        "After the March review",
        date(2022, 7, 1),
        person_id(ADMIN),
    )
    assert len(taken.items) == db.session.scalar(select(func.count()).select_from(Milestone))
    item = next(i for i in taken.items if i.ref == "PEO-09")
    peo_09 = existing("PEO-09")
    assert (item.milestone_id, item.title, item.planned_start, item.due_date) == (
        peo_09.id,
        peo_09.title,
        peo_09.planned_start,
        peo_09.due_date,
    )
    assert programme().current_baseline_id == taken.id
    (created,) = audit("Baseline", "create", entity_id=taken.id)
    assert created.actor == ADMIN_NAME

    page = soup(admin_client, response.location)
    assert "Took the baseline “Plan at 4 April 2022” of 109 milestones." in flash_text(page)
    first = page.find(id="baselines").tbody.find("tr")("td")
    assert first[0].get_text(" ", strip=True).startswith("Plan at 4 April 2022")
    assert (first[3].text, first[4].get_text(strip=True)) == (ADMIN_NAME, "Current")
    dashboard = soup(admin_client, f"{BASE}/")
    assert 'Go-live against "Plan at 4 April 2022"' in dashboard.get_text(" ", strip=True)


def test_a_baseline_can_be_kept_without_measuring_against_it(admin_client: FlaskClient) -> None:
    current = programme().current_baseline_id
    response = admin_client.post(f"{BASE}/baselines/new", data={"label": "For reference"})
    assert response.status_code == 302
    db.session.expire_all()
    assert programme().current_baseline_id == current
    assert db.session.scalar(select(Baseline).where(Baseline.label == "For reference"))


def test_a_baseline_needs_a_label_of_its_own(admin_client: FlaskClient) -> None:
    before = snapshot()
    page = parse(admin_client.post(f"{BASE}/baselines/new", data={"label": "", "note": "x"}))
    assert error_for(page, "label") == "Error: Enter a label, like 'Plan for go-live 1 April 2022'"
    page = parse(
        admin_client.post(f"{BASE}/baselines/new", data={"label": "Plan for go-live 1 July 2022"})
    )
    assert title(page).startswith("Error: ")
    assert error_for(page, "label") == (
        "Error: There is already a baseline called “Plan for go-live 1 July 2022”: choose another"
    )
    assert page.find(id="label")["value"] == "Plan for go-live 1 July 2022"
    assert snapshot() == before


@pytest.mark.parametrize("role", ["lead", "board"])
def test_leads_and_the_board_cannot_take_a_baseline(app: Flask, role: str) -> None:
    before = snapshot()
    response = as_role(app, role).post(
        f"{BASE}/baselines/new", data={"label": "Sneaky baseline", "make_current": "y"}
    )
    assert response.status_code == 403
    assert snapshot() == before


# The go-live target -------------------------------------------------------------------------------


def test_admin_moves_the_go_live_target_and_the_dashboard_shows_it(
    admin_client: FlaskClient,
) -> None:
    response = admin_client.post(
        f"{BASE}/go-live",
        data={"target_date": "2022-09-01", "reason": "Royal Assent later than expected"},
    )
    assert response.status_code == 302
    assert response.location == f"{BASE}/plan-settings"

    db.session.expire_all()
    assert programme().go_live_date == date(2022, 9, 1)
    target = db.session.scalar(select(GoLiveTarget).order_by(GoLiveTarget.id.desc()))
    assert target is not None
    assert (target.target_date, target.set_on, target.reason, target.set_by_id) == (
        date(2022, 9, 1),
        date(2022, 4, 4),
        "Royal Assent later than expected",
        person_id(ADMIN),
    )
    (moved,) = audit("Programme", "update", field="go_live_date")
    assert (moved.actor, moved.old_value, moved.new_value) == (
        ADMIN_NAME,
        "2022-07-01",
        "2022-09-01",
    )
    schedule = programme_schedule(programme())
    assert schedule is not None and schedule.forecast.go_live_target == date(2022, 9, 1)

    page = soup(admin_client, response.location)
    assert "The go-live target is now 1 September 2022." in flash_text(page)
    first = page.find(id="go-live-history").tbody.find("tr")("td")
    assert [td.get_text(" ", strip=True) for td in first] == [
        "1 September 2022 Current",
        "4 April 2022",
        "Royal Assent later than expected",
        ADMIN_NAME,
    ]
    dashboard = soup(admin_client, f"{BASE}/")
    assert "Target 1 September 2022" in dashboard.get_text(" ", strip=True)


def test_go_live_before_the_programme_starts_or_without_a_reason_is_refused(
    admin_client: FlaskClient,
) -> None:
    before = snapshot()
    page = parse(
        admin_client.post(f"{BASE}/go-live", data={"target_date": "2021-06-30", "reason": "x"})
    )
    assert title(page).startswith("Error: ")
    assert error_for(page, "target_date") == (
        "Error: The go-live date 30 June 2021 is outside the programme's go-live window: "
        "enter a date from 1 July 2021 to 1 July 2031"
    )
    assert page.find(id="target_date")["value"] == "2021-06-30"
    page = parse(admin_client.post(f"{BASE}/go-live", data={"target_date": "", "reason": " "}))
    assert error_for(page, "target_date") == "Error: Enter the new go-live date"
    assert error_for(page, "reason") == (
        "Error: Say why go-live has moved, like the letter or decision"
    )
    assert snapshot() == before


def test_a_go_live_move_over_someone_elses_is_refused_and_keeps_what_was_typed(
    admin_client: FlaskClient,
) -> None:
    """Two people in the programme office move go-live at once: the second sees the first's
    move instead of silently replacing it."""
    from tracker.domain.permissions import Viewer
    from tracker.services import plan_edits
    from tracker.services.optimistic_locking import Seen

    data = form_values(soup(admin_client, f"{BASE}/go-live"))
    assert data["opened_at"]
    with acting_as(Actor("Paul Bentley")):  # meanwhile, someone else moves it
        plan_edits.move_go_live(
            Viewer(instance_admin=True),
            programme(),
            Seen(None, data["opened_at"]),
            date(2022, 8, 1),
            "Letter of 1 April",
            today=date(2022, 4, 4),
        )
    before = snapshot()
    data.update(target_date="2022-09-01", reason="Royal Assent later than expected")
    page = parse(admin_client.post(f"{BASE}/go-live", data=data))
    notice = page.find(id="edit-conflict")
    assert notice is not None
    shown = notice.get_text(" ", strip=True)
    assert "Paul Bentley" in shown and "go-live date" in shown
    assert page.find(id="target_date")["value"] == "2022-09-01"
    db.session.expire_all()
    assert programme().go_live_date == date(2022, 8, 1) and snapshot() == before
    # Saving again, now over the move shown, is a deliberate choice and goes through.
    data = {**form_values(page), "target_date": "2022-09-01", "reason": "Royal Assent"}
    assert admin_client.post(f"{BASE}/go-live", data=data).status_code == 302
    db.session.expire_all()
    assert programme().go_live_date == date(2022, 9, 1)


@pytest.mark.parametrize("role", ["lead", "board"])
def test_leads_and_the_board_cannot_move_go_live(app: Flask, role: str) -> None:
    before = snapshot()
    response = as_role(app, role).post(
        f"{BASE}/go-live", data={"target_date": "2022-09-01", "reason": "Because"}
    )
    assert response.status_code == 403
    assert snapshot() == before


# The controls on the milestone page ---------------------------------------------------------


def test_admin_sees_plan_controls_on_the_milestone_page(admin_client: FlaskClient) -> None:
    page = soup(admin_client, f"{BASE}/milestones/PEO-11")
    controls = page.find(id="plan-controls")
    assert controls is not None and controls.find("h2").text == "Change the plan"
    links = {a.text: a["href"] for a in controls("a")}
    assert links == {
        "Edit PEO-11": f"{BASE}/milestones/PEO-11/edit",
        "Delete PEO-11": f"{BASE}/milestones/PEO-11/delete",
        "Add a dependency": f"{BASE}/milestones/PEO-11/dependencies/new",
    }
    buttons = [b.get_text(strip=True) for b in controls("button")]
    assert "Remove PEO-10 → PEO-11 (FS)" in buttons
    assert "Remove PEO-11 → PEO-12 (FS)" in buttons
    assert len(buttons) == 5
    doomed = link("PEO-10", "PEO-11")
    assert doomed is not None
    form = next(f for f in controls("form") if "PEO-10 → PEO-11" in f.text)
    assert form["action"] == remove_url(doomed)


@pytest.mark.parametrize("role", ["lead", "board"])
def test_leads_and_the_board_see_no_plan_controls(app: Flask, role: str) -> None:
    page = soup(as_role(app, role), f"{BASE}/milestones/PEO-11")
    assert page.find(id="plan-controls") is None
    assert "Change the plan" not in page.text
    hrefs = [a["href"] for a in page("a", href=True)]
    assert not [h for h in hrefs if h.endswith(("/edit", "/delete", "/dependencies/new"))]
    assert not [f for f in page("form") if "/dependencies/" in f.get("action", "")]
