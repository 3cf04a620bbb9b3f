"""What-if scenarios, the app layer (services/scenarios.py, the pages under /scenarios/): who
makes, reads, changes and applies them; that a scenario never touches the plan; that applying
one is refused while the plan has moved on; that bad input is named by its field and nothing
is saved; and that a scenario's forecast equals the app's own schedule after the same edits
are made to the plan through its services (a property test on the seeded plan)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import ADMIN, BOARD_MEMBER, DEMO_TODAY, LEAD, sign_in_as
from tests.helpers import count, error_for, join, milestone, page, programme, user
from tracker.dashboard import routes as dashboard
from tracker.domain import scenarios as domain
from tracker.domain.permissions import Viewer
from tracker.domain.scenarios import ScenarioError
from tracker.extensions import db
from tracker.formatting import long_date
from tracker.models import AuditEvent, Baseline, Milestone, Programme, Scenario
from tracker.scheduling import ProgrammeForecast
from tracker.services import board, progress
from tracker.services import scenarios as service
from tracker.services.accounts import create_user, viewer_for
from tracker.services.optimistic_locking import Seen
from tracker.services.schedule import programme_schedule
from tracker.services.unit_of_work import ChangeRefused, Refusal, rehearsal, unit_of_work

BASE = "/p/kent-and-medway/scenarios"
VIEWER = "vera.viewer@example.org"
OUTSIDER = "olive.outsider@example.org"


# --- helpers ---------------------------------------------------------------------------------


def actor(email: str) -> Viewer:
    return viewer_for(user(email), "kent-and-medway")


def plan_version() -> str:
    return str(
        db.session.scalar(select(Programme.plan_version).where(Programme.slug == "kent-and-medway"))
    )


def milestone_events() -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type.in_(("Milestone", "Dependency", "Programme", "Baseline")))
        )
        or 0
    )


def scenario_events(scenario_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "Scenario", AuditEvent.entity_id == scenario_id
            )
        )
    )


def stored(scenario_id: int) -> Scenario:
    db.session.expire_all()
    found = db.session.get(Scenario, scenario_id)
    assert found is not None
    return found


def make(client: FlaskClient, name: str = "TUPE slips", description: str = "") -> int:
    response = client.post(f"{BASE}/", data={"name": name, "description": description})
    assert response.status_code == 302, page(response).get_text(" ", strip=True)[:2000]
    return int(response.location.rstrip("/").split("/")[-1])


def add(client: FlaskClient, scenario_id: int, kind: str, **fields: Any) -> Any:
    version = stored(scenario_id).version
    data = {"edit": kind, "version": str(version), **{k: str(v) for k, v in fields.items()}}
    return client.post(f"{BASE}/{scenario_id}/edits", data=data)


def viewer_client(app: Flask) -> FlaskClient:
    create_user(VIEWER, None, "Vera Viewer")
    join(VIEWER, "kent-and-medway", "viewer")
    return sign_in_as(app.test_client(), VIEWER)


def open_refs(forecast: ProgrammeForecast) -> list[str]:
    return sorted(
        r
        for r, m in forecast.milestones.items()
        if m.status != "complete" and r != forecast.go_live_ref
    )


@pytest.fixture()
def viewer(app: Flask) -> FlaskClient:
    return viewer_client(app)


@pytest.fixture()
def board_client(app: Flask) -> FlaskClient:
    return sign_in_as(app.test_client(), BOARD_MEMBER)


# --- making and changing one's own ------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "lead", "board", "viewer"])
def test_any_member_makes_and_edits_their_own_and_the_plan_stays_as_it_is(
    app: Flask, role: str
) -> None:
    emails = {"admin": ADMIN, "lead": LEAD, "board": BOARD_MEMBER}
    client = viewer_client(app) if role == "viewer" else sign_in_as(app.test_client(), emails[role])
    version, history = plan_version(), milestone_events()
    peo_09 = milestone("PEO-09")
    before = (peo_09.forecast_date, peo_09.due_date, peo_09.version)

    scenario_id = make(client, "TUPE slips three weeks", "Where does go-live land?")
    response = add(client, scenario_id, "slip", ref="peo-09", days=15)
    assert response.status_code == 302
    shown = page(client.get(response.location))

    scenario = stored(scenario_id)
    assert scenario.edits == [{"edit": "slip", "ref": "PEO-09", "days": 15}]
    assert scenario.shared is False and scenario.based_on_version == version
    sentence = shown.find(id="what-it-does-sentence").get_text(" ", strip=True)
    assert "In this scenario go-live moves from 1 July to 19 July 2022" in sentence
    assert [
        li.get_text(" ", strip=True).split(" Take")[0] for li in shown.select("#edit-list li")
    ] == ["PEO-09 slips 15 working days"]
    # Audited as the scenario's own changes, not the plan's: version and history as they were.
    assert {e.action for e in scenario_events(scenario_id)} >= {"create", "update"}
    assert plan_version() == version
    assert milestone_events() == history
    peo_09 = milestone("PEO-09")
    assert (peo_09.forecast_date, peo_09.due_date, peo_09.version) == before


def test_the_snapshot_holds_what_the_edits_may_refer_to(app: Flask) -> None:
    kent = programme()
    scenario = service.create_scenario(actor(ADMIN), kent, "Snapshot")
    schedule = board.schedule_for(kent)
    assert schedule is not None
    snap = scenario.based_on
    assert snap["go_live_target"] == "2022-07-01"
    assert len(snap["milestones"]) == len(schedule.milestones)
    assert len(snap["links"]) == len(schedule.dependencies)
    row = next(m for m in snap["milestones"] if m[0] == "PEO-09")
    assert dict(zip(snap["milestone_fields"], row, strict=True))["due"] == str(
        milestone("PEO-09").due_date
    )
    # Read back, the plan is the one it was made on: nothing to say.
    now = service.plan_of(kent, schedule)
    assert service.plan_from_snapshot(snap, now).milestones[0].ref == now.milestones[0].ref
    assert domain.rebase_check([], service.plan_from_snapshot(snap, now), now) == []


def test_rename_share_and_remove_an_edit(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "First")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=3)
    add(admin_client, scenario_id, "set_go_live_target", target="2022-07-15")
    assert len(stored(scenario_id).edits) == 2

    version = stored(scenario_id).version
    response = admin_client.post(
        f"{BASE}/{scenario_id}/edits/remove", data={"version": version, "position": "1"}
    )
    assert response.status_code == 302
    assert stored(scenario_id).edits == [{"edit": "set_go_live_target", "target": "2022-07-15"}]

    version = stored(scenario_id).version
    response = admin_client.post(
        f"{BASE}/{scenario_id}/details",
        data={"version": version, "name": "Later go-live", "description": "Two weeks"},
    )
    assert response.status_code == 302
    assert (stored(scenario_id).name, stored(scenario_id).description) == (
        "Later go-live",
        "Two weeks",
    )

    version = stored(scenario_id).version
    admin_client.post(f"{BASE}/{scenario_id}/share", data={"version": version, "shared": "1"})
    assert stored(scenario_id).shared is True
    fields = {e.field for e in scenario_events(scenario_id) if e.action == "update"}
    assert {"edits", "name", "description", "shared"} <= fields


def test_a_stale_form_shows_the_conflict_and_saves_nothing(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "Stale")
    stale = stored(scenario_id).version
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=3)
    response = admin_client.post(
        f"{BASE}/{scenario_id}/edits",
        data={"edit": "slip", "version": str(stale), "ref": "PEO-10", "days": "2"},
    )
    assert response.status_code == 200
    assert page(response).find(id="edit-conflict") is not None
    assert stored(scenario_id).edits == [{"edit": "slip", "ref": "PEO-09", "days": 3}]


def test_delete(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "Gone soon")
    response = admin_client.post(
        f"{BASE}/{scenario_id}/delete", data={"version": stored(scenario_id).version}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Scenario, scenario_id) is None
    assert {e.action for e in scenario_events(scenario_id)} == {"create", "delete"}


# --- who sees and changes what ------------------------------------------------------------------


def test_a_private_scenario_is_missing_to_everyone_else(
    admin_client: FlaskClient, lead_client: FlaskClient, board_client: FlaskClient
) -> None:
    scenario_id = make(admin_client, "Private")
    for client in (lead_client, board_client):
        assert client.get(f"{BASE}/{scenario_id}").status_code == 404
        assert client.get(f"/p/kent-and-medway/gantt?scenario={scenario_id}").status_code == 404
        assert add(client, scenario_id, "slip", ref="PEO-09", days=3).status_code == 404
    listed = page(lead_client.get(f"{BASE}/")).get_text(" ", strip=True)
    assert "Private" not in listed.split("Shared with the programme")[1]


def test_a_shared_scenario_is_read_by_members_and_changed_only_by_its_maker(
    admin_client: FlaskClient,
    lead_client: FlaskClient,
    board_client: FlaskClient,
    viewer: FlaskClient,
) -> None:
    scenario_id = make(admin_client, "Shared one")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=5)
    admin_client.post(
        f"{BASE}/{scenario_id}/share", data={"version": stored(scenario_id).version, "shared": "1"}
    )
    edits = stored(scenario_id).edits
    for client in (lead_client, board_client, viewer):
        shown = page(client.get(f"{BASE}/{scenario_id}"))
        assert "go-live moves" in shown.find(id="what-it-does-sentence").get_text()
        assert shown.find(id="edit-form") is None  # no form they cannot send
        listing = page(client.get(f"{BASE}/")).find(id="shared-scenarios")
        assert "Shared one" in listing.get_text()
        assert add(client, scenario_id, "slip", ref="PEO-10", days=1).status_code == 403
        version = stored(scenario_id).version
        for action, data in (
            ("share", {"shared": "0"}),
            ("rebase", {}),
            ("delete", {}),
            ("edits/remove", {"position": "1"}),
        ):
            response = client.post(
                f"{BASE}/{scenario_id}/{action}", data={"version": version, **data}
            )
            assert response.status_code == 403, action
    assert stored(scenario_id).edits == edits and stored(scenario_id).shared


def test_the_service_refuses_another_member_itself(app: Flask) -> None:
    scenario = service.create_scenario(actor(ADMIN), programme(), "Admin's")
    with pytest.raises(ChangeRefused) as refused:
        service.add_edit(actor(LEAD), scenario, Seen(scenario.version), domain.Slip("PEO-09", 2))
    assert refused.value.refusal is Refusal.NOT_ALLOWED
    outsider = Viewer(person_id=user(LEAD).person_id, memberships={})
    with pytest.raises(ChangeRefused) as refused:
        service.create_scenario(outsider, programme(), "Not a member")
    assert refused.value.refusal is Refusal.NOT_ALLOWED


def test_a_non_member_is_told_there_is_no_such_programme(
    app: Flask, admin_client: FlaskClient
) -> None:
    scenario_id = make(admin_client, "Members only")
    create_user(OUTSIDER, None, "Olive Outsider")
    outsider = sign_in_as(app.test_client(), OUTSIDER)
    for url in (f"{BASE}/", f"{BASE}/{scenario_id}", f"{BASE}/quick?ref=PEO-09&days=3"):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"{BASE}/", data={"name": "x"}).status_code == 404


def test_only_admins_apply(admin_client: FlaskClient, lead_client: FlaskClient) -> None:
    scenario_id = make(lead_client, "Lead's")
    add(lead_client, scenario_id, "slip", ref="PEO-09", days=5)
    assert lead_client.get(f"{BASE}/{scenario_id}/apply").status_code == 403
    response = lead_client.post(
        f"{BASE}/{scenario_id}/apply",
        data={"version": stored(scenario_id).version, "label": "Before"},
    )
    assert response.status_code == 403
    assert page(lead_client.get(f"{BASE}/{scenario_id}")).find(id="apply-link") is None
    # A private scenario is not the admins' to apply either: they cannot see it.
    assert admin_client.get(f"{BASE}/{scenario_id}/apply").status_code == 404


# --- applying to the plan -----------------------------------------------------------------------


def test_apply_takes_a_baseline_then_makes_the_edits_and_the_plan_becomes_the_scenario(
    admin_client: FlaskClient,
) -> None:
    scenario_id = make(admin_client, "Slip and relink")
    kent = programme()
    schedule = board.schedule_for(kent)
    assert schedule is not None
    link = next(d for d in schedule.dependencies if d.lag == 0)
    assert add(admin_client, scenario_id, "slip", ref="PEO-09", days=8).status_code == 302
    assert (
        add(
            admin_client,
            scenario_id,
            "set_lag",
            predecessor=link.predecessor,
            successor=link.successor,
            lag=2,
        ).status_code
        == 302
    )
    assert (
        add(admin_client, scenario_id, "set_go_live_target", target="2022-07-08").status_code == 302
    )
    expected = service.scenario_plan(kent, stored(scenario_id)).forecast()
    baselines = count(Baseline)

    confirm = page(admin_client.get(f"{BASE}/{scenario_id}/apply"))
    label = confirm.find(id="label")["value"]
    assert "Before the scenario “Slip and relink”" in label
    response = admin_client.post(
        f"{BASE}/{scenario_id}/apply",
        data={"version": stored(scenario_id).version, "label": "Before the slip"},
    )
    assert response.status_code == 302, page(response).get_text(" ", strip=True)[:2000]

    db.session.expire_all()
    taken = db.session.scalar(select(Baseline).where(Baseline.label == "Before the slip"))
    assert taken is not None and count(Baseline) == baselines + 1
    assert programme().current_baseline_id != taken.id  # kept, not made the measure
    peo_09 = milestone("PEO-09")
    assert peo_09.forecast_date == expected.milestones["PEO-09"].forecast_due
    assert "Slip and relink" in (peo_09.forecast_reason or "")
    assert programme().go_live_date == date(2022, 7, 8)
    actual = programme_schedule(programme())
    assert actual is not None
    assert actual.forecast.forecast_go_live == expected.forecast_go_live
    assert actual.forecast.go_live_float == expected.go_live_float
    assert {r: m.forecast_due for r, m in actual.forecast.milestones.items()} == {
        r: m.forecast_due for r, m in expected.milestones.items()
    }
    # Each change is in the plan's history, after the baseline.
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == peo_09.id, AuditEvent.field == "forecast_date"
        )
    ).all()
    assert [e.new_value for e in events][-1] == peo_09.forecast_date.isoformat()


def test_apply_is_refused_with_what_changed_until_rebased(
    app: Flask, admin_client: FlaskClient
) -> None:
    scenario_id = make(admin_client, "Before the change")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=4)
    add(admin_client, scenario_id, "slip", ref="PEO-10", days=2)
    peo_09 = milestone("PEO-09")
    progress.set_forecast(
        actor(ADMIN),
        peo_09,
        Seen(peo_09.version),
        forecast_date=date(2022, 6, 20),
        reason="The consultation runs long",
        today=DEMO_TODAY,
    )
    shown = page(admin_client.get(f"{BASE}/{scenario_id}"))
    notice = shown.find(id="plan-changed").get_text(" ", strip=True)
    assert (
        "Edit 1: PEO-09 changed since the scenario was made: its lead's forecast moved from "
        "14 April to 20 June 2022." in notice
    )
    baselines, history = count(Baseline), milestone_events()

    response = admin_client.post(
        f"{BASE}/{scenario_id}/apply",
        data={"version": stored(scenario_id).version, "label": "Refused"},
    )
    assert response.status_code == 200
    summary = page(response).find(class_="nhsuk-error-summary").get_text(" ", strip=True)
    assert "The plan has changed since this scenario was made: rebase it first" in summary
    assert "PEO-09 changed since the scenario was made" in summary
    assert (count(Baseline), milestone_events()) == (baselines, history)

    response = admin_client.post(
        f"{BASE}/{scenario_id}/rebase", data={"version": stored(scenario_id).version}
    )
    assert response.status_code == 302
    assert stored(scenario_id).based_on_version == plan_version()
    assert page(admin_client.get(f"{BASE}/{scenario_id}")).find(id="plan-changed") is None
    expected = service.scenario_plan(programme(), stored(scenario_id)).forecast()
    response = admin_client.post(
        f"{BASE}/{scenario_id}/apply",
        data={"version": stored(scenario_id).version, "label": "After the rebase"},
    )
    assert response.status_code == 302
    assert milestone("PEO-09").forecast_date == expected.milestones["PEO-09"].forecast_due
    assert expected.milestones["PEO-09"].forecast_due > date(2022, 6, 20)


def test_a_change_elsewhere_in_the_plan_says_nothing_but_still_asks_for_a_rebase(
    admin_client: FlaskClient,
) -> None:
    scenario_id = make(admin_client, "Elsewhere")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=4)
    fin = next(
        m for m in programme().milestones if m.ref.startswith("FIN") and m.status != "complete"
    )
    progress.set_forecast(
        actor(ADMIN),
        fin,
        Seen(fin.version),
        forecast_date=date(2022, 6, 1),
        reason="x",
        today=DEMO_TODAY,
    )
    shown = page(admin_client.get(f"{BASE}/{scenario_id}"))
    assert "still applies cleanly" in shown.find(id="plan-changed").get_text()
    with pytest.raises(ChangeRefused) as refused:
        service.apply_to_plan(
            actor(ADMIN),
            stored(scenario_id),
            Seen(stored(scenario_id).version),
            "x",
            today=DEMO_TODAY,
        )
    assert "the plan moved on elsewhere" in refused.value.errors[0].message


# --- bad input ---------------------------------------------------------------------------------


def test_bad_edits_are_named_by_their_field_and_save_nothing(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "Bad input")
    schedule = board.schedule_for(programme())
    assert schedule is not None
    link = schedule.dependencies[0]
    cases = [
        ({"edit": "slip", "ref": "FIN-99", "days": "3"}, "ref", "FIN-99 is not in the plan"),
        (
            {"edit": "slip", "ref": "PEO-09", "days": "three"},
            "days",
            "Enter the number of working days as a whole number, like 5",
        ),
        (
            {"edit": "slip", "ref": "PEO-09", "days": "0"},
            "days",
            "a slip is at least 1 working day",
        ),
        (
            {
                "edit": "add_link",
                "predecessor": link.successor,
                "successor": link.predecessor,
                "type": "FS",
                "lag": "0",
            },
            "predecessor",
            "would make a loop",
        ),
        (
            {
                "edit": "set_lag",
                "predecessor": link.predecessor,
                "successor": link.successor,
                "lag": "261",
                "type": link.type,
            },
            "lag",
            "The lag of 261 working days is more than a year",
        ),
        (
            {"edit": "set_forecast", "ref": "PEO-09", "forecast": ""},
            "forecast",
            "Enter the forecast date",
        ),
        (
            {"edit": "set_go_live_target", "target": "31/02/2022"},
            "target",
            "Enter the go-live target as a date",
        ),
    ]
    for data, field, words in cases:
        before = stored(scenario_id)
        version, edits = before.version, list(before.edits)
        response = admin_client.post(
            f"{BASE}/{scenario_id}/edits", data={**data, "version": str(version)}
        )
        assert response.status_code == 200, data
        shown = page(response)
        assert words in error_for(shown, field), (data, error_for(shown, field))
        assert shown.find(class_="nhsuk-error-summary") is not None
        after = stored(scenario_id)
        assert (after.version, after.edits) == (version, edits), data


def test_a_name_is_needed_and_is_one_of_a_kind(admin_client: FlaskClient) -> None:
    before = count(Scenario)
    response = admin_client.post(f"{BASE}/", data={"name": "  ", "description": ""})
    assert "Enter a name for the scenario" in error_for(page(response), "name")
    make(admin_client, "Only one")
    response = admin_client.post(f"{BASE}/", data={"name": "Only one", "description": ""})
    assert "You already have a scenario called “Only one”" in error_for(page(response), "name")
    assert count(Scenario) == before + 1


def test_edits_that_no_longer_apply_are_said_on_the_page(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "Will break")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=4)
    peo_09 = milestone("PEO-09")
    progress.complete(
        actor(ADMIN),
        peo_09,
        Seen(peo_09.version),
        completed_on=DEMO_TODAY,
        evidence_text="Done",
        evidence_url=None,
        today=DEMO_TODAY,
    )
    shown = page(admin_client.get(f"{BASE}/{scenario_id}"))
    assert "PEO-09 was completed on 4 April 2022, so it cannot slip" in shown.find(
        id="no-longer-applies"
    ).get_text(" ", strip=True)
    with pytest.raises(ScenarioError):
        service.scenario_plan(programme(), stored(scenario_id))
    response = admin_client.post(
        f"{BASE}/{scenario_id}/rebase", data={"version": stored(scenario_id).version}
    )
    assert response.status_code == 302
    assert stored(scenario_id).based_on_version != plan_version()  # refused, kept as it was


# --- the reads the risk analysis shares ---------------------------------------------------------


def test_scenario_by_name_and_scenario_plan(app: Flask) -> None:
    kent = programme()
    made = service.create_scenario(
        actor(LEAD), kent, "Contingency", "", [domain.SetDuration("PEO-09", 30)]
    )
    assert service.scenario_by_name(actor(LEAD), kent, "contingency").id == made.id
    with pytest.raises(ScenarioError, match="no scenario called 'Contingency'"):
        service.scenario_by_name(actor(ADMIN), kent, "Contingency")  # private to the lead
    plan = service.scenario_plan(kent, made)
    peo_09 = next(m for m in plan.milestones if m.ref == "PEO-09")
    assert plan.calendar.duration(peo_09.planned_start, peo_09.due) == 30


# --- the quick question, two side by side, the Gantt chart -------------------------------------


def test_the_quick_question_from_the_milestone_page_and_keeping_it(
    board_client: FlaskClient,
) -> None:
    form = page(board_client.get("/p/kent-and-medway/milestones/PEO-09")).find(id="what-if")
    assert form is not None
    shown = page(board_client.get(f"{BASE}/quick?ref=PEO-09&days=8"))
    said = shown.find(id="quick-sentence").get_text(" ", strip=True)
    assert said.startswith(
        "What it does: If PEO-09 slips 8 working days, go-live moves from 1 July"
    )
    assert "PEO-09 has 3 working days of float; this needs 8" in said
    before = count(Scenario)
    response = board_client.post(
        f"{BASE}/quick", data={"ref": "PEO-09", "days": "8", "name": "PEO-09 slips 8 working days"}
    )
    assert response.status_code == 302
    kept = db.session.scalars(select(Scenario).order_by(Scenario.id.desc())).first()
    assert count(Scenario) == before + 1 and kept is not None
    assert kept.edits == [{"edit": "slip", "ref": "PEO-09", "days": 8}]
    assert kept.owner_id == user(BOARD_MEMBER).person_id


def test_the_quick_question_names_what_cannot_slip(board_client: FlaskClient) -> None:
    shown = page(board_client.get(f"{BASE}/quick?ref=PEO-09&days=0"))
    assert "a slip is at least 1 working day" in shown.find(class_="nhsuk-error-summary").get_text()
    shown = page(board_client.get(f"{BASE}/quick?ref=PEO-09&days=lots"))
    assert "whole number" in shown.find(class_="nhsuk-error-summary").get_text()


def test_two_scenarios_side_by_side(admin_client: FlaskClient) -> None:
    a = make(admin_client, "Small slip")
    add(admin_client, a, "slip", ref="PEO-09", days=2)
    b = make(admin_client, "Big slip")
    add(admin_client, b, "slip", ref="PEO-09", days=15)
    shown = page(admin_client.get(f"{BASE}/compare?a={a}&b={b}"))
    rows = {
        tr.find("td").get_text(strip=True): [
            td.get_text(" ", strip=True) for td in tr.find_all("td")[1:]
        ]
        for tr in shown.select("#side-by-side tbody tr")
    }
    assert rows["Go-live forecast"] == ["1 July 2022", "1 July 2022", "19 July 2022"]
    assert "PEO-10" in shown.find(id="differ").get_text()
    assert admin_client.get(f"{BASE}/compare?a={a}&b=999999").status_code == 404


def test_the_gantt_chart_draws_a_scenario_over_the_plan(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "On the chart")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=15)
    shown = page(admin_client.get(f"/p/kent-and-medway/gantt?scenario={scenario_id}"))
    assert "This is the scenario On the chart" in shown.find(id="scenario-notice").get_text(
        " ", strip=True
    )
    text = shown.get_text(" ", strip=True)
    assert "the plan's forecast" in text
    plain = page(admin_client.get("/p/kent-and-medway/gantt"))
    assert plain.find(id="scenario-notice") is None


# --- the property: a scenario is the plan with the edits made --------------------------------


@unit_of_work
def _made_both_ways(actor: Viewer, kent: Programme, edits: list[domain.Edit]) -> tuple[Any, Any]:
    """The scenario's forecast, and the app's schedule after the same edits are made to the
    plan through its services (inside one unit of work the test rehearses: rolled back)."""
    scenario = service.create_scenario(actor, kent, "Property", "", edits)
    expected = service.scenario_plan(kent, scenario).forecast()
    service.apply_to_plan(actor, scenario, Seen(scenario.version), "Property", today=DEMO_TODAY)
    actual = programme_schedule(kent)
    assert actual is not None
    return expected, actual.forecast


def _figures(f: ProgrammeForecast) -> tuple[Any, ...]:
    milestones = {
        r: (m.forecast_start, m.forecast_due, m.total_float, m.free_float, m.rag, m.slip_days)
        for r, m in f.milestones.items()
    }
    return (
        f.go_live_target,
        f.forecast_go_live,
        f.slip_days,
        f.go_live_float,
        f.status,
        f.workstream_rags,
        milestones,
    )


edit_choices = st.lists(
    st.tuples(
        st.integers(0, 7), st.integers(0, 10_000), st.integers(0, 10_000), st.integers(-5, 30)
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(choices=edit_choices)
def test_a_scenario_equals_the_same_edits_made_to_the_plan(app: Flask, choices: list[Any]) -> None:
    admin = actor(ADMIN)
    kent = programme()
    schedule = board.schedule_for(kent)
    assert schedule is not None
    plan = service.plan_of(kent, schedule)
    refs = open_refs(schedule.forecast)
    activities = [m.ref for m in plan.milestones if m.kind == "activity" and m.ref in refs]
    everyone = sorted(m.ref for m in plan.milestones)
    edits: list[domain.Edit] = []
    for kind, i, j, n in choices:
        links = domain.apply(plan, edits).dependencies if edits else plan.dependencies
        link = links[i % len(links)]
        candidate: domain.Edit = [
            domain.Slip(refs[i % len(refs)], 1 + abs(n)),
            domain.SetForecast(refs[i % len(refs)], DEMO_TODAY + timedelta(days=1 + j % 150)),
            domain.SetDuration(activities[i % len(activities)], 1 + abs(n) * 2),
            domain.SetLag(link.predecessor, link.successor, n, link.type),
            domain.AddLink(
                everyone[i % len(everyone)], everyone[j % len(everyone)], "FS", abs(n) % 5
            ),
            domain.RemoveLink(link.predecessor, link.successor, link.type),
            domain.SetGoLiveTarget(date(2022, 7, 1) + timedelta(days=1 + j % 60)),
            domain.AddMilestone(
                f"{everyone[i % len(everyone)][:3]}-9{j % 10}",
                "Contingency review",
                everyone[i % len(everyone)][:3],
                "point",
                None,
                DEMO_TODAY + timedelta(days=10 + j % 80),
                predecessors=(domain.NewLink(everyone[i % len(everyone)]),),
                successors=(domain.NewLink(refs[j % len(refs)], "FS", abs(n) % 3),),
            ),
        ][kind]
        try:
            domain.apply(plan, [*edits, candidate])
        except ScenarioError:
            continue  # a loop, a duplicate: the domain's refusals are tested on their own
        edits.append(candidate)
    if not edits:
        return
    with rehearsal():
        expected, actual = _made_both_ways(admin, kent, edits)
    assert _figures(actual) == _figures(expected), [e.summary for e in edits]
    # Rehearsed: nothing was kept.
    assert count(Scenario) == 0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Milestone)
            .where(Milestone.forecast_reason.like("Scenario%"))
        )
        == 0
    )


def test_the_gantt_download_follows_the_scenario_as_it_changes(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "Drawn")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=2)
    first = admin_client.get(f"/p/kent-and-medway/gantt.svg?scenario={scenario_id}")
    assert first.status_code == 200
    add(admin_client, scenario_id, "set_go_live_target", target="2022-09-01")
    second = admin_client.get(f"/p/kent-and-medway/gantt.svg?scenario={scenario_id}")
    # The cached drawing is the scenario's version's: a new edit draws it again.
    assert first.data != second.data


# --- the dashboard and the milestone page beside a scenario -----------------------------------

DASHBOARD = "/p/kent-and-medway/"


def rows_of(table: Any) -> dict[str, list[str]]:
    """A table's body rows by their first cell: the other cells' text."""
    assert table is not None
    return {
        tr.find("td").get_text(" ", strip=True): [
            td.get_text(" ", strip=True) for td in tr.find_all("td")[1:]
        ]
        for tr in table.select("tbody tr")
    }


def days_words(n: int) -> str:
    return f"{n} working day{'' if n in (1, -1) else 's'}"


def test_the_dashboard_beside_a_scenario_shows_its_figures(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "Big TUPE slip")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=15)
    compared = service.comparison(programme(), stored(scenario_id))
    assert compared.rag_changes and len(compared.moved) > dashboard.SCENARIO_MOVED_SHOWN

    shown = page(admin_client.get(f"{DASHBOARD}?scenario={scenario_id}"))
    assert shown.title is not None
    assert shown.title.get_text().startswith("Dashboard beside the scenario Big TUPE slip")
    panel = shown.find(id="scenario-panel")
    assert panel is not None
    name = panel.find(id="scenario-heading").find("a")
    assert name.get_text(strip=True) == "Big TUPE slip"
    assert name["href"] == f"{BASE}/{scenario_id}"
    assert panel.find(id="plan-alone")["href"] == DASHBOARD
    assert panel.find(id="scenario-on-the-gantt")["href"].endswith(f"gantt?scenario={scenario_id}")
    assert compared.sentence in panel.find(id="scenario-sentence").get_text(" ", strip=True)

    go_live = rows_of(panel.find(id="scenario-go-live"))
    assert go_live["Go-live forecast"] == [
        long_date(compared.go_live_before),
        long_date(compared.go_live_after),
    ]
    assert go_live["Slack (go-live's float)"] == [
        days_words(compared.float_before),
        days_words(compared.float_after),
    ]
    assert go_live["Programme status"] == [
        compared.status_before.capitalize(),
        compared.status_after.capitalize(),
    ]
    workstreams = rows_of(panel.find(id="scenario-workstreams"))
    assert workstreams == {
        w.workstream: [str(w.before).capitalize(), str(w.after).capitalize()]
        for w in compared.rag_changes
    }
    listed_rows = panel.select("#scenario-milestones tbody tr")
    first = compared.moved[: dashboard.SCENARIO_MOVED_SHOWN]
    assert [tr.find("a").get_text(strip=True) for tr in listed_rows] == [m.ref for m in first]
    top = rows_of(panel.find(id="scenario-milestones"))[f"{first[0].ref} {first[0].title}"]
    assert top[:3] == [
        long_date(first[0].forecast_before),
        long_date(first[0].forecast_after),
        f"{days_words(first[0].days)} later",
    ]
    link = listed_rows[0].find("a")["href"]
    assert link == f"/p/kent-and-medway/milestones/{first[0].ref}?scenario={scenario_id}"
    more = panel.find(id="scenario-more")
    assert more.get_text(" ", strip=True).startswith(
        f"And {len(compared.moved) - dashboard.SCENARIO_MOVED_SHOWN} more"
    )
    assert more.find("a")["href"] == f"{BASE}/{scenario_id}#what-it-does-milestones"

    # The board below is still the plan's, and the plain dashboard shows no panel.
    board_text = shown.find(id="go-live-heading").find_parent("section").get_text(" ", strip=True)
    assert long_date(compared.go_live_before) in board_text
    assert long_date(compared.go_live_after) not in board_text
    plain = page(admin_client.get(DASHBOARD))
    assert plain.find(id="scenario-panel") is None
    assert plain.title is not None and plain.title.get_text().startswith("Dashboard: ")


def test_the_dashboard_beside_a_scenario_that_no_longer_applies(
    admin_client: FlaskClient,
) -> None:
    scenario_id = make(admin_client, "Breaks")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=4)
    peo_09 = milestone("PEO-09")
    progress.complete(
        actor(ADMIN),
        peo_09,
        Seen(peo_09.version),
        completed_on=DEMO_TODAY,
        evidence_text="Done",
        evidence_url=None,
        today=DEMO_TODAY,
    )
    panel = page(admin_client.get(f"{DASHBOARD}?scenario={scenario_id}")).find(id="scenario-panel")
    said = panel.find(id="scenario-problem").get_text(" ", strip=True)
    assert "no longer applies" in said and "PEO-09 was completed" in said
    assert panel.find(id="scenario-go-live") is None


def test_the_dashboard_beside_a_scenario_is_404_unless_the_reader_may_see_it(
    app: Flask,
    admin_client: FlaskClient,
    lead_client: FlaskClient,
    board_client: FlaskClient,
) -> None:
    scenario_id = make(admin_client, "Kept private")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=3)
    for client in (lead_client, board_client):
        assert client.get(f"{DASHBOARD}?scenario={scenario_id}").status_code == 404
        url = f"/p/kent-and-medway/milestones/PEO-10?scenario={scenario_id}"
        assert client.get(url).status_code == 404
    for missing in ("999999", "abc", "-1"):
        assert admin_client.get(f"{DASHBOARD}?scenario={missing}").status_code == 404
    create_user(OUTSIDER, None, "Olive Outsider")
    outsider = sign_in_as(app.test_client(), OUTSIDER)
    assert outsider.get(f"{DASHBOARD}?scenario={scenario_id}").status_code == 404
    # Shared, the board reads it beside the plan.
    admin_client.post(
        f"{BASE}/{scenario_id}/share", data={"version": stored(scenario_id).version, "shared": "1"}
    )
    shown = page(board_client.get(f"{DASHBOARD}?scenario={scenario_id}"))
    assert shown.find(id="scenario-panel") is not None
    assert outsider.get(f"{DASHBOARD}?scenario={scenario_id}").status_code == 404


def test_the_milestone_page_beside_a_scenario(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "TUPE slips")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=15)
    compared = service.comparison(programme(), stored(scenario_id))
    before, after = compared.before.milestones["PEO-10"], compared.after.milestones["PEO-10"]
    moved = next(m for m in compared.moved if m.ref == "PEO-10")

    shown = page(admin_client.get(f"/p/kent-and-medway/milestones/PEO-10?scenario={scenario_id}"))
    notice = shown.find(id="scenario-notice")
    assert "Beside the scenario TUPE slips" in notice.get_text(" ", strip=True)
    assert notice.find("a")["href"] == f"{BASE}/{scenario_id}"
    figures = rows_of(shown.find(id="in-the-scenario"))
    assert figures["Forecast"] == [
        long_date(before.forecast_due),
        f"{long_date(after.forecast_due)} ({days_words(moved.days)} later)",
    ]
    assert figures["Total float"][0].startswith(days_words(before.total_float))
    assert figures["Total float"][1] == f"{days_words(after.total_float)} (critical)"
    assert figures["RAG"][0] == before.rag.capitalize()
    assert figures["RAG"][1].startswith(after.rag.capitalize())
    # The plain page has neither; the scenario page's table links here.
    plain = page(admin_client.get("/p/kent-and-medway/milestones/PEO-10"))
    assert plain.find(id="scenario-notice") is None and plain.find(id="in-the-scenario") is None
    on_its_page = page(admin_client.get(f"{BASE}/{scenario_id}"))
    hrefs = [a["href"] for a in on_its_page.select("#what-it-does-milestones tbody a")]
    assert f"/p/kent-and-medway/milestones/PEO-10?scenario={scenario_id}" in hrefs


def test_the_scenario_pages_link_to_the_dashboard_and_the_gantt_chart(
    admin_client: FlaskClient,
) -> None:
    scenario_id = make(admin_client, "Linked")
    add(admin_client, scenario_id, "slip", ref="PEO-09", days=2)
    shown = page(admin_client.get(f"{BASE}/{scenario_id}"))
    assert shown.find(id="on-the-dashboard")["href"] == f"{DASHBOARD}?scenario={scenario_id}"
    assert (
        shown.find(id="on-the-gantt")["href"] == f"/p/kent-and-medway/gantt?scenario={scenario_id}"
    )
    listing = page(admin_client.get(f"{BASE}/")).find(id="my-scenarios")
    links = {a.get_text(" ", strip=True): a["href"] for a in listing.find_all("a")}
    assert links["See Linked on the dashboard"] == f"{DASHBOARD}?scenario={scenario_id}"
    assert links["See Linked on the Gantt chart"] == (
        f"/p/kent-and-medway/gantt?scenario={scenario_id}"
    )


def test_the_milestone_page_shows_its_three_point_estimate(admin_client: FlaskClient) -> None:
    peo_10 = milestone("PEO-10")
    peo_10.optimistic_days, peo_10.likely_days, peo_10.pessimistic_days = 3, 5, 10
    db.session.commit()
    shown = page(admin_client.get("/p/kent-and-medway/milestones/PEO-10"))
    rows = {
        row.find("dt").get_text(strip=True): row.find("dd").get_text(" ", strip=True)
        for row in shown.select(".nhsuk-summary-list__row")
    }
    assert rows["Estimate for schedule risk analysis"] == (
        "3 / 5 / 10 working days (optimistic / most likely / pessimistic)"
    )
    other = page(admin_client.get("/p/kent-and-medway/milestones/PEO-11")).get_text()
    assert "Estimate for schedule risk analysis" not in other


# --- the forms for new dates and a new milestone -----------------------------------------------


def post_edit(client: FlaskClient, scenario_id: int, data: dict[str, str]) -> Any:
    version = stored(scenario_id).version
    return client.post(f"{BASE}/{scenario_id}/edits", data={**data, "version": str(version)})


def test_new_planned_dates_on_the_page(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "New dates")
    form = page(admin_client.get(f"{BASE}/{scenario_id}?add=set_dates")).find(id="edit-form")
    assert {i["name"] for i in form.select("input[type=date]")} == {"planned_start", "due"}
    response = post_edit(
        admin_client,
        scenario_id,
        {"edit": "set_dates", "ref": "peo-10", "planned_start": "", "due": "2022-05-20"},
    )
    assert response.status_code == 302
    assert stored(scenario_id).edits == [
        {"edit": "set_dates", "ref": "PEO-10", "planned_start": None, "due": "2022-05-20"}
    ]
    compared = service.comparison(programme(), stored(scenario_id))
    assert any(m.ref == "PEO-10" for m in compared.changed)


def test_bad_new_dates_are_named_by_their_field(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "Bad dates")
    cases: list[tuple[dict[str, str], dict[str, str]]] = [
        (
            {"ref": "", "due": ""},
            {"ref": "Enter the milestone's reference", "due": "Enter the new due date"},
        ),
        ({"ref": "FIN-99", "due": "2022-05-20"}, {"ref": "FIN-99 is not in the plan"}),
        (
            {"ref": "PEO-10", "planned_start": "31/02/2022", "due": "2022-05-20"},
            {"planned_start": "Enter the planned start as a date"},
        ),
        (
            {"ref": "PEO-10", "planned_start": "2022-05-02", "due": "2022-04-01"},
            {"due": "is before the planned start"},
        ),
        (
            {"ref": "PEO-14", "planned_start": "2022-05-02", "due": "2022-06-24"},
            {"planned_start": "PEO-14 is a point in time"},
        ),
        ({"ref": "PEO-01", "due": "2022-06-24"}, {"ref": "PEO-01 was completed"}),
    ]
    for data, expected in cases:
        response = post_edit(admin_client, scenario_id, {"edit": "set_dates", **data})
        assert response.status_code == 200, data
        shown = page(response)
        for field, words in expected.items():
            assert words in error_for(shown, field), (data, field, error_for(shown, field))
        assert stored(scenario_id).edits == [], data


def add_milestone_data(**changes: str) -> dict[str, str]:
    data = {
        "edit": "add_milestone",
        "ref": "PEO-30",
        "title": "Extra consultation round",
        "workstream": "PEO",
        "kind": "activity",
        "planned_start": "2022-05-03",
        "due": "2022-05-20",
        "predecessors": "PEO-10",
        "predecessor_type": "FS",
        "predecessor_lag": "2",
        "successors": "PEO-12",
        "successor_type": "FS",
        "successor_lag": "",
    }
    return {**data, **changes}


def test_a_new_milestone_on_the_page(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "New milestone")
    form = page(admin_client.get(f"{BASE}/{scenario_id}?add=add_milestone")).find(id="edit-form")
    offered = [o["value"] for o in form.find(id="workstream").find_all("option")]
    assert offered == ["", *(ws.code for ws in board.workstreams(programme()))]
    before_version = plan_version()
    response = post_edit(admin_client, scenario_id, add_milestone_data())
    assert response.status_code == 302, page(response).get_text(" ", strip=True)[:1500]
    assert stored(scenario_id).edits == [
        {
            "edit": "add_milestone",
            "ref": "PEO-30",
            "title": "Extra consultation round",
            "workstream": "PEO",
            "kind": "activity",
            "planned_start": "2022-05-03",
            "due": "2022-05-20",
            "predecessors": [{"ref": "PEO-10", "type": "FS", "lag": 2}],
            "successors": [{"ref": "PEO-12", "type": "FS", "lag": 0}],
        }
    ]
    compared = service.comparison(programme(), stored(scenario_id))
    assert compared.added == ("PEO-30",)
    assert plan_version() == before_version
    assert db.session.scalar(select(Milestone).where(Milestone.ref == "PEO-30")) is None
    # A point in time, with no links.
    response = post_edit(
        admin_client,
        scenario_id,
        add_milestone_data(
            ref="PEO-31",
            kind="point",
            planned_start="",
            predecessors="",
            successors="",
            due="2022-06-01",
        ),
    )
    assert response.status_code == 302
    point = stored(scenario_id).edits[-1]
    assert (point["kind"], point["planned_start"], point["predecessors"]) == ("point", None, [])


def test_bad_new_milestones_are_named_by_their_field(admin_client: FlaskClient) -> None:
    scenario_id = make(admin_client, "Bad milestone")
    cases: list[tuple[dict[str, str], dict[str, str]]] = [
        (
            {"ref": "", "title": " ", "workstream": "", "due": ""},
            {
                "ref": "Enter the new milestone's reference",
                "title": "Enter the new milestone's title",
                "workstream": "Choose the workstream the new milestone belongs to",
                "due": "Enter the due date",
            },
        ),
        ({"ref": "PEO-10"}, {"ref": "PEO-10 is already in the plan"}),
        ({"ref": "not a ref"}, {"ref": "must look like GOV-01"}),
        (
            {"workstream": "ZZZ"},
            {"workstream": "ZZZ is not one of the programme's workstreams (ANA, ASU"},
        ),
        ({"kind": "blob"}, {"kind": "Choose whether it is an activity or a point in time"}),
        ({"planned_start": ""}, {"planned_start": "Enter the planned start"}),
        ({"planned_start": "2022-06-01"}, {"due": "is before the planned start"}),
        ({"due": "31/02/2022"}, {"due": "Enter the due date as a date"}),
        ({"predecessors": "FIN-99"}, {"predecessors": "FIN-99 is not in the plan"}),
        ({"predecessor_lag": "two"}, {"predecessor_lag": "Enter the lag as a whole number"}),
        ({"successor_lag": "9999"}, {"successors": "more than a year"}),
        ({"successors": "PEO-09"}, {"successors": "would be in a loop"}),
        ({"successor_type": "XX"}, {"successors": "'XX' must be FS, SS, FF or SF"}),
    ]
    for changes, expected in cases:
        response = post_edit(admin_client, scenario_id, add_milestone_data(**changes))
        assert response.status_code == 200, changes
        shown = page(response)
        for field, words in expected.items():
            assert words in error_for(shown, field), (changes, field, error_for(shown, field))
        assert shown.find(class_="nhsuk-error-summary") is not None
        assert stored(scenario_id).edits == [], changes


def test_the_service_checks_a_new_milestones_workstream(app: Flask) -> None:
    kent = programme()
    scenario = service.create_scenario(actor(ADMIN), kent, "Service check")
    edit = domain.AddMilestone("PEO-30", "Extra", "ZZZ", "point", None, date(2022, 6, 1))
    with pytest.raises(ChangeRefused) as refused:
        service.add_edit(actor(ADMIN), scenario, Seen(scenario.version), edit)
    assert [e.field for e in refused.value.errors] == ["workstream"]
    with pytest.raises(ChangeRefused) as refused:
        service.create_scenario(actor(ADMIN), kent, "Made with it", "", [edit])
    assert (
        "Edit 1: ZZZ is not one of the programme's workstreams" in refused.value.errors[0].message
    )
    made = service.add_edit(
        actor(ADMIN), scenario, Seen(scenario.version), replace(edit, workstream="PEO")
    )
    assert made.edits[-1]["workstream"] == "PEO"
