"""Roles per programme: someone who is not a member of a programme does not see it at all (404,
in pages, the API, exports, calendar feeds and the digest), and a role held in one programme
gives nothing in another."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN, BOARD_MEMBER, DEMO_TODAY, LEAD, sign_in_as
from tests.helpers import audit_count, join, milestone, page, programme, user
from tests.test_conventions import urls
from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import Milestone, Programme, Workstream
from tracker.services import api_tokens, calendar_feeds, plan_edits, progress
from tracker.services.accounts import viewer_for
from tracker.services.digest_content import recipients
from tracker.services.optimistic_locking import Seen
from tracker.services.synthetic import generate_programme
from tracker.services.unit_of_work import ChangeRefused, Refusal

KENT = "kent-and-medway"
OTHER = "synthetic-9"
# The synthetic programme's own programme office: an admin of it and of nothing else.
OTHER_ADMIN = f"admin-{OTHER}@example.org"
PASSWORD = "test-password-2022"


@pytest.fixture()
def other(app: Flask) -> Programme:
    """A second programme, whose generated people belong to it alone."""
    generate_programme(slug=OTHER, milestones=40, today=DEMO_TODAY, seed=9, password=PASSWORD)
    db.session.commit()
    # Its admin account is an instance administrator as generated; here they are only an
    # admin of their own programme, as a programme office appointed by one would be.
    user(OTHER_ADMIN).is_instance_admin = False
    db.session.commit()
    return programme(OTHER)


def programme_urls(app: Flask, method: str, slug: str) -> list[str]:
    """Every page address about a programme, with the seed's values moved to `slug`."""
    found = []
    for _endpoint, url in urls(app, method):
        if url.startswith(f"/p/{KENT}/"):
            found.append(url.replace(f"/p/{KENT}/", f"/p/{slug}/", 1))
    return found


def test_a_non_member_gets_404_on_every_page_of_the_programme(app: Flask, other: Programme) -> None:
    client = sign_in_as(app.test_client(), BOARD_MEMBER)  # on Kent and Medway's board only
    for url in programme_urls(app, "GET", OTHER):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"There is no programme called" in response.data, url
    # Exactly as for a programme that does not exist: nothing says it is there.
    hidden, missing = client.get(f"/p/{OTHER}/"), client.get("/p/nowhere-at-all/")
    hidden_text = page(hidden).main.get_text().replace(OTHER, "x")
    assert hidden_text == page(missing).main.get_text().replace("nowhere-at-all", "x")


def test_a_non_member_changes_nothing_by_posting(app: Flask, other: Programme) -> None:
    """Every POST about a programme, by its own admin into another programme: 404, nothing
    written (the audit trail included)."""
    client = sign_in_as(app.test_client(), OTHER_ADMIN)
    posts = programme_urls(app, "POST", KENT)  # (may make the shared scenario it names)
    before = audit_count()
    for url in posts:
        response = client.post(url, data={})
        assert response.status_code == 404, url
    assert audit_count() == before


def test_the_programme_list_and_switcher_show_only_ones_programmes(
    app: Flask, other: Programme
) -> None:
    board = sign_in_as(app.test_client(), BOARD_MEMBER)
    assert board.get("/").location == f"/p/{KENT}/"  # the only one they belong to
    other_admin = sign_in_as(app.test_client(), OTHER_ADMIN)
    assert other_admin.get("/").location == f"/p/{OTHER}/"
    page = other_admin.get(f"/p/{OTHER}/").get_data(as_text=True)
    assert "Kent and Medway" not in page
    # The instance administrator sees both.
    admin = sign_in_as(app.test_client(), ADMIN)
    listing = admin.get("/").get_data(as_text=True)
    assert "Kent and Medway" in listing and OTHER in listing
    assert admin.get(f"/p/{OTHER}/").status_code == 200


def test_joining_shows_the_programme_and_leaving_hides_it(app: Flask, other: Programme) -> None:
    client = sign_in_as(app.test_client(), BOARD_MEMBER)
    assert client.get(f"/p/{OTHER}/gantt").status_code == 404
    join(BOARD_MEMBER, OTHER, "viewer")
    assert client.get(f"/p/{OTHER}/gantt").status_code == 200
    # A viewer reads and changes nothing: the plan's forms answer 403.
    assert client.get(f"/p/{OTHER}/milestones/new").status_code == 403


def test_the_api_lists_and_answers_only_for_members(
    app: Flask, api: FlaskClient, other: Programme
) -> None:
    with acting_as(Actor("test")):
        made = api_tokens.make_token(viewer_for(user(BOARD_MEMBER)), "Power BI", owner=BOARD_MEMBER)
        db.session.commit()
    auth = {"Authorization": f"Bearer {made.secret}"}
    listed = api.get("/api/v1/programmes", headers=auth).get_json()
    assert [p["slug"] for p in listed["items"]] == [KENT]
    for what in ("", "/milestones", "/workstreams", "/risks", "/dependencies"):
        response = api.get(f"/api/v1/programmes/{OTHER}{what}", headers=auth)
        assert response.status_code == 404, what
        error = response.get_json()["error"]
        assert error["message"] == f"There is no programme called '{OTHER}'."
    ref = db.session.scalar(
        sa.select(Milestone.ref).where(Milestone.programme_id == other.id).limit(1)
    )
    refused = api.post(
        f"/api/v1/programmes/{OTHER}/milestones/{ref}/forecast",
        headers=auth,
        json={"forecast_date": "2022-06-01", "reason": "x"},
    )
    assert refused.status_code == 404


@pytest.fixture()
def api(app: Flask) -> FlaskClient:
    return app.test_client()


def test_a_workstream_feed_stops_when_its_owner_leaves_the_programme(
    app: Flask, other: Programme
) -> None:
    join(BOARD_MEMBER, OTHER, "board")
    workstream = db.session.scalar(
        sa.select(Workstream).where(Workstream.programme_id == other.id).limit(1)
    )
    with acting_as(Actor("test")):
        feed, _ = calendar_feeds.create_workstream_feed(
            viewer_for(user(BOARD_MEMBER)), workstream.id
        )
        db.session.commit()
    anonymous = app.test_client()
    assert anonymous.get(f"/calendar/{feed.token}.ics").status_code == 200
    from tracker.services import memberships

    with acting_as(Actor("test")):
        memberships.change_membership(
            viewer_for(user(ADMIN)),
            other,
            user(BOARD_MEMBER).person,
            memberships.MembershipChange(None),
        )
    assert anonymous.get(f"/calendar/{feed.token}.ics").status_code == 404
    # Nor can they ask for a feed of a programme they do not belong to.
    with pytest.raises(ChangeRefused) as refused:
        calendar_feeds.create_workstream_feed(viewer_for(user(BOARD_MEMBER)), workstream.id)
    assert refused.value.errors[0].field == "workstream"


def test_the_digest_goes_only_to_the_programmes_members(app: Flask, other: Programme) -> None:
    with app.test_request_context():
        kent = {r.email for r in recipients(programme(KENT))}
        theirs = {r.email for r in recipients(other)}
    assert BOARD_MEMBER in kent and BOARD_MEMBER not in theirs
    assert OTHER_ADMIN in theirs and OTHER_ADMIN not in kent


def test_an_admin_of_one_programme_changes_nothing_in_another(app: Flask, other: Programme) -> None:
    """The services themselves: however they are called, the role counts in the record's own
    programme."""
    theirs = viewer_for(user(OTHER_ADMIN))
    peo_05 = milestone("PEO-05")
    before = audit_count()
    calls = {
        "forecast": lambda: progress.set_forecast(
            theirs,
            peo_05,
            Seen(peo_05.version),
            forecast_date=date(2022, 6, 1),
            reason="x",
            today=date(2022, 4, 4),
        ),
        "delete": lambda: plan_edits.delete_milestone(theirs, peo_05),
        "baseline": lambda: plan_edits.take_baseline(
            theirs, programme(KENT), "Theirs", note="", make_current=False
        ),
    }
    for name, call in calls.items():
        with pytest.raises(ChangeRefused) as refused:
            call()
        assert refused.value.refusal is Refusal.NOT_ALLOWED, name
    assert audit_count() == before


def test_a_lead_in_one_programme_leads_nothing_in_another(app: Flask, other: Programme) -> None:
    """Becca leads PEO in Kent and Medway; as a board member of the other programme she leads
    none of its workstreams, even one she is named the lead of."""
    join(LEAD, OTHER, "board")
    workstream = db.session.scalar(
        sa.select(Workstream).where(Workstream.programme_id == other.id).limit(1)
    )
    from tracker.models import WorkstreamLead

    with acting_as(Actor("test")):
        db.session.add(WorkstreamLead(workstream=workstream, person=user(LEAD).person, position=5))
        db.session.commit()
    becca = viewer_for(user(LEAD))
    assert becca.leads(milestone("PEO-05").workstream_id)
    assert not becca.leads(workstream.id)
    assert becca.role_in(other.id) == "board"
