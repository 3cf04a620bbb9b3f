"""The JSON API under /api/v1: bearer tokens only (never the session cookie), the same role
rules as the pages, one error shape, pages of lists, and an OpenAPI document that schemathesis
checks every endpoint against."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, OTHER_LEAD
from tests.helpers import fresh_milestone as milestone
from tests.helpers import programme
from tracker.api.openapi import document
from tracker.domain.figures import on_critical_path
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, Dependency, Milestone, Risk, StatusUpdate
from tracker.services import accounts, api_tokens
from tracker.services.schedule import programme_schedule

API = "/api/v1"
KM = f"{API}/programmes/kent-and-medway"
TODAY = date(2022, 4, 4)  # the seed's pinned today
ADMIN_NAME, LEAD_NAME = "Sarah Collins", "Becca Bradd"


# --- helpers ------------------------------------------------------------------------------


def token_for(email: str, name: str = "tests") -> str:
    user = accounts.user_by_email(email)
    assert user is not None, email
    secret = api_tokens.create_token(user, name).secret
    db.session.commit()
    return secret


@pytest.fixture()
def admin_token(app: Flask) -> str:
    return token_for(ADMIN)


@pytest.fixture()
def api(app: Flask) -> FlaskClient:
    """A client with no session cookie: only what the request says authenticates it."""
    return app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(api: FlaskClient, url: str, token: str) -> Any:
    response = api.get(url, headers=bearer(token))
    assert response.status_code == 200, (url, response.status_code, response.get_json())
    assert response.mimetype == "application/json"
    return response.get_json()


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The error object, after checking the status and the one shape every error has."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message", "field"} <= set(error) <= {"code", "message", "field", "details"}
    assert isinstance(error["message"], str) and error["message"]
    return dict(error)


def snapshot(ref: str) -> tuple[dict[str, Any], int]:
    """Everything about a milestone, and the size of the audit trail."""
    m = milestone(ref)
    row = {c.key: getattr(m, c.key) for c in Milestone.__table__.columns}
    return row, db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0


def audit_for(ref: str) -> list[AuditEvent]:
    m = milestone(ref)
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == "Milestone", AuditEvent.entity_id == m.id)
            .order_by(AuditEvent.id)
        )
    )


def all_pages(api: FlaskClient, url: str, token: str) -> list[dict[str, Any]]:
    """Every item of a list, following `next` from the first page to the last."""
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        body = get(api, next_url, token)
        items += body["items"]
        next_url = body["next"]
    return items


def seed_schedule() -> Any:
    schedule = programme_schedule(programme("kent-and-medway"))
    assert schedule is not None
    return schedule.forecast


# --- authentication -----------------------------------------------------------------------


def api_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, address) of every API route but the document, with seed values filled in."""
    values = {"slug": "kent-and-medway", "ref": "PEO-05"}
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi_document":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.build({n: values[n] for n in rule.arguments})[1]))
    return found


def test_every_route_but_the_document_needs_a_token(app: Flask, api: FlaskClient) -> None:
    routes = api_routes(app)
    assert len(routes) == 11
    before = snapshot("PEO-05")
    for method, url in routes:
        response = api.open(url, method=method, json={"completed_on": "2022-04-01"})
        error = error_of(response, 401)
        assert error["code"] == "unauthorized" and "Bearer" in error["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert snapshot("PEO-05") == before


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tt_not-a-real-token",
        "Bearer " + "tt_" + "x" * 43,
        "Bearer ",
        "Basic c2FyYWg6cGFzc3dvcmQ=",
        "tt_no-scheme",
    ],
)
def test_a_bad_token_is_refused(api: FlaskClient, header: str) -> None:
    response = api.get(f"{API}/programmes", headers={"Authorization": header})
    assert error_of(response, 401)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="transition-tracker"')


def test_a_mistyped_token_is_named_invalid(api: FlaskClient) -> None:
    token = token_for(ADMIN)
    response = api.get(f"{API}/programmes", headers=bearer(token[:-1] + "?"))
    error_of(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_stops_working_at_once(api: FlaskClient) -> None:
    token = token_for(ADMIN)
    get(api, f"{API}/programmes", token)
    record = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_digest == api_tokens.digest(token))
    )
    assert record is not None
    api_tokens.revoke(record)
    db.session.commit()
    error = error_of(api.get(f"{API}/programmes", headers=bearer(token)), 401)
    assert "revoked" in error["message"]


def test_a_deactivated_accounts_token_stops_working(api: FlaskClient) -> None:
    token = token_for(LEAD)
    get(api, f"{API}/programmes", token)
    user = accounts.user_by_email(LEAD)
    assert user is not None
    accounts.deactivate(user)
    db.session.commit()
    error_of(api.get(f"{API}/programmes", headers=bearer(token)), 401)


def test_a_signed_in_browser_session_is_not_enough(admin_client: FlaskClient) -> None:
    """The API takes no CSRF token, so a cookie must never authenticate it: any website
    could otherwise post to it in a signed-in person's name."""
    assert admin_client.get("/p/kent-and-medway/").status_code == 200  # signed in
    error_of(admin_client.get(f"{API}/programmes"), 401)
    before = snapshot("PEO-05")
    response = admin_client.post(
        f"{KM}/milestones/PEO-05/complete", json={"completed_on": "2022-04-01"}
    )
    error_of(response, 401)
    assert snapshot("PEO-05") == before


def test_last_used_is_recorded_at_most_once_a_minute(api: FlaskClient) -> None:
    token = token_for(BOARD_MEMBER)

    def last_used() -> Any:
        db.session.expire_all()
        return db.session.scalar(
            sa.select(ApiToken.last_used_at).where(
                ApiToken.token_digest == api_tokens.digest(token)
            )
        )

    assert last_used() is None
    get(api, f"{API}/programmes", token)
    first = last_used()
    assert first is not None
    get(api, f"{API}/programmes", token)
    assert last_used() == first  # no write for a second call within the minute
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.token_digest == api_tokens.digest(token))
        .values(last_used_at=first - timedelta(minutes=2))
    )
    db.session.commit()
    get(api, f"{API}/programmes", token)
    assert last_used() > first - timedelta(minutes=2)


def test_answers_are_not_for_shared_caches(api: FlaskClient) -> None:
    response = api.get(f"{API}/programmes", headers=bearer(token_for(BOARD_MEMBER)))
    assert response.headers["Cache-Control"] == "no-store"


# --- reading ------------------------------------------------------------------------------


def test_programmes(api: FlaskClient) -> None:
    body = get(api, f"{API}/programmes", token_for(BOARD_MEMBER))
    assert body["page"] == 1 and body["per_page"] == 50 and body["total"] == 1
    assert body["next"] is None
    [km] = body["items"]
    assert km == {
        "slug": "kent-and-medway",
        "name": "Kent and Medway CCG to ICB transition",
        "from_organisation": "NHS Kent and Medway CCG",
        "to_organisation": "NHS Kent and Medway ICB",
        "start_date": "2021-07-01",
        "go_live_date": "2022-07-01",
        "go_live_ref": "GOV-99",
        "calendar_region": "ENG",
        "baseline": "Plan for go-live 1 July 2022",
    }


def test_a_programme_with_the_schedules_answers(api: FlaskClient) -> None:
    body = get(api, KM, token_for(BOARD_MEMBER))
    forecast = seed_schedule()
    schedule = body["schedule"]
    assert schedule["forecast_go_live"] == forecast.forecast_go_live.isoformat()
    assert schedule["go_live_float"] == forecast.go_live_float
    assert schedule["status"] == forecast.status == "at risk"
    assert schedule["today"] == "2022-04-04"
    assert schedule["driving_path"][-1] == "GOV-99"
    critical = {m.ref for m in forecast.milestones.values() if on_critical_path(m)}
    assert set(schedule["critical_path"]) == critical and "PEO-09" in critical


def test_workstreams_in_order_with_leads_and_rag(api: FlaskClient) -> None:
    body = get(api, f"{KM}/workstreams", token_for(BOARD_MEMBER))
    forecast = seed_schedule()
    codes = [ws["code"] for ws in body["items"]]
    assert codes[:2] == ["GOV", "PEO"] and len(codes) == body["total"] == 10
    peo = body["items"][1]
    assert peo["leads"] == [LEAD_NAME]
    assert peo["rag"] == forecast.workstream_rags["PEO"]
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Milestone).where(Milestone.ref.like("PEO-%"))
    )
    assert peo["milestones_total"] == total


def test_milestones_come_a_page_at_a_time(api: FlaskClient) -> None:
    token = token_for(BOARD_MEMBER)
    first = get(api, f"{KM}/milestones?per_page=7", token)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Milestone))
    assert first["total"] == total
    assert len(first["items"]) == 7 and first["page"] == 1 and first["per_page"] == 7
    assert first["next"] == f"http://localhost{KM}/milestones?per_page=7&page=2"
    everything = all_pages(api, f"{KM}/milestones?per_page=7", token)
    refs = [m["ref"] for m in everything]
    assert len(refs) == len(set(refs)) == total
    # In the schedule's order: workstream by workstream.
    assert refs == list(seed_schedule().milestones)
    # The default page is 50; past the end there is nothing, and no next page.
    assert len(get(api, f"{KM}/milestones", token)["items"]) == min(50, total)
    beyond = get(api, f"{KM}/milestones?page=99", token)
    assert beyond["items"] == [] and beyond["next"] is None and beyond["total"] == total


def test_milestone_filters(api: FlaskClient) -> None:
    token = token_for(BOARD_MEMBER)
    forecast = seed_schedule().milestones
    peo = all_pages(api, f"{KM}/milestones?workstream=peo&per_page=200", token)
    assert {m["ref"] for m in peo} == {r for r in forecast if r.startswith("PEO-")}
    done = all_pages(api, f"{KM}/milestones?status=complete&workstream=PEO", token)
    assert done and all(m["status"] == "complete" and m["rag"] == "blue" for m in done)
    critical = all_pages(api, f"{KM}/milestones?critical=true", token)
    assert {m["ref"] for m in critical} == {m.ref for m in forecast.values() if on_critical_path(m)}
    assert all(m["critical"] for m in critical)
    key_overdue = all_pages(api, f"{KM}/milestones?key=true&overdue=true", token)
    assert [m["ref"] for m in key_overdue] == ["PEO-09"]
    red = all_pages(api, f"{KM}/milestones?rag=red", token)
    assert {m["ref"] for m in red} == {m.ref for m in forecast.values() if m.rag == "red"}
    # The filters are kept in the next page's address.
    page = get(api, f"{KM}/milestones?workstream=PEO&per_page=3", token)
    assert "workstream=PEO" in page["next"] and "per_page=3" in page["next"]


def test_a_milestone_with_its_schedule_figures_and_links(api: FlaskClient) -> None:
    token = token_for(BOARD_MEMBER)
    body = get(api, f"{KM}/milestones/peo-09", token)
    m = seed_schedule().milestones["PEO-09"]
    assert body["ref"] == "PEO-09" and body["workstream"] == "PEO"
    assert body["status"] == "in_progress" and body["is_key"] is True
    assert body["due_date"] == "2022-03-31"
    assert body["forecast_date"] == "2022-04-14"  # the lead's own forecast
    assert body["forecast_start"] == m.forecast_start.isoformat()
    assert body["forecast_due"] == m.forecast_due.isoformat()
    assert (body["total_float"], body["free_float"]) == (m.total_float, m.free_float)
    assert body["critical"] is True and body["on_driving_path"] is m.on_driving_path
    assert (body["rag"], body["overdue"], body["slip_days"]) == ("red", True, m.slip_days)
    assert body["version"] == milestone("PEO-09").version
    links = db.session.scalars(
        sa.select(Dependency).where(Dependency.successor_id == milestone("PEO-09").id)
    ).all()
    assert {p["ref"] for p in body["predecessors"]} == {d.predecessor.ref for d in links}
    assert {"ref": "PEO-10", "type": "FS", "lag_days": 0} in body["successors"]
    assert body["explanation"]
    # The list shows the same figures, without the links.
    [listed] = [
        item
        for item in all_pages(api, f"{KM}/milestones?workstream=PEO", token)
        if item["ref"] == "PEO-09"
    ]
    assert listed == {
        k: v for k, v in body.items() if k not in ("predecessors", "successors", "explanation")
    }


def test_dependencies(api: FlaskClient) -> None:
    items = all_pages(api, f"{KM}/dependencies?per_page=200", token_for(BOARD_MEMBER))
    assert len(items) == db.session.scalar(sa.select(sa.func.count()).select_from(Dependency))
    assert [d["id"] for d in items] == sorted(d["id"] for d in items)
    peo_10 = [d for d in items if d["successor"] == "PEO-10"]
    assert {"predecessor": "PEO-09", "type": "FS", "lag_days": 0, "notation": "PEO-09"} in [
        {k: d[k] for k in ("predecessor", "type", "lag_days", "notation")} for d in peo_10
    ]
    lagged = [d for d in items if d["lag_days"]]
    for d in lagged:
        assert re.fullmatch(rf"{d['predecessor']}(FS|SS|FF|SF)[+-]\d+", d["notation"])


def test_risks_open_first_by_score(api: FlaskClient) -> None:
    token = token_for(BOARD_MEMBER)
    items = all_pages(api, f"{KM}/risks", token)
    stored = db.session.scalars(sa.select(Risk)).all()
    expected = sorted(stored, key=lambda r: (r.status != "open", -r.score, r.ref))
    assert [r["ref"] for r in items] == [r.ref for r in expected]
    by_ref = {r.ref: r for r in stored}
    for item in items:
        risk = by_ref[item["ref"]]
        assert item["score"] == risk.consequence * risk.likelihood
        assert item["owner"] == risk.owner.name
        overdue = risk.status == "open" and risk.review_on is not None and risk.review_on < TODAY
        assert item["review_overdue"] is overdue
    r03 = next(r for r in items if r["ref"] == "R03")  # 4 x 4 in the 2021 paper
    assert (r03["score"], r03["band"]) == (16, "extreme")
    peo = all_pages(api, f"{KM}/risks?workstream=PEO&status=open", token)
    assert peo and all(r["workstream"] == "PEO" and r["status"] == "open" for r in peo)


def test_risk_bands_follow_the_configuration(
    app: Flask, api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "RISK_BANDS", "low:1:green, serious:10:amber, top:16:red")
    bands = {r["score"]: r["band"] for r in all_pages(api, f"{KM}/risks", token_for(ADMIN))}
    assert bands[16] == "top"
    for score, band in bands.items():
        assert band == ("top" if score >= 16 else "serious" if score >= 10 else "low"), score


def test_status_updates_up_to_this_week(api: FlaskClient) -> None:
    token = token_for(BOARD_MEMBER)
    items = all_pages(api, f"{KM}/status-updates", token)
    stored = db.session.scalars(
        sa.select(StatusUpdate).where(StatusUpdate.week_start <= TODAY)
    ).all()
    assert len(items) == len(stored)
    weeks = [u["week_start"] for u in items]
    assert weeks == sorted(weeks, reverse=True) and weeks[0] <= "2022-04-04"
    gov = all_pages(api, f"{KM}/status-updates?workstream=gov", token)
    assert gov and all(u["workstream"] == "GOV" for u in gov)
    assert gov[0]["author"] == "Mike Gilbert"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=two", "page"),
        ("page=" + "9" * 5000, "page"),
        ("per_page=201", "per_page"),
        ("per_page=-5", "per_page"),
        ("status=done", "status"),
        ("rag=purple", "rag"),
        ("workstream=XYZ", "workstream"),
        ("critical=maybe", "critical"),
    ],
)
def test_bad_query_parameters_are_named(api: FlaskClient, query: str, field: str) -> None:
    response = api.get(f"{KM}/milestones?{query}", headers=bearer(token_for(BOARD_MEMBER)))
    error = error_of(response, 400)
    assert (error["code"], error["field"]) == ("bad_request", field)
    assert field in error["message"] or "XYZ" in error["message"]


def test_not_found_and_wrong_method_in_the_error_shape(api: FlaskClient) -> None:
    token = token_for(BOARD_MEMBER)
    error = error_of(api.get(f"{API}/programmes/nowhere", headers=bearer(token)), 404)
    assert error == {
        "code": "not_found",
        "message": "There is no programme called 'nowhere'.",
        "field": None,
    }
    error = error_of(api.get(f"{KM}/milestones/PEO-99", headers=bearer(token)), 404)
    assert "PEO-99" in error["message"]
    # Addresses no route matches are answered before any token is looked at.
    assert error_of(api.get(f"{API}/nothing-here"), 404)["code"] == "not_found"
    response = api.delete(f"{API}/programmes", headers=bearer(token))
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]
    # The pages keep their HTML error page.
    assert api.get("/nothing-here").mimetype == "text/html"


# --- changing progress --------------------------------------------------------------------


def test_the_programme_office_completes_any_milestone(api: FlaskClient) -> None:
    version = milestone("GOV-10").version
    response = api.post(
        f"{KM}/milestones/GOV-10/complete",
        headers=bearer(token_for(ADMIN)),
        json={
            "completed_on": "2022-04-01",
            "evidence_text": "Policies approved by the shadow board",
            "evidence_url": "https://example.org/board-papers",
            "version": version,
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "complete" and body["rag"] == "blue"
    assert body["completed_by"] == ADMIN_NAME and body["version"] == version + 1
    stored = milestone("GOV-10")
    assert (stored.status, stored.completed_on) == ("complete", date(2022, 4, 1))
    assert stored.evidence_url == "https://example.org/board-papers"
    assert stored.forecast_date is None  # done is done
    changes = [e for e in audit_for("GOV-10") if e.field == "status"]
    admin = accounts.user_by_email(ADMIN)
    assert admin is not None
    assert (changes[-1].actor, changes[-1].user_id) == (ADMIN_NAME, admin.id)
    assert changes[-1].new_value == "complete"


def test_a_lead_completes_and_forecasts_in_their_own_workstream(api: FlaskClient) -> None:
    token = token_for(LEAD)
    response = api.post(
        f"{KM}/milestones/PEO-05/forecast",
        headers=bearer(token),
        json={"forecast_date": "2022-06-10", "reason": "Payroll cut-over moved by ESR"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["forecast_date"] == "2022-06-10"
    assert body["forecast_due"] >= "2022-06-10"  # the schedule takes the lead's forecast
    stored = milestone("PEO-05")
    assert stored.forecast_date == date(2022, 6, 10)
    assert stored.forecast_reason == "Payroll cut-over moved by ESR"
    assert audit_for("PEO-05")[-1].actor == LEAD_NAME
    response = api.post(
        f"{KM}/milestones/PEO-05/complete",
        headers=bearer(token),
        json={"completed_on": "2022-04-04"},
    )
    assert response.status_code == 200, response.get_json()
    stored = milestone("PEO-05")
    assert stored.status == "complete" and stored.completed_by.name == LEAD_NAME


@pytest.mark.parametrize(
    ("email", "ref"),
    [(BOARD_MEMBER, "PEO-05"), (BOARD_MEMBER, "GOV-10"), (LEAD, "GOV-10"), (OTHER_LEAD, "PEO-05")],
)
@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("complete", {"completed_on": "2022-04-01", "evidence_text": "Done"}),
        ("forecast", {"forecast_date": "2022-06-10", "reason": "Later"}),
    ],
)
def test_who_may_not_change_progress_changes_nothing(
    api: FlaskClient, email: str, ref: str, action: str, body: dict[str, str]
) -> None:
    token = token_for(email)
    before = snapshot(ref)
    response = api.post(f"{KM}/milestones/{ref}/{action}", headers=bearer(token), json=body)
    error = error_of(response, 403)
    assert error["code"] == "forbidden" and ref in error["message"]
    assert snapshot(ref) == before


def test_a_stale_version_is_refused_with_409(api: FlaskClient) -> None:
    token = token_for(LEAD)
    current = milestone("PEO-05").version
    # Someone else saves first.
    api.post(
        f"{KM}/milestones/PEO-05/forecast",
        headers=bearer(token_for(ADMIN)),
        json={"forecast_date": "2022-06-03", "reason": "First", "version": current},
    )
    before = snapshot("PEO-05")
    response = api.post(
        f"{KM}/milestones/PEO-05/forecast",
        headers=bearer(token),
        json={"forecast_date": "2022-06-10", "reason": "Second", "version": current},
    )
    error = error_of(response, 409)
    assert (error["code"], error["field"]) == ("conflict", "version")
    assert f"version {current + 1}" in error["message"]
    assert snapshot("PEO-05") == before
    assert milestone("PEO-05").forecast_reason == "First"


@pytest.mark.parametrize(
    ("ref", "action", "body", "field", "words"),
    [
        ("PEO-05", "complete", {}, "completed_on", "Enter the date it was completed"),
        ("PEO-05", "complete", {"completed_on": "2022-04-05"}, "completed_on", "in the future"),
        ("PEO-05", "complete", {"completed_on": "2022-02-31"}, "completed_on", "is not a date"),
        ("PEO-05", "complete", {"completed_on": "1 April 2022"}, "completed_on", "YYYY-MM-DD"),
        (
            "PEO-05",
            "complete",
            {"completed_on": "1999-04-01"},
            "completed_on",
            "The completion date 1 April 1999 is outside the tracker's window: "
            "enter a date from 1 January 2000 to 31 December 2100",
        ),
        ("PEO-09", "complete", {"completed_on": "2022-04-01"}, "evidence_text", "key milestone"),
        (
            "PEO-05",
            "complete",
            {"completed_on": "2022-04-01", "evidence_url": "example.org/x"},
            "evidence_url",
            "https://",
        ),
        (
            "PEO-05",
            "complete",
            {"completed_on": "2022-04-01", "evidence_text": "x" * 4001},
            "evidence_text",
            "at most 4000",
        ),
        ("PEO-01", "complete", {"completed_on": "2022-04-01"}, "status", "already complete"),
        ("PEO-05", "forecast", {"forecast_date": "2022-06-10"}, "reason", "Say why"),
        (
            "PEO-05",
            "forecast",
            {"forecast_date": "2022-04-01", "reason": "x"},
            "forecast_date",
            "in the past",
        ),
        (
            "PEO-05",
            "forecast",
            {"forecast_date": "2099-01-01", "reason": "x"},
            "forecast_date",
            "The forecast date 1 January 2099 is outside the programme's window: "
            "enter a date from 1 July 2016 to 1 July 2027",
        ),
        (
            "PEO-05",
            "forecast",
            {"forecast_date": "2022-06-10", "reason": "a\x00b"},
            "reason",
            "not text",
        ),
    ],
)
def test_broken_rules_are_422_naming_the_field(
    api: FlaskClient, ref: str, action: str, body: dict[str, Any], field: str, words: str
) -> None:
    token = token_for(ADMIN)
    before = snapshot(ref)
    response = api.post(f"{KM}/milestones/{ref}/{action}", headers=bearer(token), json=body)
    error = error_of(response, 422)
    assert (error["code"], error["field"]) == ("validation_error", field)
    assert words in error["message"]
    assert snapshot(ref) == before


def test_several_broken_rules_are_all_listed(api: FlaskClient) -> None:
    response = api.post(
        f"{KM}/milestones/PEO-05/forecast", headers=bearer(token_for(ADMIN)), json={}
    )
    error = error_of(response, 422)
    assert error["field"] == "forecast_date"
    assert [d["field"] for d in error["details"]] == ["forecast_date", "reason"]


# --- dry runs: a change's effect before it is made (docs/forecast-effect.md) ---------------


def test_a_dry_run_forecast_answers_its_effect_and_saves_nothing(api: FlaskClient) -> None:
    token = token_for(LEAD)
    before = snapshot("PEO-14")
    response = api.post(
        f"{KM}/milestones/PEO-14/forecast?dry_run=true",
        headers=bearer(token),
        json={"forecast_date": "2022-07-05", "reason": "Pensions set-up slipped"},
    )
    assert response.status_code == 200, response.get_json()
    effect = response.get_json()
    assert effect["sentence"] == (
        "Saving this moves go-live from 1 July to 5 July 2022 (2 working days late)."
    )
    assert (effect["go_live_before"], effect["go_live_after"]) == ("2022-07-01", "2022-07-05")
    assert (effect["float_before"], effect["slip_after"]) == (3, 2)
    assert (effect["status_before"], effect["status_after"]) == ("at risk", "off track")
    assert effect["uses_slack"] is True and effect["needs_confirming"] is True
    assert effect["ref"] == "PEO-14" and effect["sentences"][0] == effect["sentence"]
    assert {"workstream": "GOV", "before": "amber", "after": "red"} in effect["rag_changes"]
    assert snapshot("PEO-14") == before
    # The same request without the flag makes the change, and answers the milestone.
    response = api.post(
        f"{KM}/milestones/PEO-14/forecast",
        headers=bearer(token),
        json={"forecast_date": "2022-07-05", "reason": "Pensions set-up slipped"},
    )
    assert response.status_code == 200
    assert response.get_json()["forecast_date"] == "2022-07-05"
    assert milestone("PEO-14").forecast_date == date(2022, 7, 5)


def test_a_dry_run_is_checked_as_the_change_would_be(api: FlaskClient) -> None:
    lead, board = token_for(LEAD), token_for(BOARD_MEMBER)
    before = snapshot("PEO-14")
    url = f"{KM}/milestones/PEO-14/forecast?dry_run=true"
    error = error_of(api.post(url, headers=bearer(lead), json={"forecast_date": "2022-07-05"}), 422)
    assert error["field"] == "reason"
    stale = {"forecast_date": "2022-07-05", "reason": "x", "version": before[0]["version"] - 1}
    assert error_of(api.post(url, headers=bearer(lead), json=stale), 409)["field"] == "version"
    error = error_of(
        api.post(url, headers=bearer(board), json={"forecast_date": "2022-07-05", "reason": "x"}),
        403,
    )
    assert "PEO-14" in error["message"]
    assert error_of(api.post(f"{url}x", headers=bearer(lead), json={}), 400)["field"] == "dry_run"
    assert snapshot("PEO-14") == before


def test_the_programme_office_changes_a_milestones_dates(api: FlaskClient) -> None:
    token = token_for(ADMIN)
    before = snapshot("PEO-11")
    url = f"{KM}/milestones/PEO-11"
    change = {"planned_start": "2022-06-13", "due_date": "2022-06-30"}
    response = api.patch(f"{url}?dry_run=true", headers=bearer(token), json=change)
    assert response.status_code == 200, response.get_json()
    effect = response.get_json()
    assert effect["ref"] == "PEO-11" and effect["uses_slack"] is True
    assert effect["sentence"].startswith("Saving this moves go-live from 1 July to ")
    assert snapshot("PEO-11") == before

    response = api.patch(url, headers=bearer(token), json=change)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["planned_start"], body["due_date"], body["title"]) == (
        "2022-06-13",
        "2022-06-30",
        before[0]["title"],
    )
    assert audit_for("PEO-11")[-1].actor == ADMIN_NAME


def test_only_the_programme_office_changes_the_plan_and_its_rules_hold(api: FlaskClient) -> None:
    lead, admin = token_for(LEAD), token_for(ADMIN)
    before = snapshot("PEO-11")
    url = f"{KM}/milestones/PEO-11"
    error = error_of(api.patch(url, headers=bearer(lead), json={"due_date": "2022-06-30"}), 403)
    assert "Only the programme office changes the plan" in error["message"]
    error = error_of(
        api.patch(f"{url}?dry_run=true", headers=bearer(admin), json={"due_date": "2022-04-29"}),
        422,
    )
    assert error["field"] in ("due_date", "planned_start")
    assert snapshot("PEO-11") == before


@pytest.mark.parametrize(
    ("data", "content_type", "status", "field"),
    [
        ('{"completed_on": "2022-04-01"', "application/json", 400, None),
        ('["2022-04-01"]', "application/json", 400, None),
        ("null", "application/json", 400, None),
        ('{"completed_on": 20220401}', "application/json", 400, "completed_on"),
        (
            '{"completed_on": "2022-04-01", "evidence_text": 5}',
            "application/json",
            400,
            "evidence_text",
        ),
        ('{"completed_on": "2022-04-01", "version": "3"}', "application/json", 400, "version"),
        ('{"completed_on": "2022-04-01", "version": true}', "application/json", 400, "version"),
        ('{"completed_on": "2022-04-01", "done": true}', "application/json", 400, "done"),
        ("completed_on=2022-04-01", "application/x-www-form-urlencoded", 415, None),
        (
            '{"completed_on": "2022-04-01", "evidence_text": "%s"}' % ("x" * 70_000),
            "application/json",
            413,
            None,
        ),
    ],
)
def test_a_body_that_cannot_be_read_is_refused(
    api: FlaskClient, data: str, content_type: str, status: int, field: str | None
) -> None:
    token = token_for(ADMIN)
    before = snapshot("PEO-05")
    response = api.post(
        f"{KM}/milestones/PEO-05/complete",
        headers={**bearer(token), "Content-Type": content_type},
        data=data,
    )
    assert error_of(response, status)["field"] == field
    assert snapshot("PEO-05") == before


# --- the OpenAPI document -----------------------------------------------------------------


def test_the_document_is_open_valid_openapi_and_lists_every_route(
    app: Flask, api: FlaskClient
) -> None:
    response = api.get(f"{API}/openapi.json")  # no token
    assert response.status_code == 200
    served = response.get_json()
    assert served == json.loads(json.dumps(document()))
    loaded = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    loaded.validate()  # against the OpenAPI 3.0 meta-schema
    documented = {
        (method.upper(), re.sub(r"\{(\w+)\}", r"<\1>", path))
        for path, operations in served["paths"].items()
        for method in operations
    }
    implemented = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert documented == implemented
    assert served["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


# schemathesis generates requests from the document (valid and invalid ones), sends them to
# the app in-process as the programme office, and checks every answer against the document.
# Loaded from the same data the app serves (the test above proves they are equal), because
# the app and its database exist only inside each test.
SCHEMA = schemathesis.openapi.from_dict(json.loads(json.dumps(document())))


@SCHEMA.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the app's transaction spans the examples
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_the_api_keeps_to_its_openapi_document(case: Any, app: Flask, admin_token: str) -> None:
    # The `app` fixture keeps one app context open, and Flask reuses it (and `g`) for each
    # request; empty `g` so each call starts afresh, as conftest's Client does.
    if has_app_context():
        for name in list(vars(g)):
            delattr(g, name)
    case.call_and_validate(
        app=app,
        headers=bearer(admin_token),
        checks=[
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
            content_type_conformance,
        ],
    )
