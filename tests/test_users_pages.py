"""The users pages: only admins reach them; every change is stored and audited with the
admin's name; bad input is named next to its field; nobody locks themselves out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, sign_in_as
from tests.helpers import audit_count, error_for, page, user, workstream_id
from tracker.extensions import db
from tracker.models import AuditEvent, User, WorkstreamLead
from tracker.services import accounts, user_admin

SEED_PASSWORD = "test-password-2022"  # TestingConfig.SEED_USER_PASSWORD
ADMIN_NAME = "Sarah Collins"
NEWCOMER = "nia.okafor@example.org"


def led_codes(email: str) -> set[str]:
    return {ws.code for ws in user_admin.led_workstreams(user(email).person)}


def snapshot() -> tuple[object, ...]:
    """Everything a users page could change."""
    users = db.session.execute(
        sa.select(User.id, User.role, User.is_active, User.password_hash).order_by(User.id)
    ).all()
    links = db.session.execute(
        sa.select(WorkstreamLead.workstream_id, WorkstreamLead.person_id).order_by(
            WorkstreamLead.workstream_id, WorkstreamLead.person_id
        )
    ).all()
    return tuple(users), tuple(links), audit_count()


def user_events(account: User, field: str | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(
        AuditEvent.entity_type == "User", AuditEvent.entity_id == account.id
    )
    if field:
        query = query.where(AuditEvent.field == field)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def signs_in(app: Flask, email: str, password: str) -> bool:
    response = app.test_client().post("/sign-in", data={"email": email, "password": password})
    return bool(response.status_code == 302)


def summary(html: BeautifulSoup) -> list[tuple[str, str]]:
    return [
        (str(a["href"]), a.get_text(strip=True))
        for a in html.select(".nhsuk-error-summary__list a")
    ]


def summary_texts(html: BeautifulSoup) -> list[str]:
    return [li.get_text(strip=True) for li in html.select(".nhsuk-error-summary__list li")]


def temporary_password(html: BeautifulSoup) -> str:
    shown = html.find(id="temporary-password")
    assert shown is not None
    return str(shown.get_text(strip=True))


def session_holds(client: FlaskClient, text: str) -> bool:
    with client.session_transaction() as session:
        return text in repr(dict(session))


# --- The list


def test_the_list_shows_every_account(admin_client: FlaskClient) -> None:
    becca = user(LEAD)
    becca.last_sign_in_at = datetime(2022, 4, 4, 8, 30, tzinfo=UTC)
    board_member = user(BOARD_MEMBER)
    # Browser tests sign in as the board member on the shared seed, so say "never" here.
    board_member.last_sign_in_at = None
    accounts.deactivate(board_member)
    db.session.commit()
    html = page(admin_client.get("/users/"))
    rows = html.select("#users tbody tr")
    assert len(rows) == db.session.scalar(sa.select(sa.func.count()).select_from(User))
    cells = {
        row.find("td").get_text(strip=True): [td.get_text(" ", strip=True) for td in row("td")]
        for row in rows
    }
    assert cells["Becca Bradd"] == [
        "Becca Bradd",
        LEAD,
        "Lead",
        "PEO, MED, ENG",
        "Active",
        "4 April 2022 09:30",  # British Summer Time
    ]
    assert cells["Paul Bentley"][2:] == ["Board", "None", "Deactivated", "Never"]
    assert cells[ADMIN_NAME][2] == "Admin"
    link = html.find("a", string="Becca Bradd")
    assert link["href"] == f"/users/{becca.id}"
    assert html.find("a", string="Add a user")["href"] == "/users/new"


# --- Adding a user


def test_the_new_user_form(admin_client: FlaskClient) -> None:
    html = page(admin_client.get("/users/new"))
    form = html.find("form", action="/users/new")
    assert form.find("input", attrs={"name": "email"})["type"] == "email"
    assert form.find("input", attrs={"name": "name"})
    roles = [i["value"] for i in form.find_all("input", attrs={"name": "role", "type": "radio"})]
    assert roles == ["admin", "lead", "board"]
    boxes = form.find_all("input", attrs={"name": "workstreams", "type": "checkbox"})
    assert len(boxes) == 10
    labels = [form.find("label", attrs={"for": box["id"]}).get_text(strip=True) for box in boxes]
    assert "PEO: ICS leadership, people processes and OD (incl. TUPE staff transfer)" in labels
    assert form.find("input", attrs={"name": "csrf_token"})


def test_an_admin_creates_an_account_and_sees_its_password_once(
    app: Flask, admin_client: FlaskClient
) -> None:
    response = admin_client.post(
        "/users/new",
        data={
            "email": "Nia.Okafor@Example.org",
            "name": "Nia Okafor",
            "role": "lead",
            "workstreams": [str(workstream_id("FIN")), str(workstream_id("DIG"))],
        },
    )
    # Rendered, not redirected: the password must not pass through the session cookie.
    assert response.status_code == 200
    html = page(response)
    password = temporary_password(html)
    assert len(password) >= 16
    assert "change it when they first sign in" in html.get_text(" ", strip=True)
    assert not session_holds(admin_client, password)
    assert password not in response.headers.get("Set-Cookie", "")

    created = user(NEWCOMER)
    assert (created.name, created.role, created.is_active) == ("Nia Okafor", "lead", True)
    assert led_codes(NEWCOMER) == {"FIN", "DIG"}
    [event] = user_events(created)
    assert (event.action, event.actor) == ("create", ADMIN_NAME)
    assert signs_in(app, NEWCOMER, password)
    # Shown once: the list of users does not show it.
    assert password not in admin_client.get("/users/").get_data(as_text=True)


def test_an_account_for_someone_the_plan_names_needs_no_name(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/users/new", data={"email": "mark.reynolds@example.org", "role": "board"}
    )
    assert response.status_code == 200
    assert user("mark.reynolds@example.org").name == "Mark Reynolds"


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        (
            {"email": "not-an-email", "name": "Nia", "role": "lead"},
            "email",
            "'not-an-email' is not an email address, like name@example.org",
        ),
        (
            {"email": LEAD, "name": "Becca", "role": "lead"},
            "email",
            "becca.bradd@example.org already has an account",
        ),
        (
            {"email": NEWCOMER, "name": "", "role": "lead"},
            "name",
            f"Enter the name of {NEWCOMER}: nobody has that email yet",
        ),
        (
            {"email": NEWCOMER, "name": "Nia", "role": "owner"},
            "role",
            "'owner' must be admin, lead or board",
        ),
        ({"email": NEWCOMER, "name": "Nia"}, "role", "Choose a role"),
        ({"email": "", "name": "Nia", "role": "lead"}, "email", "Enter their email address"),
    ],
    ids=["not-an-email", "has-an-account", "no-name", "unknown-role", "no-role", "no-email"],
)
def test_bad_input_for_a_new_user_is_named_and_nothing_is_saved(
    admin_client: FlaskClient, data: dict[str, str], field_id: str, message: str
) -> None:
    before = snapshot()
    data = {**data, "workstreams": str(workstream_id("GOV"))}
    response = admin_client.post("/users/new", data=data)
    assert response.status_code == 200
    html = page(response)
    assert html.title.get_text().startswith("Error: ")
    assert error_for(html, field_id) == message
    anchor = "#role-1" if field_id == "role" else f"#{field_id}"
    assert (anchor, message) in summary(html)
    # What was typed is kept.
    if data["email"]:
        assert html.find("input", attrs={"name": "email"})["value"] == data["email"]
    assert html.find("input", attrs={"name": "name"})["value"] == data["name"]
    assert html.find("input", attrs={"name": "workstreams", "value": str(workstream_id("GOV"))})
    assert html.find(
        "input", attrs={"name": "workstreams", "value": str(workstream_id("GOV"))}
    ).has_attr("checked")
    assert html.find(id="temporary-password") is None
    assert snapshot() == before


# --- Changing an account


def test_the_edit_page_shows_the_account_as_it_is(admin_client: FlaskClient) -> None:
    becca = user(LEAD)
    html = page(admin_client.get(f"/users/{becca.id}"))
    assert html.h1.get_text(strip=True) == "Becca Bradd"
    checked_role = html.find("input", attrs={"name": "role", "checked": True})
    assert checked_role["value"] == "lead"
    ticked = {
        int(box["value"])
        for box in html.find_all("input", attrs={"name": "workstreams", "checked": True})
    }
    assert ticked == {workstream_id(c) for c in ("PEO", "MED", "ENG")}
    actions = {form["action"] for form in html.select("form.tracker-inline-form")}
    assert f"/users/{becca.id}/deactivate" in actions
    assert f"/users/{becca.id}/reset-password" in actions


def test_an_admin_changes_role_and_workstreams(admin_client: FlaskClient) -> None:
    becca = user(LEAD)
    last_before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    response = admin_client.post(
        f"/users/{becca.id}",
        data={
            "role": "board",
            "workstreams": [str(workstream_id("GOV"))],
            "version": str(becca.version),
        },
    )
    assert response.status_code == 302
    assert response.location == "/users/"
    assert becca.role == "board"
    assert led_codes(LEAD) == {"GOV"}
    [change] = user_events(becca, "role")
    assert (change.old_value, change.new_value, change.actor) == ("lead", "board", ADMIN_NAME)
    lead_changes = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "WorkstreamLead", AuditEvent.id > last_before
        )
    ).all()
    assert {(e.action, e.entity_label, e.actor) for e in lead_changes} == {
        ("delete", "PEO lead Becca Bradd", ADMIN_NAME),
        ("delete", "MED lead Becca Bradd", ADMIN_NAME),
        ("delete", "ENG lead Becca Bradd", ADMIN_NAME),
        ("create", "GOV lead Becca Bradd", ADMIN_NAME),
    }
    listing = page(admin_client.get("/users/"))
    assert "Saved the role and workstreams of Becca Bradd." in listing.get_text(" ", strip=True)


def test_an_unknown_role_on_the_edit_page_is_named(admin_client: FlaskClient) -> None:
    becca = user(LEAD)
    before = snapshot()
    response = admin_client.post(
        f"/users/{becca.id}", data={"role": "owner", "version": str(becca.version)}
    )
    html = page(response)
    assert response.status_code == 200
    assert error_for(html, "role") == "'owner' must be admin, lead or board"
    assert snapshot() == before


def test_an_admin_cannot_remove_their_own_admin_role(admin_client: FlaskClient) -> None:
    me = user(ADMIN)
    before = snapshot()
    response = admin_client.post(
        f"/users/{me.id}", data={"role": "lead", "version": str(me.version)}
    )
    assert response.status_code == 200
    html = page(response)
    message = "You cannot remove your own admin role: ask another admin to do it"
    assert error_for(html, "role") == message
    assert ("#role-1", message) in summary(html)
    assert snapshot() == before
    assert me.role == "admin"


def test_an_admin_deactivates_and_reactivates_an_account(
    app: Flask, admin_client: FlaskClient
) -> None:
    becca = user(LEAD)
    response = admin_client.post(f"/users/{becca.id}/deactivate")
    assert response.status_code == 302
    assert response.location == f"/users/{becca.id}"
    assert not becca.is_active
    [change] = user_events(becca, "is_active")
    assert (change.new_value, change.actor) == ("no", ADMIN_NAME)
    assert not signs_in(app, LEAD, SEED_PASSWORD)
    html = page(admin_client.get(response.location))
    assert "Becca Bradd can no longer sign in." in html.get_text(" ", strip=True)
    assert html.find(id="account-status").get_text(" ", strip=True).startswith("Deactivated")
    assert html.find("form", action=f"/users/{becca.id}/reactivate")

    response = admin_client.post(f"/users/{becca.id}/reactivate")
    assert response.status_code == 302
    assert becca.is_active
    assert [e.new_value for e in user_events(becca, "is_active")] == ["no", "yes"]
    assert user_events(becca, "is_active")[-1].actor == ADMIN_NAME
    assert signs_in(app, LEAD, SEED_PASSWORD)


def test_an_admin_cannot_deactivate_themselves(admin_client: FlaskClient) -> None:
    me = user(ADMIN)
    html = page(admin_client.get(f"/users/{me.id}"))
    assert html.find("form", action=f"/users/{me.id}/deactivate") is None
    before = snapshot()
    response = admin_client.post(f"/users/{me.id}/deactivate")
    assert response.status_code == 200
    html = page(response)
    assert html.title.get_text().startswith("Error: ")
    assert "You cannot deactivate your own account: ask another admin to do it" in summary_texts(
        html
    )
    assert snapshot() == before
    assert me.is_active
    # Still signed in.
    assert admin_client.get("/users/").status_code == 200


def test_an_admin_resets_a_password_and_sees_the_new_one_once(
    app: Flask, admin_client: FlaskClient
) -> None:
    becca = user(LEAD)
    response = admin_client.post(f"/users/{becca.id}/reset-password")
    assert response.status_code == 200
    html = page(response)
    password = temporary_password(html)
    assert "New password for Becca Bradd" in html.h1.get_text(strip=True)
    assert not session_holds(admin_client, password)
    [change] = user_events(becca, "password_hash")
    assert (change.new_value, change.actor) == ("(set)", ADMIN_NAME)
    assert not signs_in(app, LEAD, SEED_PASSWORD)
    assert signs_in(app, LEAD, password)


def test_an_admin_resets_their_own_password_elsewhere(admin_client: FlaskClient) -> None:
    me = user(ADMIN)
    before = snapshot()
    response = admin_client.post(f"/users/{me.id}/reset-password")
    html = page(response)
    assert html.find(id="temporary-password") is None
    assert any("Change your password" in text for text in summary_texts(html))
    assert snapshot() == before


def test_an_unknown_user_is_not_found(admin_client: FlaskClient) -> None:
    assert admin_client.get("/users/999999").status_code == 404
    assert admin_client.post("/users/999999/deactivate").status_code == 404


# --- Nobody but an admin


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER], ids=["lead", "board"])
def test_leads_and_board_members_are_refused_everything(app: Flask, email: str) -> None:
    client = sign_in_as(app.test_client(), email)
    becca, admin = user(LEAD), user(ADMIN)
    before = snapshot()
    gets = ["/users/", "/users/new", f"/users/{becca.id}", f"/users/{admin.id}"]
    posts: list[tuple[str, dict[str, Any]]] = [
        ("/users/new", {"email": NEWCOMER, "name": "Nia Okafor", "role": "admin"}),
        (f"/users/{becca.id}", {"role": "admin", "workstreams": [str(workstream_id("GOV"))]}),
        (f"/users/{admin.id}", {"role": "board"}),
        (f"/users/{becca.id}/deactivate", {}),
        (f"/users/{admin.id}/deactivate", {}),
        (f"/users/{becca.id}/reactivate", {}),
        (f"/users/{becca.id}/reset-password", {}),
        (f"/users/{admin.id}/reset-password", {}),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code == 403, url
        assert 'id="temporary-password"' not in response.get_data(as_text=True)
    assert snapshot() == before
    assert accounts.user_by_email(NEWCOMER) is None


def test_only_admins_see_the_users_link(role_client: FlaskClient) -> None:
    html = page(role_client.get("/p/kent-and-medway/"))
    has_link = html.find("a", href="/users/") is not None
    assert has_link == (role_client.role == "admin")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "email", ["nia okafor@example.org", "nia@localhost", "nia@@example.org", "nia@example..org"]
)
def test_an_address_that_is_not_one_is_named(admin_client: FlaskClient, email: str) -> None:
    before = snapshot()
    response = admin_client.post("/users/new", data={"email": email, "name": "Nia", "role": "lead"})
    assert response.status_code == 200
    message = f"'{email}' is not an email address, like name@example.org"
    assert error_for(page(response), "email") == message
    assert snapshot() == before


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER], ids=["lead", "board"])
def test_the_services_themselves_refuse_anyone_but_an_admin(app: Flask, email: str) -> None:
    from tracker.services.unit_of_work import ChangeRefused, Refusal

    actor = accounts.viewer_for(user(email))
    becca = user(LEAD)
    before = snapshot()
    changes = [
        lambda: user_admin.create_account(actor, NEWCOMER, "admin", "a long password", name="Nia"),
        lambda: user_admin.change_account(actor, becca, "admin"),
        lambda: user_admin.deactivate_account(actor, becca),
        lambda: user_admin.reactivate_account(actor, becca),
        lambda: user_admin.reset_password(actor, becca),
    ]
    for change in changes:
        with pytest.raises(ChangeRefused) as refused:
            change()
        assert refused.value.refusal is Refusal.NOT_ALLOWED
    assert snapshot() == before
