"""A programme's people directory (/p/<slug>/people): listing its members, adding someone,
editing their details, role and workstreams, removing them; each route for each role.

In the seed everyone in people.yaml is a member of Kent and Medway: those with accounts
with their account's role, the rest viewers with no account (Mark Reynolds, ESR and payroll,
is one). Sarah Collins is its admin (and an instance administrator), Becca Bradd leads PEO,
MED and ENG, Paul Bentley sits on the board.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import mail
from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, sign_in_as
from tests.helpers import (
    audit_count,
    count,
    error_for,
    page,
    programme,
    soup,
    workstream_id,
)
from tracker.audit import Actor, acting_as
from tracker.domain.permissions import Viewer
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Invitation,
    Membership,
    Person,
    Programme,
    WorkstreamLead,
)
from tracker.services import accounts, memberships, people
from tracker.services.optimistic_locking import Seen
from tracker.services.unit_of_work import ChangeRefused, Refusal

smtp_server = mail.smtp_server

KENT = "/p/kent-and-medway"
PEOPLE = f"{KENT}/people"
NO_ACCOUNT = "mark.reynolds@example.org"  # a viewer in the seed, with no account
OUTSIDER = "olive.outsider@example.org"
PASSWORD = "a-long-enough-password"


# --- helpers -------------------------------------------------------------------------------


def person(email: str) -> Person:
    db.session.expire_all()
    found = db.session.scalar(select(Person).where(Person.email == email))
    assert found is not None, email
    return found


def membership(email: str, slug: str = "kent-and-medway") -> Membership | None:
    return memberships.membership_of(person(email).id, programme(slug).id)


def led_codes(email: str) -> list[str]:
    return sorted(
        link.workstream.code
        for link in db.session.scalars(
            select(WorkstreamLead).where(WorkstreamLead.person_id == person(email).id)
        )
    )


def directory_rows(client: FlaskClient) -> dict[str, dict[str, str]]:
    """The directory's rows by email: each column's text (without the responsive headings)."""
    html = soup(client, PEOPLE)
    heads = [th.get_text(strip=True) for th in html.select("#people thead th")]
    rows = {}
    for tr in html.select("#people tbody tr"):
        for label in tr.select(".nhsuk-table__heading"):
            label.decompose()
        cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        row = dict(zip(heads, cells, strict=True))
        row["Email"] = row["Email"].replace("@ ", "@")  # the <wbr> after the @
        rows[row["Email"]] = row
    return rows


def form_fields(html: BeautifulSoup) -> dict[str, Any]:
    """What the page's main form would send as it stands (ticked boxes as lists)."""
    form = html.select_one("main form[novalidate]")
    assert form is not None
    data: dict[str, Any] = {}
    for field in form.select("input"):
        name, kind = field.get("name"), field.get("type")
        if not name or name == "csrf_token":
            continue
        if kind in ("radio", "checkbox"):
            if field.has_attr("checked"):
                if kind == "checkbox" and name == "workstreams":
                    data.setdefault(name, []).append(field["value"])
                else:
                    data[name] = field["value"]
        else:
            data[name] = field.get("value", "")
    return data


def edit_url(email: str) -> str:
    return f"{PEOPLE}/{person(email).id}"


def outsider_client(app: Flask) -> FlaskClient:
    """Someone with an account and no membership of Kent and Medway."""
    with acting_as(Actor("test")):
        accounts.create_user(OUTSIDER, PASSWORD, "Olive Outsider")
        db.session.commit()
    return sign_in_as(app.test_client(), OUTSIDER)


def second_programme(admin_email: str | None = None) -> Programme:
    """Another programme, with one member of its own (and, given one, an admin)."""
    with acting_as(Actor("test")):
        other = Programme(
            slug="sussex-surrey",
            name="Sussex and Surrey merger",
            from_organisation="NHS Sussex ICB",
            to_organisation="NHS Sussex and Surrey ICB",
            start_date=date(2025, 10, 1),
            go_live_date=date(2026, 4, 1),
        )
        zed = Person(name="Zed Other", email="zed.other@example.org")
        db.session.add_all([other, zed, Membership(person=zed, programme=other, role="viewer")])
        if admin_email is not None:
            db.session.add(Membership(person=person(admin_email), programme=other, role="admin"))
        db.session.commit()
    return other


def new_person(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Nia Okafor",
        "job_title": "Head of Estates",
        "email": "nia.okafor@example.org",
        "role": "viewer",
    }
    data.update(changes)
    return data


# --- the directory -------------------------------------------------------------------------


def test_the_directory_lists_every_member_with_role_workstreams_and_sign_in(
    admin_client: FlaskClient,
) -> None:
    rows = directory_rows(admin_client)
    assert len(rows) == count(Membership)
    becca = rows[LEAD]
    assert becca["Name"].startswith("Becca Bradd")
    assert "Executive Director of People and Organisational Development" in becca["Name"]
    assert becca["Role"] == "Workstream lead"
    assert becca["Workstreams led"] == "PEO, MED, ENG"
    assert becca["Sign-in"] == "Can sign in, has not yet"
    assert rows[ADMIN]["Role"] == "Programme admin"
    assert rows[BOARD_MEMBER]["Role"] == "Board member"
    assert rows[NO_ACCOUNT]["Role"] == "Viewer"
    assert rows[NO_ACCOUNT]["Sign-in"] == "No account"
    assert "Invite" in rows[NO_ACCOUNT]["Actions"]
    assert "Invite" not in becca["Actions"]


def test_the_directory_says_who_signed_in_and_who_is_deactivated(
    app: Flask, admin_client: FlaskClient
) -> None:
    sign_in = app.test_client()
    sign_in.post("/sign-in", data={"email": LEAD, "password": app.config["SEED_USER_PASSWORD"]})
    with acting_as(Actor("test")):
        accounts.deactivate(accounts.user_or_error(BOARD_MEMBER))
        db.session.commit()
    rows = directory_rows(admin_client)
    assert rows[LEAD]["Sign-in"] == "Signed in before"
    assert rows[BOARD_MEMBER]["Sign-in"] == "Deactivated"


def test_the_sign_in_states_in_words() -> None:
    from datetime import UTC, datetime

    from tracker.models import User

    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    invited = Invitation(expires_at=datetime(2026, 12, 10, 12, 0, tzinfo=UTC))
    lapsed = Invitation(expires_at=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert people.sign_in_state(None, invited, now).label == "Invited, expires 10 December 2026"
    assert people.sign_in_state(None, lapsed, now).label == "Invitation expired"
    assert people.sign_in_state(None, None, now).label == "No account"
    no_password = User(password_hash=None, is_active=True)
    assert people.sign_in_state(no_password, None, now).label == "No password yet"
    assert people.sign_in_state(User(password_hash=None, is_active=False), None, now).label == (
        "Deactivated"
    )
    signed = User(password_hash="x", is_active=True, last_sign_in_at=now)
    assert people.sign_in_state(signed, invited, now).label == "Signed in before"


# --- each route for each role --------------------------------------------------------------


def _routes() -> dict[str, Callable[[FlaskClient], Any]]:
    mark = lambda: person(NO_ACCOUNT).id  # noqa: E731
    return {
        "directory": lambda c: c.get(PEOPLE),
        "add form": lambda c: c.get(f"{PEOPLE}/new"),
        "add": lambda c: c.post(f"{PEOPLE}/new", data=new_person()),
        "edit form": lambda c: c.get(f"{PEOPLE}/{mark()}"),
        "edit": lambda c: c.post(
            f"{PEOPLE}/{mark()}", data={"name": "Changed", "role": "admin", "version": "1"}
        ),
        "invite": lambda c: c.post(f"{PEOPLE}/{mark()}/invite"),
    }


ROUTES = list(_routes())


@pytest.mark.parametrize("route", ROUTES)
def test_an_admin_may_use_every_people_route(
    admin_client: FlaskClient, smtp_server: mail.SmtpServer, route: str
) -> None:
    response = _routes()[route](admin_client)
    assert response.status_code in (200, 302), (route, response.status_code)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("who", ["lead", "board"])
def test_leads_and_board_members_are_refused_and_nothing_changes(
    request: pytest.FixtureRequest, route: str, who: str
) -> None:
    client = request.getfixturevalue("lead_client" if who == "lead" else "client")
    before = (audit_count(), count(Person), count(Membership), count(Invitation))
    response = _routes()[route](client)
    assert response.status_code == 403, (who, route, response.status_code)
    assert (audit_count(), count(Person), count(Membership), count(Invitation)) == before
    assert person(NO_ACCOUNT).name == "Mark Reynolds"


@pytest.mark.parametrize("route", ROUTES)
def test_someone_outside_the_programme_is_told_it_does_not_exist(app: Flask, route: str) -> None:
    client = outsider_client(app)
    before = (audit_count(), count(Person), count(Membership))
    response = _routes()[route](client)
    assert response.status_code == 404, (route, response.status_code)
    assert (audit_count(), count(Person), count(Membership)) == before


def test_an_admin_of_another_programme_changes_nothing_here(app: Flask) -> None:
    second_programme()
    other_admin = "ada.admin@example.org"
    with acting_as(Actor("test")):
        user = accounts.create_user(other_admin, PASSWORD, "Ada Admin")
        db.session.add(
            Membership(person=user.person, programme=programme("sussex-surrey"), role="admin")
        )
        db.session.commit()
    client = sign_in_as(app.test_client(), other_admin)
    assert client.get("/p/sussex-surrey/people").status_code == 200
    before = audit_count()
    for route, call in _routes().items():
        assert call(client).status_code == 404, route
    assert audit_count() == before


def test_the_services_themselves_refuse_leads_and_board_members(app: Flask) -> None:
    kent = programme()
    mark = person(NO_ACCOUNT)
    for role in ("lead", "board", "viewer"):
        actor = Viewer(person_id=1, memberships={kent.id: role})
        with pytest.raises(ChangeRefused) as refused:
            people.add_person(actor, kent, people.NewPerson("X Y", "x.y@example.org", "viewer"))
        assert refused.value.refusal is Refusal.NOT_ALLOWED
        with pytest.raises(ChangeRefused) as refused:
            people.edit_person(
                actor,
                kent,
                mark,
                Seen(1),
                people.PersonChange("Changed", "", "admin"),
            )
        assert refused.value.refusal is Refusal.NOT_ALLOWED
    assert person(NO_ACCOUNT).name == "Mark Reynolds"


# --- adding someone ------------------------------------------------------------------------


def test_an_admin_adds_a_new_person_without_an_invitation(admin_client: FlaskClient) -> None:
    before = audit_count()
    response = admin_client.post(f"{PEOPLE}/new", data=new_person(role="board"))
    assert response.status_code == 302
    assert response.location == PEOPLE
    nia = person("nia.okafor@example.org")
    assert (nia.name, nia.job_title) == ("Nia Okafor", "Head of Estates")
    found = membership("nia.okafor@example.org")
    assert found is not None and found.role == "board"
    assert count(Invitation) == 0
    flashed = page(admin_client.get(PEOPLE)).get_text(" ", strip=True)
    assert "Added Nia Okafor to Kent and Medway CCG to ICB transition as Board member." in flashed
    assert "No email was sent" in flashed
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    created = {(e.entity_type, e.action) for e in events[before:]}
    assert ("Person", "create") in created and ("Membership", "create") in created


def test_the_add_form_ticks_send_an_invitation(admin_client: FlaskClient) -> None:
    html = soup(admin_client, f"{PEOPLE}/new")
    box = html.select_one("#send_invitation")
    assert box is not None and box.has_attr("checked")
    assert html.select_one("label[for=send_invitation]").get_text(strip=True) == (
        "Send an invitation by email"
    )


def test_a_lead_is_added_with_the_workstreams_they_lead(admin_client: FlaskClient) -> None:
    fin, asu = workstream_id("FIN"), workstream_id("ASU")
    response = admin_client.post(
        f"{PEOPLE}/new", data=new_person(role="lead", workstreams=[str(fin), str(asu)])
    )
    assert response.status_code == 302
    assert led_codes("nia.okafor@example.org") == ["ASU", "FIN"]
    assert directory_rows(admin_client)["nia.okafor@example.org"]["Workstreams led"] == "FIN, ASU"


def test_someone_named_already_keeps_their_stored_name(admin_client: FlaskClient) -> None:
    second_programme()
    people_before = count(Person)
    response = admin_client.post(
        f"{PEOPLE}/new",
        data=new_person(name="Zed Different", email="ZED.other@example.org ", job_title=""),
    )
    assert response.status_code == 302
    zed = person("zed.other@example.org")
    assert zed.name == "Zed Other"
    assert count(Person) == people_before  # the same person, not a second one
    assert membership("zed.other@example.org") is not None
    text = page(admin_client.get(PEOPLE)).get_text(" ", strip=True)
    assert "zed.other@example.org is already Zed Other's address" in text


def test_a_member_already_is_not_added_twice(admin_client: FlaskClient) -> None:
    before = (audit_count(), count(Membership))
    response = admin_client.post(f"{PEOPLE}/new", data=new_person(email=LEAD, name="Becca"))
    assert response.status_code == 200
    assert error_for(page(response), "email") == (
        f"Becca Bradd ({LEAD}) is in Kent and Medway CCG to ICB transition already: "
        "change their role on their page"
    )
    assert (audit_count(), count(Membership)) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter their full name"),
        ({"email": "nia@@example.org"}, "email", "email address"),
        ({"email": ""}, "email", "Enter an email address"),
        ({"role": ""}, "role", "Choose their role in the programme"),
        ({"role": "owner"}, "role", "'owner' must be admin, lead, board or viewer"),
        ({"name": "N" * 121}, "name", "The full name is 121 characters: keep it to 120"),
        ({"role": "lead", "workstreams": ["999999"]}, "workstreams", "has no workstream 999999"),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(
    admin_client: FlaskClient, changes: dict[str, Any], field: str, message: str
) -> None:
    before = (audit_count(), count(Person), count(Membership))
    response = admin_client.post(f"{PEOPLE}/new", data=new_person(**changes))
    assert response.status_code == 200
    html = page(response)
    assert html.title is not None and html.title.get_text().startswith("Error: ")
    first = f"{field}-1" if field in ("role", "workstreams") else field
    where = html.find(id=f"{field}-error") or html.find(id=f"{first}-error")
    assert where is not None, html.select(".nhsuk-error-summary")
    assert message in where.get_text(), where.get_text()
    assert (audit_count(), count(Person), count(Membership)) == before


# --- editing someone -----------------------------------------------------------------------


def test_an_admin_changes_details_role_and_workstreams(admin_client: FlaskClient) -> None:
    url = edit_url(NO_ACCOUNT)
    data = form_fields(soup(admin_client, url))
    assert data["role"] == "viewer" and data["name"] == "Mark Reynolds"
    data.update(
        name="Mark Reynolds-Hall",
        job_title="ESR Lead",
        role="lead",
        workstreams=[str(workstream_id("PEO"))],
    )
    before = audit_count()
    response = admin_client.post(url, data=data)
    assert response.status_code == 302, page(response).select(".nhsuk-error-message")
    mark = person(NO_ACCOUNT)
    assert (mark.name, mark.job_title) == ("Mark Reynolds-Hall", "ESR Lead")
    found = membership(NO_ACCOUNT)
    assert found is not None and found.role == "lead"
    assert led_codes(NO_ACCOUNT) == ["PEO"]
    fields = {
        (e.entity_type, e.field)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[before:]
    }
    assert {("Person", "name"), ("Person", "job_title"), ("Membership", "role")} <= fields
    assert ("WorkstreamLead", None) in fields


def test_a_stale_form_shows_the_conflict_and_saves_nothing(admin_client: FlaskClient) -> None:
    url = edit_url(NO_ACCOUNT)
    stale = form_fields(soup(admin_client, url))
    fresh = dict(stale, role="board")
    assert admin_client.post(url, data=fresh).status_code == 302
    before = audit_count()
    response = admin_client.post(url, data=dict(stale, role="admin", name="Someone Else"))
    assert response.status_code == 200
    assert page(response).select_one("#edit-conflict") is not None
    assert audit_count() == before
    assert person(NO_ACCOUNT).name == "Mark Reynolds"
    found = membership(NO_ACCOUNT)
    assert found is not None and found.role == "board"


def test_removing_someone_ends_their_membership_and_their_leads(
    admin_client: FlaskClient,
) -> None:
    url = edit_url(LEAD)
    data = dict(form_fields(soup(admin_client, url)), role="remove")
    response = admin_client.post(url, data=data)
    assert response.status_code == 302
    assert membership(LEAD) is None
    assert led_codes(LEAD) == []
    assert person(LEAD).name == "Becca Bradd"  # the person and their history stay
    assert "Removed Becca Bradd from" in page(admin_client.get(PEOPLE)).get_text()
    assert LEAD not in directory_rows(admin_client)
    # Once removed, their page here is gone.
    assert admin_client.get(url).status_code == 404


def test_an_admin_cannot_remove_their_own_admin_role(app: Flask) -> None:
    # A programme admin who is not an instance administrator.
    with acting_as(Actor("test")):
        user = accounts.create_user("pat.admin@example.org", PASSWORD, "Pat Admin")
        db.session.add(Membership(person=user.person, programme=programme(), role="admin"))
        db.session.commit()
    client = sign_in_as(app.test_client(), "pat.admin@example.org")
    url = edit_url("pat.admin@example.org")
    data = dict(form_fields(soup(client, url)), role="viewer")
    before = audit_count()
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "You cannot remove your own admin role" in error_for(page(response), "role")
    assert audit_count() == before


def test_the_email_of_someone_without_an_account_can_be_corrected(
    admin_client: FlaskClient,
) -> None:
    url = edit_url(NO_ACCOUNT)
    data = dict(form_fields(soup(admin_client, url)), email="Mark.Reynolds@Example.org ")
    assert admin_client.post(url, data=data).status_code == 302
    data = dict(form_fields(soup(admin_client, url)), email="m.reynolds@example.org")
    assert admin_client.post(url, data=data).status_code == 302
    assert person("m.reynolds@example.org").name == "Mark Reynolds"


def test_an_email_that_is_someone_elses_is_refused(admin_client: FlaskClient) -> None:
    url = edit_url(NO_ACCOUNT)
    data = dict(form_fields(soup(admin_client, url)), email=LEAD)
    before = audit_count()
    response = admin_client.post(url, data=data)
    assert response.status_code == 200
    assert "is Becca Bradd's email address already" in error_for(page(response), "email")
    assert audit_count() == before


def test_the_email_of_someone_with_an_account_is_not_changed_here(
    admin_client: FlaskClient,
) -> None:
    url = edit_url(LEAD)
    html = soup(admin_client, url)
    assert html.select_one("input[name=email]") is None
    assert "Their sign-in" in html.select_one("#email").get_text()
    data = dict(form_fields(html), email="someone.else@example.org", job_title="Director")
    assert admin_client.post(url, data=data).status_code == 302
    becca = person(LEAD)
    assert (becca.email, becca.job_title) == (LEAD, "Director")


def test_someone_elses_member_has_no_page_here(admin_client: FlaskClient) -> None:
    second_programme()
    zed = person("zed.other@example.org").id
    before = audit_count()
    assert admin_client.get(f"{PEOPLE}/{zed}").status_code == 404
    response = admin_client.post(f"{PEOPLE}/{zed}", data={"name": "X", "role": "admin"})
    assert response.status_code == 404
    assert admin_client.post(f"{PEOPLE}/{zed}/invite").status_code == 404
    assert admin_client.get(f"{PEOPLE}/99999").status_code == 404
    assert audit_count() == before
    assert membership("zed.other@example.org") is None
