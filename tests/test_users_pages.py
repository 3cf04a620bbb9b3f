"""The users pages (/users/): only instance administrators reach them; an account is made with
a role in one programme (or as an instance administrator), and its edit page only says whether
it is an instance administrator. Every change is stored and audited with the administrator's
name; bad input is named next to its field and saves nothing; nobody locks themselves out; a
temporary password is shown once and never kept.

Seeded: Sarah Collins (ADMIN) is an instance administrator and an admin of Kent and Medway;
Becca Bradd (LEAD) leads PEO, MED and ENG there; Paul Bentley (BOARD_MEMBER) is on its board.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN, BOARD_MEMBER, DEMO_TODAY, LEAD, sign_in_as
from tests.helpers import (
    SEED_SLUG,
    audit_count,
    count,
    error_for,
    join,
    page,
    programme,
    soup,
    user,
    workstream_id,
)
from tracker.domain.permissions import Viewer
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Membership,
    Person,
    Programme,
    User,
    Workstream,
    WorkstreamLead,
)
from tracker.services import accounts, memberships, user_admin
from tracker.services.synthetic import generate_programme
from tracker.services.unit_of_work import ChangeRefused, Refusal

SEED_PASSWORD = "test-password-2022"  # TestingConfig.SEED_USER_PASSWORD
ADMIN_NAME = "Sarah Collins"
KENT = "Kent and Medway CCG to ICB transition"
NEWCOMER = "nia.okafor@example.org"
OTHER = "synthetic-5"
OTHER_NAME = "Synthetic ICB"
# Acts for the whole instance, as the command line does: nobody in particular.
OPERATOR = Viewer(instance_admin=True)


def led_codes(email: str) -> set[str]:
    return {ws.code for ws in user_admin.led_workstreams(user(email).person)}


def roles_of(email: str) -> dict[str, str]:
    """Their role in each programme they belong to, by programme slug."""
    return {m.programme.slug: m.role for m in memberships.memberships_of(user(email).person)}


def snapshot() -> tuple[object, ...]:
    """Everything a users page could change."""
    users = db.session.execute(
        sa.select(
            User.id, User.is_instance_admin, User.is_active, User.password_hash, User.version
        ).order_by(User.id)
    ).all()
    roles = db.session.execute(
        sa.select(Membership.person_id, Membership.programme_id, Membership.role).order_by(
            Membership.person_id, Membership.programme_id
        )
    ).all()
    links = db.session.execute(
        sa.select(WorkstreamLead.workstream_id, WorkstreamLead.person_id).order_by(
            WorkstreamLead.workstream_id, WorkstreamLead.person_id
        )
    ).all()
    return tuple(users), tuple(roles), tuple(links), count(Person), audit_count()


def events(entity_type: str, entity_id: int, field: str | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(
        AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id
    )
    if field:
        query = query.where(AuditEvent.field == field)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def user_events(account: User, field: str | None = None) -> list[AuditEvent]:
    return events("User", account.id, field)


def events_after(last: int | None, entity_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.id > (last or 0))
            .order_by(AuditEvent.id)
        )
    )


def last_event_id() -> int | None:
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))


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


def account_rows(html: BeautifulSoup) -> dict[str, list[str]]:
    """The list's cells by name, without the headings repeated in each cell for small
    screens (hidden from screen readers, which read the table's own)."""
    for heading in html.select("#users .nhsuk-table__heading"):
        assert heading["aria-hidden"] == "true"
        heading.decompose()
    for line_break in html.select("#users wbr"):  # where an address may wrap
        line_break.decompose()
    html.smooth()
    rows = html.select("#users tbody tr")
    cells = {
        row.find("td").get_text(strip=True): [td.get_text(" ", strip=True) for td in row("td")]
        for row in rows
    }
    assert len(cells) == len(rows)
    return cells


def ticked(html: BeautifulSoup, name: str) -> set[str]:
    return {str(i["value"]) for i in html.find_all("input", attrs={"name": name, "checked": True})}


def edit_data(account: User, instance_admin: str) -> dict[str, str]:
    return {"instance_admin": instance_admin, "version": str(account.version)}


@pytest.fixture()
def other(app: Flask) -> Programme:
    """A second programme, whose workstream codes repeat Kent and Medway's (GOV, PEO...)."""
    generate_programme(slug=OTHER, milestones=12, today=DEMO_TODAY, seed=5, name=OTHER_NAME)
    db.session.commit()
    return programme(OTHER)


def other_workstream(code: str) -> Workstream:
    found = db.session.scalar(
        sa.select(Workstream)
        .join(Programme)
        .where(Programme.slug == OTHER, Workstream.code == code)
    )
    assert found is not None, code
    return found


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
    assert html.h1.get_text(strip=True) == "Users"
    cells = account_rows(html)
    assert len(cells) == count(User)
    assert cells["Becca Bradd"] == [
        "Becca Bradd",
        LEAD,
        "Lead",
        "PEO, MED, ENG",
        "Active",
        "4 April 2022 09:30 BST",
    ]
    assert cells["Paul Bentley"][2:] == ["Board", "None", "Deactivated", "Never"]
    assert cells[ADMIN_NAME][2] == "Instance administrator; Admin"
    link = html.find("a", string="Becca Bradd")
    assert link["href"] == f"/users/{becca.id}"
    assert html.find("a", string="Add a user")["href"] == "/users/new"
    headers = [th.get_text(strip=True) for th in html.select("#users thead th[scope=col]")]
    assert headers == ["Name", "Email", "Roles", "Workstreams led", "Status", "Last sign-in"]


def test_with_several_programmes_the_list_names_each_role_s_programme(
    admin_client: FlaskClient, other: Programme
) -> None:
    join(LEAD, OTHER, "board")
    with_no_programme = user_admin.create_account(
        OPERATOR, NEWCOMER, "a long password", name="Nia Okafor", instance_admin=True
    )
    html = page(admin_client.get("/users/"))
    cells = account_rows(html)
    # By programme name: Kent and Medway's before the synthetic one.
    assert cells["Becca Bradd"][2] == f"Lead ({KENT}); Board ({OTHER_NAME})"
    assert cells["Becca Bradd"][3] == f"PEO ({KENT}), MED ({KENT}), ENG ({KENT})"
    assert cells[ADMIN_NAME][2] == f"Instance administrator; Admin ({KENT})"
    assert cells[with_no_programme.name][2] == "Instance administrator"


# --- Adding a user


def test_the_new_user_form(admin_client: FlaskClient) -> None:
    html = soup(admin_client, "/users/new")
    assert html.title.get_text().startswith("Add a user")
    form = html.find("form", action="/users/new")
    assert form.find("input", attrs={"name": "email"})["type"] == "email"
    assert form.find("input", attrs={"name": "name"})
    options = [o["value"] for o in form.find("select", attrs={"name": "programme"})("option")]
    assert options == ["", SEED_SLUG]
    roles = [i["value"] for i in form.find_all("input", attrs={"name": "role", "type": "radio"})]
    assert roles == ["admin", "lead", "board", "viewer"]
    boxes = form.find_all("input", attrs={"name": "workstreams", "type": "checkbox"})
    assert len(boxes) == 10
    labels = [form.find("label", attrs={"for": box["id"]}).get_text(strip=True) for box in boxes]
    assert "PEO: ICS leadership, people processes and OD (incl. TUPE staff transfer)" in labels
    admin_radios = form.find_all("input", attrs={"name": "instance_admin", "type": "radio"})
    assert [(i["value"], i.has_attr("checked")) for i in admin_radios] == [
        ("no", True),
        ("yes", False),
    ]
    assert form.find("input", attrs={"name": "csrf_token"})


def test_an_admin_creates_an_account_and_sees_its_password_once(
    app: Flask, admin_client: FlaskClient
) -> None:
    last = last_event_id()
    response = admin_client.post(
        "/users/new",
        data={
            "email": "Nia.Okafor@Example.org",
            "name": "Nia Okafor",
            "programme": SEED_SLUG,
            "role": "lead",
            "workstreams": [str(workstream_id("FIN")), str(workstream_id("DIG"))],
            "instance_admin": "no",
        },
    )
    # Rendered, not redirected: the password must not pass through the session cookie.
    assert response.status_code == 200
    html = page(response)
    password = temporary_password(html)
    assert len(password) >= 16
    assert "Account created for Nia Okafor" in html.h1.get_text(strip=True)
    assert "change it when they first sign in" in html.get_text(" ", strip=True)
    assert not session_holds(admin_client, password)
    assert password not in response.headers.get("Set-Cookie", "")
    assert response.headers["Cache-Control"] == "no-store"

    created = user(NEWCOMER)
    assert (created.name, created.is_instance_admin, created.is_active) == (
        "Nia Okafor",
        False,
        True,
    )
    assert roles_of(NEWCOMER) == {SEED_SLUG: "lead"}
    assert led_codes(NEWCOMER) == {"FIN", "DIG"}
    # As the rules see her: a lead of those two.
    assert accounts.viewer_for(created).led_workstream_ids == {
        workstream_id("FIN"),
        workstream_id("DIG"),
    }
    [event] = user_events(created)
    assert (event.action, event.actor) == ("create", ADMIN_NAME)
    [joined] = events_after(last, "Membership")
    assert (joined.action, joined.entity_label, joined.actor) == (
        "create",
        "Nia Okafor (lead)",
        ADMIN_NAME,
    )
    assert {(e.action, e.entity_label, e.actor) for e in events_after(last, "WorkstreamLead")} == {
        ("create", "FIN lead Nia Okafor", ADMIN_NAME),
        ("create", "DIG lead Nia Okafor", ADMIN_NAME),
    }
    assert signs_in(app, NEWCOMER, password)
    # Shown once: the list of users and the account's page do not show it.
    assert password not in admin_client.get("/users/").get_data(as_text=True)
    assert password not in admin_client.get(f"/users/{created.id}").get_data(as_text=True)


def test_a_role_with_no_programme_chosen_is_in_the_only_programme(
    admin_client: FlaskClient,
) -> None:
    response = admin_client.post(
        "/users/new", data={"email": NEWCOMER, "name": "Nia Okafor", "role": "viewer"}
    )
    assert response.status_code == 200
    assert roles_of(NEWCOMER) == {SEED_SLUG: "viewer"}


def test_an_account_for_someone_the_plan_names_needs_no_name(admin_client: FlaskClient) -> None:
    people = count(Person)
    response = admin_client.post(
        "/users/new",
        data={"email": "mark.reynolds@example.org", "programme": SEED_SLUG, "role": "board"},
    )
    assert response.status_code == 200
    assert user("mark.reynolds@example.org").name == "Mark Reynolds"
    assert count(Person) == people  # the same person, given an account


def test_an_instance_administrator_needs_no_programme(
    app: Flask, admin_client: FlaskClient
) -> None:
    response = admin_client.post(
        "/users/new", data={"email": NEWCOMER, "name": "Nia Okafor", "instance_admin": "yes"}
    )
    assert response.status_code == 200
    created = user(NEWCOMER)
    assert created.is_instance_admin
    assert roles_of(NEWCOMER) == {}
    [event] = user_events(created)
    assert (event.action, event.actor) == ("create", ADMIN_NAME)
    # They manage accounts at once.
    newcomer = sign_in_as(app.test_client(), NEWCOMER)
    assert newcomer.get("/users/").status_code == 200
    html = soup(admin_client, f"/users/{created.id}")
    assert "They are not a member of any programme." in html.get_text(" ", strip=True)
    assert ticked(html, "instance_admin") == {"yes"}


def test_an_instance_administrator_may_also_hold_a_role(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/users/new",
        data={
            "email": NEWCOMER,
            "name": "Nia Okafor",
            "programme": SEED_SLUG,
            "role": "admin",
            "instance_admin": "yes",
        },
    )
    assert response.status_code == 200
    assert user(NEWCOMER).is_instance_admin
    assert roles_of(NEWCOMER) == {SEED_SLUG: "admin"}


GOV = "GOV"


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        (
            {"email": "not-an-email", "name": "Nia", "role": "lead", "workstreams": GOV},
            "email",
            "'not-an-email' is not an email address, like name@example.org",
        ),
        (
            {"email": LEAD, "name": "Becca", "role": "lead", "workstreams": GOV},
            "email",
            "becca.bradd@example.org already has an account",
        ),
        (
            {"email": NEWCOMER, "name": "", "role": "lead", "workstreams": GOV},
            "name",
            f"Enter the name of {NEWCOMER}: nobody has that email yet",
        ),
        (
            {"email": NEWCOMER, "name": "Nia", "role": "owner", "workstreams": GOV},
            "role",
            "'owner' must be admin, lead, board or viewer",
        ),
        (
            {"email": NEWCOMER, "name": "Nia"},
            "programme",
            "Choose a programme for them, or make them an instance administrator",
        ),
        (
            {"email": NEWCOMER, "name": "Nia", "programme": SEED_SLUG, "workstreams": GOV},
            "role",
            f"Choose their role in {KENT}",
        ),
        (
            # Workstreams ticked say a programme is meant (the only one): never dropped.
            {"email": NEWCOMER, "name": "Nia", "instance_admin": "yes", "workstreams": GOV},
            "role",
            f"Choose their role in {KENT}",
        ),
        (
            {"email": NEWCOMER, "name": "Nia", "programme": "nowhere", "role": "lead"},
            "programme",
            f"There is no programme 'nowhere'; choose from {SEED_SLUG}",
        ),
        (
            {"email": NEWCOMER, "name": "Nia", "role": "lead", "instance_admin": "maybe"},
            "instance_admin",
            "Choose whether they are an instance administrator: yes or no",
        ),
        (
            {"email": "", "name": "Nia", "role": "lead", "workstreams": GOV},
            "email",
            "Enter an email address",
        ),
    ],
    ids=[
        "not-an-email",
        "has-an-account",
        "no-name",
        "unknown-role",
        "no-programme",
        "no-role",
        "workstreams-but-no-role",
        "unknown-programme",
        "neither-yes-nor-no",
        "no-email",
    ],
)
def test_bad_input_for_a_new_user_is_named_and_nothing_is_saved(
    admin_client: FlaskClient, data: dict[str, str], field_id: str, message: str
) -> None:
    before = snapshot()
    if "workstreams" in data:
        data = {**data, "workstreams": str(workstream_id(data["workstreams"]))}
    response = admin_client.post("/users/new", data=data)
    assert response.status_code == 200
    html = page(response)
    assert html.title.get_text().startswith("Error: ")
    assert error_for(html, field_id) == message
    grouped = field_id in ("role", "instance_admin")  # radios: the first option
    anchor = f"#{field_id}-1" if grouped else f"#{field_id}"
    assert (anchor, message) in summary(html)
    assert html.find(id=anchor.removeprefix("#")) is not None
    # What was typed is kept.
    if data["email"]:
        assert html.find("input", attrs={"name": "email"})["value"] == data["email"]
    assert html.find("input", attrs={"name": "name"})["value"] == data["name"]
    if "workstreams" in data:
        assert ticked(html, "workstreams") == {data["workstreams"]}
    if data.get("programme") == SEED_SLUG:
        chosen = html.find("select", attrs={"name": "programme"}).find("option", selected=True)
        assert chosen["value"] == SEED_SLUG
    assert html.find(id="temporary-password") is None
    assert snapshot() == before


def test_every_problem_with_a_new_user_is_named_at_once(admin_client: FlaskClient) -> None:
    before = snapshot()
    response = admin_client.post(
        "/users/new",
        data={"email": "not-an-email", "name": "Nia", "programme": "nowhere", "role": "owner"},
    )
    html = page(response)
    assert summary(html) == [
        ("#email", "'not-an-email' is not an email address, like name@example.org"),
        ("#programme", f"There is no programme 'nowhere'; choose from {SEED_SLUG}"),
        ("#role-1", "'owner' must be admin, lead, board or viewer"),
    ]
    assert snapshot() == before


def test_a_workstream_of_another_programme_is_refused(
    admin_client: FlaskClient, other: Programme
) -> None:
    html = soup(admin_client, "/users/new")
    labels = [label.get_text(strip=True) for label in html.select(".nhsuk-checkboxes__label")]
    # Codes repeat across programmes: each box names its programme.
    assert f"GOV: Governance and decision making changes and transition ({KENT})" in labels
    assert f"GOV: Governance and constitution ({OTHER_NAME})" in labels
    before = snapshot()
    theirs = other_workstream("GOV")
    response = admin_client.post(
        "/users/new",
        data={
            "email": NEWCOMER,
            "name": "Nia Okafor",
            "programme": SEED_SLUG,
            "role": "lead",
            "workstreams": [str(workstream_id("PEO")), str(theirs.id)],
        },
    )
    assert response.status_code == 200
    message = f"GOV ({OTHER_NAME}): not a workstream of {KENT}, the programme they join"
    assert error_for(page(response), "workstreams") == message
    assert snapshot() == before
    assert accounts.user_by_email(NEWCOMER) is None


def test_with_several_programmes_a_role_needs_one_chosen(
    admin_client: FlaskClient, other: Programme
) -> None:
    before = snapshot()
    response = admin_client.post(
        "/users/new", data={"email": NEWCOMER, "name": "Nia Okafor", "role": "board"}
    )
    assert error_for(page(response), "programme") == (
        f"Say which programme: one of {SEED_SLUG}, {OTHER}"
    )
    assert snapshot() == before
    response = admin_client.post(
        "/users/new",
        data={"email": NEWCOMER, "name": "Nia Okafor", "programme": OTHER, "role": "board"},
    )
    assert response.status_code == 200
    assert roles_of(NEWCOMER) == {OTHER: "board"}


def test_a_retired_workstream_is_not_offered_and_nobody_new_leads_it(
    admin_client: FlaskClient,
) -> None:
    engagement = db.session.get(Workstream, workstream_id("ENG"))
    assert engagement is not None
    engagement.retired_on = date(2022, 4, 1)
    db.session.commit()
    html = soup(admin_client, "/users/new")
    offered = {str(i["value"]) for i in html.find_all("input", attrs={"name": "workstreams"})}
    assert str(engagement.id) not in offered
    assert len(offered) == 9
    before = snapshot()
    response = admin_client.post(
        "/users/new",
        data={
            "email": NEWCOMER,
            "name": "Nia",
            "programme": SEED_SLUG,
            "role": "lead",
            "workstreams": str(engagement.id),
        },
    )
    assert response.status_code == 200
    assert error_for(page(response), "workstreams")
    # The service's own rule, whatever a form offers.
    with pytest.raises(ChangeRefused) as refused:
        user_admin.create_account(
            OPERATOR,
            NEWCOMER,
            "a long password",
            name="Nia",
            first=user_admin.FirstRole("lead", SEED_SLUG, [engagement.id]),
        )
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("workstreams", "ENG is retired: nobody new leads it")
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    "email", ["nia okafor@example.org", "nia@localhost", "nia@@example.org", "nia@example..org"]
)
def test_an_address_that_is_not_one_is_named(admin_client: FlaskClient, email: str) -> None:
    before = snapshot()
    response = admin_client.post(
        "/users/new",
        data={"email": email, "name": "Nia", "programme": SEED_SLUG, "role": "lead"},
    )
    assert response.status_code == 200
    message = f"'{email}' is not an email address, like name@example.org"
    assert error_for(page(response), "email") == message
    assert snapshot() == before


# --- An account's page


def test_the_edit_page_shows_the_account_as_it_is(admin_client: FlaskClient) -> None:
    becca = user(LEAD)
    html = soup(admin_client, f"/users/{becca.id}")
    assert html.h1.get_text(strip=True) == "Becca Bradd"
    form = html.find("form", action=f"/users/{becca.id}")
    assert ticked(form, "instance_admin") == {"no"}
    assert form.find("input", attrs={"name": "version"})["value"] == str(becca.version)
    # Roles are changed on each programme's people page, not here.
    assert form.find("input", attrs={"name": "role"}) is None
    assert form.find("input", attrs={"name": "workstreams"}) is None
    rows = {
        row.dt.get_text(strip=True): row.select_one(".nhsuk-summary-list__value").get_text(
            " ", strip=True
        )
        for row in html.select("#memberships .nhsuk-summary-list__row")
    }
    assert rows == {KENT: "Lead, leads PEO, MED, ENG"}
    # Changed where the programme's admins change it.
    change = html.select_one("#memberships .nhsuk-summary-list__actions a")
    assert change["href"] == f"/p/{SEED_SLUG}/people/{becca.person_id}"
    assert change.get_text(" ", strip=True) == f"Change their role in {KENT}"
    assert admin_client.get(change["href"]).status_code == 200
    actions = {form["action"] for form in html.select("form.tracker-inline-form")}
    assert f"/users/{becca.id}/deactivate" in actions
    assert f"/users/{becca.id}/reset-password" in actions


def test_an_admin_makes_someone_an_instance_administrator_and_back(
    app: Flask, admin_client: FlaskClient
) -> None:
    becca = user(LEAD)
    becca_client = sign_in_as(app.test_client(), LEAD)
    assert becca_client.get("/users/").status_code == 403
    response = admin_client.post(f"/users/{becca.id}", data=edit_data(becca, "yes"))
    assert response.status_code == 302
    assert response.location == "/users/"
    assert becca.is_instance_admin
    [change] = user_events(becca, "is_instance_admin")
    assert (change.old_value, change.new_value, change.actor) == ("no", "yes", ADMIN_NAME)
    listing = page(admin_client.get("/users/"))
    assert "Saved Becca Bradd's account." in listing.get_text(" ", strip=True)
    # Still signed in, and now managing accounts; still a lead of Kent and Medway.
    assert becca_client.get("/users/").status_code == 200
    assert roles_of(LEAD) == {SEED_SLUG: "lead"}

    response = admin_client.post(f"/users/{becca.id}", data=edit_data(becca, "no"))
    assert response.status_code == 302
    assert not becca.is_instance_admin
    assert [e.new_value for e in user_events(becca, "is_instance_admin")] == ["yes", "no"]
    assert becca_client.get("/users/").status_code == 403


def test_saving_over_another_administrator_s_change_is_refused(
    admin_client: FlaskClient,
) -> None:
    becca = user(LEAD)
    seen = str(becca.version)
    # Meanwhile, on the command line, she is made an instance administrator.
    user_admin.change_account(OPERATOR, becca, True)
    before = snapshot()
    response = admin_client.post(
        f"/users/{becca.id}", data={"instance_admin": "no", "version": seen}
    )
    assert response.status_code == 200
    html = page(response)
    notice = html.find(id="edit-conflict")
    assert notice is not None
    assert "instance administrator" in notice.get_text(" ", strip=True)
    # The new version is on the form, and what they chose is kept.
    assert html.find("input", attrs={"name": "version"})["value"] == str(becca.version)
    assert ticked(html, "instance_admin") == {"no"}
    assert snapshot() == before
    assert becca.is_instance_admin


def test_neither_yes_nor_no_is_named_on_the_edit_page(admin_client: FlaskClient) -> None:
    becca = user(LEAD)
    before = snapshot()
    response = admin_client.post(f"/users/{becca.id}", data=edit_data(becca, "maybe"))
    assert response.status_code == 200
    html = page(response)
    message = "Choose whether they are an instance administrator: yes or no"
    assert error_for(html, "instance_admin") == message
    assert ("#instance_admin-1", message) in summary(html)
    assert snapshot() == before


def test_an_admin_cannot_stop_being_an_instance_administrator_themselves(
    admin_client: FlaskClient,
) -> None:
    me = user(ADMIN)
    # A second one, so that only the rule about oneself is in the way.
    user_admin.change_account(OPERATOR, user(LEAD), True)
    html = soup(admin_client, f"/users/{me.id}")
    assert "You cannot stop being one yourself." in html.get_text(" ", strip=True)
    before = snapshot()
    response = admin_client.post(f"/users/{me.id}", data=edit_data(me, "no"))
    assert response.status_code == 200
    html = page(response)
    assert html.title.get_text().startswith("Error: ")
    message = "You cannot stop being an instance administrator yourself: ask another one"
    assert error_for(html, "instance_admin") == message
    assert ("#instance_admin-1", message) in summary(html)
    assert snapshot() == before
    assert me.is_instance_admin
    assert admin_client.get("/users/").status_code == 200


def test_the_last_active_instance_administrator_stays_one(app: Flask) -> None:
    """Only reachable when nobody in particular acts (the command line): in the app the one
    acting is an active instance administrator too."""
    sarah = user(ADMIN)
    before = snapshot()
    for change, field in (
        (lambda: user_admin.change_account(OPERATOR, sarah, False), "instance_admin"),
        (lambda: user_admin.deactivate_account(OPERATOR, sarah), "account"),
    ):
        with pytest.raises(ChangeRefused) as refused:
            change()
        assert [(e.field, e.message) for e in refused.value.errors] == [
            (
                field,
                f"{ADMIN} is the only active instance administrator: make someone else one first",
            )
        ]
    assert snapshot() == before
    assert sarah.is_instance_admin and sarah.is_active
    # A deactivated one does not count; an active one does.
    becca = user(LEAD)
    user_admin.change_account(OPERATOR, becca, True)
    user_admin.deactivate_account(OPERATOR, becca)
    with pytest.raises(ChangeRefused):
        user_admin.change_account(OPERATOR, sarah, False)
    user_admin.reactivate_account(OPERATOR, becca)
    user_admin.change_account(OPERATOR, sarah, False)
    assert not sarah.is_instance_admin


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
    # Her place in the programme stays, for when she is back.
    assert roles_of(LEAD) == {SEED_SLUG: "lead"}

    response = admin_client.post(f"/users/{becca.id}/reactivate")
    assert response.status_code == 302
    assert becca.is_active
    assert [e.new_value for e in user_events(becca, "is_active")] == ["no", "yes"]
    assert user_events(becca, "is_active")[-1].actor == ADMIN_NAME
    assert signs_in(app, LEAD, SEED_PASSWORD)


def test_an_admin_cannot_deactivate_themselves(admin_client: FlaskClient) -> None:
    me = user(ADMIN)
    html = soup(admin_client, f"/users/{me.id}")
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
    assert password not in admin_client.get(f"/users/{becca.id}").get_data(as_text=True)


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
    for action in ("", "/deactivate", "/reactivate", "/reset-password"):
        assert admin_client.post(f"/users/999999{action}").status_code == 404, action


# --- Nobody but an instance administrator

# Each role someone may hold without being an instance administrator.
NOT_INSTANCE_ADMINS = ["programme-admin", "lead", "board", "no-programme"]


def _signed_in_as(app: Flask, who: str) -> FlaskClient:
    """Becca Bradd made an admin of Kent and Medway (but not of the instance); the seed's
    lead and board member; Paul Bentley taken out of every programme."""
    if who == "programme-admin":
        join(LEAD, SEED_SLUG, "admin")
        return sign_in_as(app.test_client(), LEAD)
    if who == "no-programme":
        user_admin.set_programme_role(OPERATOR, BOARD_MEMBER, None, SEED_SLUG)
        assert roles_of(BOARD_MEMBER) == {}
        return sign_in_as(app.test_client(), BOARD_MEMBER)
    return sign_in_as(app.test_client(), {"lead": LEAD, "board": BOARD_MEMBER}[who])


@pytest.mark.parametrize("who", NOT_INSTANCE_ADMINS)
def test_anyone_but_an_instance_administrator_is_refused_everything(app: Flask, who: str) -> None:
    client = _signed_in_as(app, who)
    becca, admin, board_member = user(LEAD), user(ADMIN), user(BOARD_MEMBER)
    before = snapshot()
    gets = ["/users/", "/users/new", f"/users/{becca.id}", f"/users/{admin.id}", "/users/999999"]
    new_account = {
        "email": NEWCOMER,
        "name": "Nia Okafor",
        "programme": SEED_SLUG,
        "role": "admin",
        "instance_admin": "yes",
    }
    posts: list[tuple[str, dict[str, Any]]] = [
        ("/users/new", new_account),
        (f"/users/{becca.id}", edit_data(becca, "yes")),
        (f"/users/{board_member.id}", edit_data(board_member, "yes")),
        (f"/users/{admin.id}", edit_data(admin, "no")),
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


def test_only_instance_administrators_see_the_users_link(role_client: FlaskClient) -> None:
    html = page(role_client.get(f"/p/{SEED_SLUG}/"))
    has_link = html.find("a", href="/users/") is not None
    assert has_link == (role_client.role == "admin")  # type: ignore[attr-defined]


def test_a_programme_admin_sees_no_users_link(app: Flask) -> None:
    client = _signed_in_as(app, "programme-admin")
    html = page(client.get(f"/p/{SEED_SLUG}/"))
    assert html.find("a", href="/users/") is None


@pytest.mark.parametrize("who", ["programme-admin", "lead", "board"])
def test_the_services_themselves_refuse_anyone_but_an_instance_administrator(
    app: Flask, who: str
) -> None:
    if who == "programme-admin":
        join(LEAD, SEED_SLUG, "admin")
    actor = accounts.viewer_for(user({"board": BOARD_MEMBER}.get(who, LEAD)))
    assert not actor.instance_admin
    becca, sarah = user(LEAD), user(ADMIN)
    before = snapshot()
    changes = [
        lambda: user_admin.create_account(
            actor,
            NEWCOMER,
            "a long password",
            name="Nia",
            first=user_admin.FirstRole("admin", SEED_SLUG),
        ),
        lambda: user_admin.create_account(
            actor, NEWCOMER, "a long password", name="Nia", instance_admin=True
        ),
        lambda: user_admin.change_account(actor, becca, True),
        lambda: user_admin.change_account(actor, sarah, False),
        lambda: user_admin.set_programme_role(
            actor, becca, user_admin.FirstRole("admin", SEED_SLUG)
        ),
        lambda: user_admin.set_programme_role(actor, sarah, None, SEED_SLUG),
        lambda: user_admin.deactivate_account(actor, becca),
        lambda: user_admin.reactivate_account(actor, becca),
        lambda: user_admin.reset_password(actor, becca),
    ]
    for change in changes:
        with pytest.raises(ChangeRefused) as refused:
            change()
        assert refused.value.refusal is Refusal.NOT_ALLOWED
        assert refused.value.message == "Only an instance administrator manages user accounts."
    assert snapshot() == before


# --- Accessibility basics (the axe checks in tests/browser/ cover the rest)


def _labelled(html: BeautifulSoup) -> None:
    """Every field the person fills in has a label, or is in a fieldset with a legend."""
    main = html.main
    assert len(main.find_all("h1")) == 1
    for field in main.find_all(["input", "select", "textarea"]):
        if field.get("type") in ("hidden", "submit"):
            continue
        label = main.find("label", attrs={"for": field.get("id")})
        assert label is not None and label.get_text(strip=True), field
        if field.get("type") in ("radio", "checkbox"):
            fieldset = field.find_parent("fieldset")
            assert fieldset is not None and fieldset.legend.get_text(strip=True), field
    for link in main.select(".nhsuk-error-summary__list a"):
        assert main.find(id=str(link["href"]).removeprefix("#")) is not None, link


def test_every_users_page_labels_its_fields_and_sums_up_its_errors(
    admin_client: FlaskClient,
) -> None:
    becca, me = user(LEAD), user(ADMIN)
    for url in ("/users/", "/users/new", f"/users/{becca.id}", f"/users/{me.id}"):
        _labelled(soup(admin_client, url))
    problems = [
        admin_client.post("/users/new", data={"email": "", "programme": "nowhere"}),
        admin_client.post(f"/users/{me.id}", data=edit_data(me, "no")),
        admin_client.post(f"/users/{me.id}/deactivate"),
    ]
    for response in problems:
        html = page(response)
        assert response.status_code == 200
        assert html.title.get_text().startswith("Error: ")
        assert html.select_one(".nhsuk-error-summary") is not None
        _labelled(html)
    shown = page(admin_client.post(f"/users/{becca.id}/reset-password"))
    assert len(shown.main.find_all("h1")) == 1
