"""A programme admin's settings: the programme's details, its calendar and closure days, and
its workstreams (created, edited, reordered, retired and brought back). Each route for each
role (admin allowed; lead, board and viewer 403; anyone who is not a member 404, with nothing
changed), bad input named, and the audit trail.

Kent and Medway starts on 1 July 2021 and goes live on 1 July 2022, on England's bank
holidays; its ten workstreams run GOV, PEO, FMD, ... ENG, each with open milestones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, sign_in_as
from tests.helpers import audit_count, count, error_for, page, programme, soup, user
from tracker.domain.permissions import Viewer
from tracker.domain.programme_settings import (
    ProgrammeDetails,
    WorkstreamPlan,
    bank_holiday,
    check_closure,
    check_details,
    check_move,
    check_retire,
    reordered,
)
from tracker.domain.validation import programme_window
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CalendarClosure,
    Membership,
    Person,
    Programme,
    User,
    Workstream,
)
from tracker.services import programme_admin, workstreams
from tracker.services.accounts import viewer_for
from tracker.services.optimistic_locking import Seen, opened_now

BASE = "/p/kent-and-medway"
SETTINGS = f"{BASE}/settings"
WORKSTREAMS = f"{SETTINGS}/workstreams"
OUTSIDER = "olive.outsider@example.org"


# --- helpers ---------------------------------------------------------------------------------


def admin() -> Viewer:
    return viewer_for(user(ADMIN))


def workstream(code: str) -> Workstream:
    db.session.expire_all()
    found = db.session.scalar(
        select(Workstream).where(Workstream.programme_id == programme().id, Workstream.code == code)
    )
    assert found is not None, code
    return found


def person_id(email: str) -> int:
    found = db.session.scalar(select(Person.id).where(Person.email == email))
    assert found is not None, email
    return found


def outsider(app: Flask) -> FlaskClient:
    """Someone with an account and no membership of Kent and Medway (committed, so that a
    refused change's rollback keeps them)."""
    db.session.add(User(person=Person(name="Olive Outsider", email=OUTSIDER)))
    db.session.commit()
    return sign_in_as(app.test_client(), OUTSIDER)


def details_form(**changes: Any) -> dict[str, Any]:
    kent = programme()
    data = {
        "name": kent.name,
        "from_organisation": kent.from_organisation,
        "to_organisation": kent.to_organisation,
        "start_date": kent.start_date.isoformat(),
        "calendar_region": kent.calendar_region,
        "protective_marking": kent.protective_marking,
        "opened_at": opened_now(),
    }
    return {**data, **changes}


def workstream_form(code: str = "TRN", **changes: Any) -> dict[str, Any]:
    data = {
        "code": code,
        "name": "Training",
        "description": "Training for the new organisation",
        "leads": [str(person_id(LEAD))],
        "opened_at": opened_now(),
    }
    return {**data, **changes}


@pytest.fixture()
def extra(app: Flask) -> dict[str, int]:
    """A closure day, an empty workstream TST and a retired one OLD, made by the admin."""
    kent = programme()
    closure = programme_admin.add_closure(admin(), kent, date(2021, 12, 29), "Christmas shutdown")
    workstreams.create_workstream(admin(), kent, WorkstreamPlan("TST", "Testing"))
    old = workstreams.create_workstream(admin(), kent, WorkstreamPlan("OLD", "Old work"))
    workstreams.retire_workstream(admin(), kent, old, date(2022, 3, 1))
    return {"closure": closure.id}


def state() -> Any:
    """Everything these pages can change."""
    db.session.expire_all()
    kent = programme()
    return (
        audit_count(),
        count(CalendarClosure),
        (kent.name, kent.from_organisation, kent.to_organisation, kent.start_date),
        kent.calendar_region,
        [
            (ws.code, ws.name, ws.description, ws.display_order, ws.retired_on)
            + tuple(p.id for p in ws.leads)
            for ws in workstreams.all_workstreams(kent)
        ],
    )


# --- every route, every role -----------------------------------------------------------------

GETS = [SETTINGS, WORKSTREAMS, f"{WORKSTREAMS}/new", f"{WORKSTREAMS}/PEO/edit"]

# Each POST with what makes it succeed for the admin.
POSTS: dict[str, Callable[[dict[str, int]], tuple[str, dict[str, Any]]]] = {
    "details": lambda x: (SETTINGS, details_form(name="Kent and Medway ICB transition")),
    "add closure": lambda x: (
        f"{SETTINGS}/closures",
        {"closed_on": "2022-12-28", "reason": "Christmas shutdown"},
    ),
    "remove closure": lambda x: (f"{SETTINGS}/closures/{x['closure']}/delete", {}),
    "new workstream": lambda x: (f"{WORKSTREAMS}/new", workstream_form()),
    "edit workstream": lambda x: (f"{WORKSTREAMS}/TST/edit", workstream_form("TST")),
    "move": lambda x: (f"{WORKSTREAMS}/PEO/move", {"direction": "up"}),
    "retire": lambda x: (f"{WORKSTREAMS}/TST/retire", {}),
    "restore": lambda x: (f"{WORKSTREAMS}/OLD/restore", {}),
}


@pytest.mark.parametrize("url", GETS)
def test_only_the_programme_admins_open_the_settings(
    app: Flask, role_client: FlaskClient, url: str
) -> None:
    response = role_client.get(url)
    expected = 200 if role_client.role == "admin" else 403  # type: ignore[attr-defined]
    assert response.status_code == expected


@pytest.mark.parametrize("name", list(POSTS))
def test_each_change_is_the_admins_and_refused_to_others(
    app: Flask, extra: dict[str, int], name: str
) -> None:
    url, data = POSTS[name](extra)
    before = state()
    for email in (LEAD, BOARD_MEMBER):
        response = sign_in_as(app.test_client(), email).post(url, data=data)
        assert response.status_code == 403, (name, email)
        assert state() == before, (name, email)
    stranger = outsider(app)
    before = state()
    assert stranger.post(url, data=data).status_code == 404
    assert state() == before
    response = sign_in_as(app.test_client(), ADMIN).post(url, data=data)
    assert response.status_code == 302, (name, page(response).get_text(" ", strip=True)[:500])
    assert state() != before
    assert audit_count() > before[0]


def test_someone_who_is_not_a_member_does_not_see_the_settings(app: Flask) -> None:
    stranger = outsider(app)
    for url in GETS:
        assert stranger.get(url).status_code == 404, url


def test_a_viewer_is_refused_and_an_admin_of_another_programme_is_not_let_in(app: Flask) -> None:
    stranger = outsider(app)
    them = db.session.scalar(select(Person).where(Person.email == OUTSIDER))
    membership = Membership(person=them, programme=programme(), role="viewer")
    db.session.add(membership)
    db.session.commit()
    assert stranger.get(SETTINGS).status_code == 403
    # The admin of another programme administers theirs, and is a stranger to Kent and Medway.
    membership.programme = Programme(
        slug="sussex",
        name="Sussex merger",
        from_organisation="NHS Sussex ICB",
        to_organisation="NHS Sussex and Surrey ICB",
        start_date=date(2025, 10, 1),
        go_live_date=date(2027, 4, 1),
    )
    membership.role = "admin"
    db.session.commit()
    stranger = sign_in_as(app.test_client(), OUTSIDER)
    assert stranger.get(SETTINGS).status_code == 404
    assert stranger.get("/p/sussex/settings").status_code == 200
    assert stranger.post(SETTINGS, data=details_form(name="Taken over")).status_code == 404


# --- the details -----------------------------------------------------------------------------


def test_the_settings_page_shows_the_details_go_live_and_the_other_settings(
    admin_client: FlaskClient,
) -> None:
    html = soup(admin_client, SETTINGS)
    assert html.find(id="name")["value"] == programme().name
    assert html.find(id="calendar_region-1").has_attr("checked")  # England
    assert "1 July 2022" in html.find(id="go-live-date").get_text()
    links = {a.get_text(strip=True): a["href"] for a in html.find(id="settings-links")("a")}
    assert links == {
        "Workstreams": WORKSTREAMS,
        "Go-live date": f"{BASE}/go-live",
        "Plan settings": f"{BASE}/plan-settings",
        "People and invitations": f"{BASE}/people",
        "Weekly digest": f"{BASE}/digest/",
        "Save as a template": f"{BASE}/save-as-template",
    }


def test_saving_the_details_changes_them_and_records_each_in_the_audit_trail(
    admin_client: FlaskClient,
) -> None:
    version = programme().plan_version
    data = details_form(from_organisation="NHS Kent CCG and NHS Medway CCG", calendar_region="WLS")
    response = admin_client.post(SETTINGS, data=data, follow_redirects=True)
    assert "Saved the details" in response.text
    db.session.expire_all()
    kent = programme()
    assert (kent.from_organisation, kent.calendar_region) == (data["from_organisation"], "WLS")
    assert kent.plan_version != version  # schedules are worked out again on the new calendar
    changed = db.session.scalars(
        select(AuditEvent.field).where(
            AuditEvent.entity_type == "Programme", AuditEvent.entity_id == kent.id
        )
    ).all()
    assert {"from_organisation", "calendar_region"} <= set(changed)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter the programme's name"),
        ({"from_organisation": ""}, "from_organisation", "Enter the organisation or"),
        ({"to_organisation": ""}, "to_organisation", "Enter the organisation it is to"),
        ({"start_date": ""}, "start_date", "Enter the date the programme starts"),
        ({"start_date": "2022-07-02"}, "start_date", "is after go-live (1 July 2022)"),
        ({"start_date": "2012-01-01"}, "start_date", "more than 10 years before go-live"),
        (
            {"start_date": "1 July"},
            "start_date",
            "Enter the start date as a date, like 1 April 2022",
        ),
        ({"calendar_region": "XYZ"}, "calendar_region", "England, Wales, Scotland or Northern"),
        ({"protective_marking": "SECRET"}, "protective_marking", "Choose a protective marking"),
        ({"name": "x" * 201}, "name", "keep it to 200"),
    ],
)
def test_bad_details_are_named_and_nothing_is_saved(
    admin_client: FlaskClient, changes: dict[str, str], field: str, message: str
) -> None:
    before = state()
    response = admin_client.post(SETTINGS, data=details_form(**changes))
    assert response.status_code == 200
    assert message in error_for(page(response), field)
    assert page(response).title.get_text().startswith("Error: ")
    assert state() == before


def test_a_start_that_would_leave_the_plan_outside_its_window_is_refused() -> None:
    details = ProgrammeDetails("Merger", "A", "B", date(2026, 6, 1), "ENG")
    [refused] = check_details(details, date(2027, 1, 1), earliest_date=date(2021, 1, 4))
    assert refused.field == "start_date"
    assert "would leave the plan's date 4 January 2021 outside" in refused.message
    assert check_details(details, date(2027, 1, 1), earliest_date=date(2021, 6, 1)) == []


def test_a_change_made_meanwhile_is_a_conflict_not_overwritten(admin_client: FlaskClient) -> None:
    opened = opened_now()
    kent = programme()
    meanwhile = ProgrammeDetails(
        "Renamed meanwhile", kent.from_organisation, kent.to_organisation, kent.start_date, "ENG"
    )
    programme_admin.update_details(admin(), kent, Seen(None, opened_now()), meanwhile)
    before = state()
    response = admin_client.post(SETTINGS, data=details_form(name="Mine", opened_at=opened))
    html = page(response)
    assert html.find(id="edit-conflict") is not None
    assert "Renamed meanwhile" in html.find(id="edit-conflict").get_text()
    assert html.find(id="name")["value"] == "Mine"  # what they typed is kept
    assert state() == before
    # Saving again, over the change they have now seen, is deliberate and allowed.
    again = details_form(name="Mine", opened_at=html.find(id="opened_at")["value"])
    assert admin_client.post(SETTINGS, data=again).status_code == 302
    db.session.expire_all()
    assert programme().name == "Mine"


def test_moving_go_live_meanwhile_is_no_conflict_with_the_details(
    admin_client: FlaskClient,
) -> None:
    from tracker.services import plan

    opened = opened_now()
    plan.change_go_live(programme(), date(2022, 9, 1), "Moved", today=date(2022, 4, 4))
    db.session.commit()
    response = admin_client.post(SETTINGS, data=details_form(name="Mine", opened_at=opened))
    assert response.status_code == 302


# --- closure days ----------------------------------------------------------------------------


def test_adding_and_removing_a_closure_day_changes_the_working_days(
    admin_client: FlaskClient,
) -> None:
    from tracker.services.schedule import calendar_for

    day = date(2022, 12, 28)
    assert calendar_for(programme()).is_working_day(day)
    data = {"closed_on": day.isoformat(), "reason": "Christmas shutdown"}
    response = admin_client.post(f"{SETTINGS}/closures", data=data, follow_redirects=True)
    assert "28 December 2022 is now a closure day." in response.text
    assert "Christmas shutdown" in page(response).find(id="closure-list").get_text()
    assert not calendar_for(programme()).is_working_day(day)
    closure = db.session.scalar(select(CalendarClosure))
    assert closure is not None
    created = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "CalendarClosure", AuditEvent.action == "create"
        )
    )
    assert created is not None and created.programme_id == programme().id
    response = admin_client.post(f"{SETTINGS}/closures/{closure.id}/delete", follow_redirects=True)
    assert "28 December 2022 is no longer a closure day." in response.text
    assert count(CalendarClosure) == 0
    assert calendar_for(programme()).is_working_day(day)
    deleted = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "CalendarClosure", AuditEvent.action == "delete"
        )
    )
    assert deleted is not None


@pytest.mark.parametrize(
    ("closed_on", "reason", "field", "message"),
    [
        (
            "2026-12-25",
            "Shut",
            "closed_on",
            "25 December 2026 is already a bank holiday in England",
        ),
        ("2022-04-15", "Shut", "closed_on", "bank holiday in England (Good Friday)"),
        ("2022-12-24", "Shut", "closed_on", "24 December 2022 is a Saturday"),
        ("2030-01-02", "Shut", "closed_on", "outside the programme's window"),
        ("", "Shut", "closed_on", "Enter the date the office is closed"),
        ("29 Decembre 2022", "Shut", "closed_on", "Enter the closure date as a date, like 1 April"),
        ("2022-12-28", " ", "reason", "Say why the office is closed"),
        ("2022-12-28", "x" * 201, "reason", "keep it to 200"),
        ("2021-12-29", "Again", "closed_on", "already a closure day (Christmas shutdown)"),
    ],
)
def test_a_closure_that_is_not_a_working_day_or_is_outside_the_window_is_refused(
    admin_client: FlaskClient,
    extra: dict[str, int],
    closed_on: str,
    reason: str,
    field: str,
    message: str,
) -> None:
    before = state()
    data = {"closed_on": closed_on, "reason": reason}
    response = admin_client.post(f"{SETTINGS}/closures", data=data)
    assert response.status_code == 200
    assert message in error_for(page(response), field)
    assert state() == before


def test_bank_holidays_follow_the_programmes_region() -> None:
    window = programme_window(date(2021, 7, 1), date(2022, 7, 1))
    st_andrews = date(2021, 11, 30)
    assert bank_holiday("SCT", st_andrews) == "Saint Andrew's Day"
    assert check_closure(st_andrews, "Shut", region="ENG", window=window) == []
    [refused] = check_closure(st_andrews, "Shut", region="SCT", window=window)
    assert refused.message.startswith("Closure date 30 November 2021 is already a bank holiday")
    assert bank_holiday("NIR", date(2022, 7, 12)) is not None
    assert bank_holiday("ENG", date(2022, 7, 12)) is None


def test_a_closure_of_another_programme_is_not_found(
    admin_client: FlaskClient, extra: dict[str, int]
) -> None:
    assert admin_client.post(f"{SETTINGS}/closures/999999/delete").status_code == 404
    assert count(CalendarClosure) == 1


# --- workstreams -----------------------------------------------------------------------------


def test_the_list_shows_every_workstream_with_its_leads_and_counts(
    admin_client: FlaskClient, extra: dict[str, int]
) -> None:
    html = soup(admin_client, WORKSTREAMS)
    rows = [row.get_text(" ", strip=True) for row in html.find(id="workstream-list").tbody("tr")]
    assert rows[1].startswith("Code PEO") and "Becca Bradd" in rows[1]
    assert "Milestones 16" in rows[1] and "Open 8" in rows[1]
    assert "Retire PEO" not in rows[1]  # it has open milestones
    assert "Retire TST" in rows[-2] and "Retired" in rows[-1] and "Bring back OLD" in rows[-1]


def test_creating_a_workstream_with_leads_from_the_members(
    admin_client: FlaskClient, app: Flask
) -> None:
    form = soup(admin_client, f"{WORKSTREAMS}/new")
    choices = [label.get_text(strip=True) for label in form.select("label[for^=leads-]")]
    assert any(c.startswith("Becca Bradd") and c.endswith("(workstream lead)") for c in choices)
    data = workstream_form(code="trn", leads=[str(person_id(LEAD)), str(person_id(BOARD_MEMBER))])
    response = admin_client.post(f"{WORKSTREAMS}/new", data=data, follow_redirects=True)
    assert "Added the workstream TRN Training." in response.text
    made = workstream("TRN")
    assert [p.email for p in made.leads] == [LEAD, BOARD_MEMBER]
    assert made.display_order == 11  # after the ten there were
    events = db.session.scalars(
        select(AuditEvent.entity_type).where(AuditEvent.workstream_id == made.id)
    ).all()
    assert sorted(events) == ["Workstream", "WorkstreamLead", "WorkstreamLead"]
    # A lead member who leads it may update its progress; a board member named lead may not.
    assert made.id in viewer_for(user(LEAD)).led_workstream_ids
    assert made.id not in viewer_for(user(BOARD_MEMBER)).led_workstream_ids


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": ""}, "code", "Enter a workstream code"),
        ({"code": "G"}, "code", "must be 2 to 10 capital letters or digits"),
        ({"code": "GOV"}, "code", "GOV is already the code of “Governance and decision"),
        ({"name": ""}, "name", "Enter the workstream's name"),
        ({"description": "x" * 4001}, "description", "at most 4000 characters"),
        ({"leads": ["abc"]}, "leads", "Choose each lead from the list"),
    ],
)
def test_bad_workstreams_are_named_and_nothing_is_saved(
    admin_client: FlaskClient, changes: dict[str, Any], field: str, message: str
) -> None:
    before = state()
    response = admin_client.post(f"{WORKSTREAMS}/new", data=workstream_form(**changes))
    assert response.status_code == 200
    assert message in error_for(page(response), field)
    assert state() == before


def test_a_lead_must_be_a_member_of_the_programme(admin_client: FlaskClient, app: Flask) -> None:
    outsider(app)
    before = state()
    data = workstream_form(leads=[str(person_id(OUTSIDER))])
    response = admin_client.post(f"{WORKSTREAMS}/new", data=data)
    assert "Olive Outsider is not a member of the programme" in error_for(page(response), "leads")
    assert state() == before


def test_editing_a_workstream_changes_its_code_name_and_leads(
    admin_client: FlaskClient,
) -> None:
    peo = workstream("PEO")
    data = workstream_form("PPL", name="People", leads=[str(person_id("mike.gilbert@example.org"))])
    response = admin_client.post(f"{WORKSTREAMS}/PEO/edit", data=data, follow_redirects=True)
    assert "Saved the changes to PPL People." in response.text
    ppl = workstream("PPL")
    assert ppl.id == peo.id and [p.name for p in ppl.leads] == ["Mike Gilbert"]
    assert {m.ref[:3] for m in ppl.milestones} == {"PEO"}  # references are kept
    actions = db.session.execute(
        select(AuditEvent.entity_type, AuditEvent.action, AuditEvent.field).where(
            AuditEvent.workstream_id == peo.id
        )
    ).all()
    assert ("Workstream", "update", "code") in actions
    assert ("WorkstreamLead", "delete", None) in actions
    assert ("WorkstreamLead", "create", None) in actions
    # Another workstream's code is refused, naming it.
    response = admin_client.post(f"{WORKSTREAMS}/PPL/edit", data=workstream_form("GOV"))
    assert "GOV is already the code of" in error_for(page(response), "code")


def test_a_workstream_changed_meanwhile_is_a_conflict_but_a_move_is_not(
    admin_client: FlaskClient,
) -> None:
    opened = opened_now()
    workstreams.move_workstream(admin(), programme(), workstream("PEO"), "down")
    response = admin_client.post(
        f"{WORKSTREAMS}/PEO/edit", data=workstream_form("PEO", name="People", opened_at=opened)
    )
    assert response.status_code == 302
    opened = opened_now()
    changed = WorkstreamPlan("PEO", "People", "", (person_id("mike.gilbert@example.org"),))
    workstreams.edit_workstream(
        admin(), programme(), workstream("PEO"), Seen(None, opened), changed
    )
    before = state()
    response = admin_client.post(
        f"{WORKSTREAMS}/PEO/edit", data=workstream_form("PEO", name="Mine", opened_at=opened)
    )
    notice = page(response).find(id="edit-conflict")
    assert notice is not None and "leads" in notice.get_text()
    assert state() == before


def test_moving_a_workstream_up_and_down(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        f"{WORKSTREAMS}/PEO/move", data={"direction": "up"}, follow_redirects=True
    )
    assert "Moved PEO up." in response.text
    codes = [ws.code for ws in workstreams.all_workstreams(programme())]
    assert codes[:3] == ["PEO", "GOV", "FMD"]
    moved = db.session.scalars(
        select(AuditEvent.entity_label).where(AuditEvent.field == "display_order")
    ).all()
    assert sorted(moved) == sorted([workstream("PEO").audit_label, workstream("GOV").audit_label])
    before = state()
    for code, direction, message in [
        ("PEO", "up", "PEO is already first"),
        ("ENG", "down", "ENG is already last"),
        ("GOV", "sideways", "Choose to move the workstream up or down"),
    ]:
        response = admin_client.post(
            f"{WORKSTREAMS}/{code}/move", data={"direction": direction}, follow_redirects=True
        )
        assert message in response.text
    assert state() == before


def test_retiring_is_refused_while_milestones_are_open(admin_client: FlaskClient) -> None:
    before = state()
    response = admin_client.post(f"{WORKSTREAMS}/FMD/retire", follow_redirects=True)
    assert "FMD cannot be retired while 2 of its milestones are open (FMD-" in response.text
    assert state() == before
    assert workstream("FMD").retired_on is None


def test_a_retired_workstream_leaves_the_dashboard_choices_and_digest_and_comes_back(
    admin_client: FlaskClient, extra: dict[str, int]
) -> None:
    from tracker.services.digest_content import programme_week

    def shown() -> dict[str, bool]:
        dashboard = admin_client.get(f"{BASE}/").text
        choices = soup(admin_client, f"{BASE}/milestones/new").find(id="workstream").get_text()
        db.session.expire_all()
        week = programme_week(programme(), date(2022, 4, 4))
        assert week is not None
        return {
            "dashboard": "Testing" in dashboard,
            "new milestone": "TST: Testing" in choices,
            "digest": "TST" in [w.code for w in week.digest.workstreams],
        }

    assert shown() == {"dashboard": True, "new milestone": True, "digest": True}
    response = admin_client.post(f"{WORKSTREAMS}/TST/retire", follow_redirects=True)
    assert "Retired TST" in response.text
    assert workstream("TST").retired_on == date(2022, 4, 4)
    assert shown() == {"dashboard": False, "new milestone": False, "digest": False}
    assert admin_client.get(f"{WORKSTREAMS}/TST/edit").status_code == 200  # still kept
    response = admin_client.post(f"{WORKSTREAMS}/TST/restore", follow_redirects=True)
    assert "Brought TST back" in response.text
    assert shown() == {"dashboard": True, "new milestone": True, "digest": True}
    fields = db.session.scalars(
        select(AuditEvent.new_value).where(
            AuditEvent.workstream_id == workstream("TST").id, AuditEvent.field == "retired_on"
        )
    ).all()
    assert fields == ["2022-04-04", None]
    # Bringing back one that is not retired says so.
    response = admin_client.post(f"{WORKSTREAMS}/TST/restore", follow_redirects=True)
    assert "TST is not retired" in response.text


def test_the_workstream_rules() -> None:
    assert check_move(["GOV", "PEO"], "GOV", "up")[0].message == "GOV is already first"
    assert check_move(["GOV", "PEO"], "GOV", "down") == []
    assert reordered(["GOV", "PEO", "FIN"], "FIN", "up") == ["GOV", "FIN", "PEO"]
    refs = [f"PEO-{n:02}" for n in range(1, 13)]
    [refused] = check_retire("PEO", None, refs)
    assert "while 12 of its milestones are open (PEO-01, " in refused.message
    assert "PEO-10 and 2 more)" in refused.message
    assert check_retire("PEO", None, []) == []
    assert "already retired on 1 March 2022" in check_retire("PEO", date(2022, 3, 1), [])[0].message
    assert WorkstreamPlan(" gov ", "Name").code == "GOV"


def test_the_protective_marking_is_set_here_and_printed_on_the_board_pack(
    admin_client: FlaskClient,
) -> None:
    data = details_form(protective_marking="OFFICIAL-SENSITIVE: COMMERCIAL")
    assert "Saved the details" in admin_client.post(SETTINGS, data=data, follow_redirects=True).text
    db.session.expire_all()
    assert programme().protective_marking == "OFFICIAL-SENSITIVE: COMMERCIAL"
    assert "OFFICIAL-SENSITIVE: COMMERCIAL" in admin_client.get(f"{BASE}/board-pack").text
    # A form that sends no marking leaves it as it is.
    without = {k: v for k, v in details_form().items() if k != "protective_marking"}
    admin_client.post(SETTINGS, data=without, follow_redirects=True)
    db.session.expire_all()
    assert programme().protective_marking == "OFFICIAL-SENSITIVE: COMMERCIAL"
