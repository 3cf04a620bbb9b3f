"""Calendar feeds for Outlook: what a feed holds (parsed with icalendar), its secret address
(no session, revoke, renew), and the page where people manage their feeds."""

from __future__ import annotations

import re
import string
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar, Event
from sqlalchemy import func, or_, select

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, OTHER_LEAD, sign_in_as
from tests.helpers import join, milestone, page
from tracker.audit import Actor, acting_as
from tracker.domain.permissions import Viewer
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CalendarFeed,
    Milestone,
    Person,
    Programme,
    User,
    Workstream,
    WorkstreamLead,
)
from tracker.services import calendar_feeds
from tracker.services.accounts import user_by_email

SLUG = "kent-and-medway"
HOST = "127.0.0.1"  # APP_BASE_URL's host in the tests


# --- helpers -------------------------------------------------------------------------------


def make_feed(email: str, code: str | None = None) -> CalendarFeed:
    """A feed made the way the page makes one, committed."""
    user = user_by_email(email)
    assert user is not None
    workstream = None
    if code is not None:
        workstream = db.session.scalar(select(Workstream).where(Workstream.code == code))
    with acting_as(Actor(user.name, user.id)):
        feed, created = calendar_feeds.create_feed(user, workstream)
        db.session.commit()
    assert created
    return feed


def path(token: str) -> str:
    return f"/calendar/{token}.ics"


def fetch(client: FlaskClient, token: str) -> Calendar:
    response = client.get(path(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return Calendar.from_ical(response.get_data())


def events_by_ref(cal: Calendar) -> dict[str, Event]:
    """Each event by its milestone's ref, read from the title: "[Status] REF title"."""
    found = {}
    for e in cal.walk("VEVENT"):
        ref = re.match(r"\[[^]]+\] (\S+) ", str(e["SUMMARY"])).group(1)
        assert ref not in found, f"{ref} twice"
        found[ref] = e
    return found


def change(ref: str, /, **values: object) -> Milestone:
    m = milestone(ref)
    with acting_as(Actor("test")):
        for name, value in values.items():
            setattr(m, name, value)
        db.session.commit()
    return m


def refs_where(*conditions) -> set[str]:
    return set(
        db.session.scalars(
            select(Milestone.ref)
            .join(Workstream, Workstream.id == Milestone.workstream_id)
            .join(Person, Person.id == Milestone.owner_id)
            .where(*conditions)
        )
    )


def addresses(response) -> dict[str, str]:
    """The feed addresses a page shows, by their label."""
    soup = page(response)
    found = {}
    for field in soup.select("input[id^=feed-address-]"):
        label = soup.find("label", attrs={"for": field["id"]}).get_text(strip=True)
        found[label] = field["value"]
    return found


def token_of(address: str) -> str:
    match = re.fullmatch(r"http://127\.0\.0\.1:5000/calendar/([A-Za-z0-9_-]+)\.ics", address)
    assert match, address
    return match.group(1)


def feeds_of(email: str) -> list[CalendarFeed]:
    user = user_by_email(email)
    return list(db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id)))


def feed_audit(feed_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "CalendarFeed", AuditEvent.entity_id == feed_id)
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture()
def becca_feed(app: Flask) -> CalendarFeed:
    return make_feed(LEAD)


# --- what a person's feed holds -----------------------------------------------------------


def test_person_feed_has_what_they_own_and_every_milestone_of_what_they_lead(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    cal = fetch(anonymous_client, becca_feed.token)
    found = events_by_ref(cal)
    expected = refs_where(or_(Workstream.code.in_(["PEO", "MED", "ENG"]), Person.email == LEAD))
    assert set(found) == expected
    # Others' milestones in her workstreams are in; other workstreams are not.
    assert {"ENG-02", "PEO-02", "MED-06"} <= set(found)
    assert not any(ref.startswith(("GOV-", "FIN-", "DIG-")) for ref in found)
    assert str(cal["X-WR-CALNAME"]) == "Becca Bradd: transition milestones"


def test_a_milestone_she_owns_elsewhere_joins_her_feed(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    becca = user_by_email(LEAD).person
    assert "GOV-03" not in events_by_ref(fetch(anonymous_client, becca_feed.token))
    change("GOV-03", owner=becca)
    assert "GOV-03" in events_by_ref(fetch(anonymous_client, becca_feed.token))


def test_events_are_all_day_on_the_forecast_else_due_else_completion_date(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    found = events_by_ref(fetch(anonymous_client, becca_feed.token))
    for e in found.values():
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert type(start) is date and type(end) is date, "all-day: dates, not times"
        assert end == start + timedelta(days=1)
        assert e["DTSTART"].params["VALUE"] == "DATE"
        assert str(e["TRANSP"]) == "TRANSPARENT", "a milestone does not make anyone busy"
    # PEO-09 was due 31 March 2022; its lead forecasts 14 April 2022.
    assert found["PEO-09"].decoded("DTSTART") == date(2022, 4, 14)
    # PEO-05 has no forecast: its due date.
    assert found["PEO-05"].decoded("DTSTART") == date(2022, 5, 27)
    # ENG-04 was due 17 December 2021 and completed on 21 January 2022.
    assert milestone("ENG-04").completed_on == date(2022, 1, 21)
    assert found["ENG-04"].decoded("DTSTART") == date(2022, 1, 21)


def test_the_status_is_in_the_title(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    change("PEO-10", status="blocked", blocked_reason="Waiting for the national HR framework")
    change("PEO-14", forecast_date=date(2022, 6, 30), forecast_reason="Panel dates moved")
    found = events_by_ref(fetch(anonymous_client, becca_feed.token))
    title = {ref: str(e["SUMMARY"]) for ref, e in found.items()}
    assert title["PEO-09"] == f"[Overdue] PEO-09 {milestone('PEO-09').title}"
    assert title["PEO-01"] == f"[Complete] PEO-01 {milestone('PEO-01').title}"
    assert title["PEO-10"].startswith("[Blocked] PEO-10 ")
    assert title["PEO-05"].startswith("[Due] PEO-05 ")
    assert title["PEO-14"].startswith("[Forecast] PEO-14 ")
    assert found["PEO-14"].decoded("DTSTART") == date(2022, 6, 30)
    # Every title starts with one of the documented words.
    words = {re.match(r"\[([^]]+)\]", t).group(1) for t in title.values()}
    assert words <= {"Complete", "Overdue", "Overdue, blocked", "Blocked", "Forecast", "Due"}


def test_overdue_and_blocked_says_both(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    change("PEO-09", status="blocked", blocked_reason="Union ballot")
    found = events_by_ref(fetch(anonymous_client, becca_feed.token))
    assert str(found["PEO-09"]["SUMMARY"]).startswith("[Overdue, blocked] PEO-09 ")


def test_description_has_workstream_owner_dates_rag_and_link(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    found = events_by_ref(fetch(anonymous_client, becca_feed.token))
    url = f"http://127.0.0.1:5000/p/{SLUG}/milestones/PEO-09"
    peo_09 = found["PEO-09"]
    text = str(peo_09["DESCRIPTION"])
    assert "Workstream: PEO ICS leadership, people processes and OD" in text
    assert "Owner: Becca Bradd" in text
    assert "Status: In progress" in text
    assert "Due: 31 March 2022" in text
    assert "Lead's forecast: 14 April 2022" in text
    assert "Scheduled forecast: 14 April 2022" in text
    assert "RAG: Red (Overdue: due 31 March 2022)" in text
    assert text.endswith(url)
    assert str(peo_09["URL"]) == url
    assert "Completed: 27 August 2021" in str(found["PEO-01"]["DESCRIPTION"])
    assert "RAG: Blue (complete)" in str(found["PEO-01"]["DESCRIPTION"])
    # Free text stays behind sign-in: no blocked reason, evidence or forecast reason.
    reason = milestone("PEO-09").forecast_reason
    assert reason and reason not in text


def test_calendar_properties_for_outlook(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    cal = fetch(anonymous_client, becca_feed.token)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert cal.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(cal["X-PUBLISHED-TTL"].to_ical(), "ascii") == "PT1H"
    peo_05 = milestone("PEO-05")
    e = events_by_ref(cal)["PEO-05"]
    assert str(e["UID"]) == f"milestone-{SLUG}-{peo_05.id}@{HOST}"
    assert e.decoded("LAST-MODIFIED") == peo_05.updated_at.replace(microsecond=0)
    assert int(e["SEQUENCE"]) == peo_05.version - 1
    assert isinstance(e.decoded("DTSTAMP"), datetime)


# --- stable events -------------------------------------------------------------------------


def test_a_moved_milestone_keeps_its_uid_and_moves(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    before = events_by_ref(fetch(anonymous_client, becca_feed.token))["PEO-05"]
    change("PEO-05", due_date=date(2022, 6, 10))
    after = events_by_ref(fetch(anonymous_client, becca_feed.token))["PEO-05"]
    assert str(after["UID"]) == str(before["UID"])
    assert before.decoded("DTSTART") == date(2022, 5, 27)
    assert after.decoded("DTSTART") == date(2022, 6, 10)
    assert after.decoded("DTEND") == date(2022, 6, 11)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")


def test_a_renamed_milestone_keeps_its_uid(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    uid = str(events_by_ref(fetch(anonymous_client, becca_feed.token))["PEO-05"]["UID"])
    change("PEO-05", ref="PEO-55")
    found = events_by_ref(fetch(anonymous_client, becca_feed.token))
    assert "PEO-05" not in found
    assert str(found["PEO-55"]["UID"]) == uid


# --- a workstream's feed, and several programmes -------------------------------------------


def test_workstream_feed_has_that_workstreams_milestones(
    app: Flask, anonymous_client: FlaskClient
) -> None:
    feed = make_feed(BOARD_MEMBER, "GOV")
    cal = fetch(anonymous_client, feed.token)
    assert set(events_by_ref(cal)) == refs_where(Workstream.code == "GOV")
    assert str(cal["X-WR-CALNAME"]) == "GOV milestones: Kent and Medway CCG to ICB transition"
    response = anonymous_client.get(path(feed.token))
    assert (
        'filename="milestones-kent-and-medway-gov.ics"' in response.headers["Content-Disposition"]
    )


def second_programme() -> Programme:
    """A small second programme whose one workstream Becca Bradd leads."""
    becca = user_by_email(LEAD).person
    owner = user_by_email(OTHER_LEAD).person
    with acting_as(Actor("test")):
        programme = Programme(
            slug="medway-merger",
            name="Medway trusts merger",
            from_organisation="Two trusts",
            to_organisation="One trust",
            start_date=date(2022, 1, 4),
            go_live_date=date(2022, 10, 3),
        )
        workstream = Workstream(programme=programme, code="HR", name="Staff transfer")
        workstream.lead_links.append(WorkstreamLead(person=becca))
        db.session.add_all([programme, workstream])
        db.session.flush()
        db.session.add(
            Milestone(
                programme=programme,
                workstream=workstream,
                ref="HR-01",
                title="Staff side consulted",
                owner=owner,
                kind="point",
                due_date=date(2022, 9, 1),
            )
        )
        db.session.commit()
    join(LEAD, "medway-merger", "lead")
    return programme


def test_person_feed_spans_programmes(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    second_programme()
    found = events_by_ref(fetch(anonymous_client, becca_feed.token))
    hr = found["HR-01"]
    assert str(hr["UID"]) == f"milestone-medway-merger-{milestone('HR-01').id}@{HOST}"
    assert "Programme: Medway trusts merger" in str(hr["DESCRIPTION"])
    assert str(hr["URL"]) == "http://127.0.0.1:5000/p/medway-merger/milestones/HR-01"
    assert "PEO-09" in found


def test_a_feed_takes_the_same_queries_however_many_milestones(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed, statements: list[str]
) -> None:
    fetch(anonymous_client, becca_feed.token)
    few = len(statements)
    becca = user_by_email(LEAD).person
    peo = db.session.scalar(select(Workstream).where(Workstream.code == "PEO"))
    with acting_as(Actor("test")):
        for n in range(20):
            db.session.add(
                Milestone(
                    programme_id=peo.programme_id,
                    workstream_id=peo.id,
                    ref=f"PEO-{60 + n}",
                    title=f"Extra step {n}",
                    owner_id=becca.id,
                    kind="point",
                    due_date=date(2022, 6, 1) + timedelta(days=n),
                )
            )
        db.session.commit()
    statements.clear()
    assert len(events_by_ref(fetch(anonymous_client, becca_feed.token))) > 50
    assert len(statements) == few
    assert few < 20


# --- the secret address --------------------------------------------------------------------


def test_tokens_are_long_random_and_url_safe(app: Flask, becca_feed: CalendarFeed) -> None:
    tokens = {calendar_feeds.new_token() for _ in range(50)} | {becca_feed.token}
    assert len(tokens) == 51
    alphabet = set(string.ascii_letters + string.digits + "-_")
    for token in tokens:
        # 32 random bytes: 43 base64url characters, 256 bits.
        assert len(token) >= 43
        assert set(token) <= alphabet
    # Not a counter or a timestamp: characters spread over the alphabet.
    assert len(set("".join(tokens))) > 50


def test_the_feed_needs_no_session_and_sets_no_cookie(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    response = anonymous_client.get(path(becca_feed.token))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="milestones-becca-bradd.ics"'
    )
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Set-Cookie" not in response.headers
    assert response.get_data().startswith(b"BEGIN:VCALENDAR\r\n")


def test_unknown_and_revoked_addresses_get_the_same_404(
    admin_client: FlaskClient, anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    token = becca_feed.token
    unknown = anonymous_client.get(path(calendar_feeds.new_token()))
    with acting_as(Actor("test")):
        calendar_feeds.revoke_feed(Viewer(instance_admin=True), becca_feed.id)
    revoked = anonymous_client.get(path(token))
    assert unknown.status_code == revoked.status_code == 404
    assert unknown.get_data() == revoked.get_data()
    assert unknown.headers["Content-Type"] == revoked.headers["Content-Type"]
    assert "Set-Cookie" not in revoked.headers
    # Not even with a session.
    assert admin_client.get(path(token)).status_code == 404


def test_a_deactivated_accounts_feeds_stop(
    anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    user = user_by_email(LEAD)
    with acting_as(Actor("test")):
        user.is_active = False
        db.session.commit()
    assert anonymous_client.get(path(becca_feed.token)).status_code == 404


# --- the page: create ----------------------------------------------------------------------


def test_page_for_each_role_makes_a_personal_feed(role_client: FlaskClient) -> None:
    email = {"admin": ADMIN, "lead": LEAD, "board": BOARD_MEMBER}[role_client.role]
    response = role_client.get("/account/calendar")
    assert response.status_code == 200
    soup = page(response)
    assert soup.find("h1").get_text(strip=True) == "Calendar feeds"
    assert soup.find("button", string=re.compile("Create your calendar feed"))
    assert addresses(response) == {}
    assert "Subscribe from web" in soup.get_text()
    assert bool(soup.find(id="everyones-feeds")) == (role_client.role == "admin")

    response = role_client.post("/account/calendar/my-feed")
    assert response.status_code == 302
    [feed] = feeds_of(email)
    assert feed.person_feed and feed.workstream_id is None and feed.revoked_at is None
    [created] = feed_audit(feed.id)
    assert created.action == "create" and created.user_id == user_by_email(email).id

    response = role_client.get("/account/calendar")
    shown = addresses(response)
    assert shown == {
        "Address of your calendar feed": f"http://127.0.0.1:5000/calendar/{feed.token}.ics"
    }
    assert "Your calendar feed is ready" in response.get_data(as_text=True)
    assert not page(response).find("button", string=re.compile("Create your calendar feed"))


def test_asking_again_gives_the_same_feed(lead_client: FlaskClient) -> None:
    lead_client.post("/account/calendar/my-feed")
    lead_client.post("/account/calendar/my-feed")
    assert len(feeds_of(LEAD)) == 1
    response = lead_client.get("/account/calendar")
    assert "You already have a calendar feed" in response.get_data(as_text=True)


def test_anyone_may_make_a_feed_of_any_workstream(
    client: FlaskClient, anonymous_client: FlaskClient
) -> None:
    gov = db.session.scalar(select(Workstream).where(Workstream.code == "GOV"))
    response = client.post("/account/calendar/workstream-feeds", data={"workstream": gov.id})
    assert response.status_code == 302
    [feed] = feeds_of(BOARD_MEMBER)
    assert feed.workstream_id == gov.id and not feed.person_feed
    response = client.get("/account/calendar")
    [(label, address)] = addresses(response).items()
    assert label == "Address of the GOV calendar feed"
    assert set(events_by_ref(fetch(anonymous_client, token_of(address)))) == refs_where(
        Workstream.code == "GOV"
    )
    # The page offers every workstream.
    options = page(response).select("select#workstream option")
    workstream_count = db.session.scalar(select(func.count()).select_from(Workstream))
    assert len([o for o in options if o["value"]]) == workstream_count


@pytest.mark.parametrize("chosen", ["", "999999", "GOV"])
def test_a_workstream_must_be_chosen(lead_client: FlaskClient, chosen: str) -> None:
    response = lead_client.post("/account/calendar/workstream-feeds", data={"workstream": chosen})
    assert response.status_code == 200
    soup = page(response)
    assert soup.title.get_text().startswith("Error: ")
    summary = soup.select_one(".nhsuk-error-summary").get_text()
    assert "Choose a workstream" in summary
    assert soup.select_one("#workstream").find_parent(class_="nhsuk-form-group--error")
    assert feeds_of(LEAD) == []


# --- the page: renew and revoke ------------------------------------------------------------


def test_renewing_stops_the_old_address_at_once(
    lead_client: FlaskClient, anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    old = becca_feed.token
    response = lead_client.post("/account/calendar/renew", data={"feed": becca_feed.id})
    assert response.status_code == 302
    db.session.refresh(becca_feed)
    new = becca_feed.token
    assert new != old and len(new) >= 43
    assert anonymous_client.get(path(old)).status_code == 404
    assert anonymous_client.get(path(new)).status_code == 200
    page_after = lead_client.get("/account/calendar")
    assert addresses(page_after)["Address of your calendar feed"].endswith(f"/{new}.ics")
    assert "has a new address" in page_after.get_data(as_text=True)
    # Audited as Becca Bradd's change, without the token itself.
    renewed = feed_audit(becca_feed.id)[-1]
    assert (renewed.action, renewed.field) == ("update", "token")
    assert renewed.old_value == renewed.new_value == "(set)"
    assert renewed.user_id == user_by_email(LEAD).id


def test_revoking_stops_the_address(
    lead_client: FlaskClient, anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    token = becca_feed.token
    response = lead_client.post("/account/calendar/revoke", data={"feed": becca_feed.id})
    assert response.status_code == 302
    db.session.refresh(becca_feed)
    assert becca_feed.revoked_at is not None
    assert anonymous_client.get(path(token)).status_code == 404
    after = lead_client.get("/account/calendar")
    assert addresses(after) == {}
    assert "Revoked the calendar feed of your milestones" in after.get_data(as_text=True)
    revoked = feed_audit(becca_feed.id)[-1]
    assert (revoked.action, revoked.field) == ("update", "revoked_at")
    # A revoked feed is gone: it cannot be renewed back to life.
    again = lead_client.post("/account/calendar/renew", data={"feed": becca_feed.id})
    assert again.status_code == 404


@pytest.mark.parametrize("action", ["renew", "revoke"])
@pytest.mark.parametrize("email", [BOARD_MEMBER, OTHER_LEAD])
def test_nobody_else_may_renew_or_revoke_a_feed(
    app: Flask,
    anonymous_client: FlaskClient,
    becca_feed: CalendarFeed,
    action: str,
    email: str,
) -> None:
    other = sign_in_as(app.test_client(), email)
    token = becca_feed.token
    audited = len(feed_audit(becca_feed.id))
    response = other.post(f"/account/calendar/{action}", data={"feed": becca_feed.id})
    assert response.status_code == 403
    db.session.refresh(becca_feed)
    assert becca_feed.token == token and becca_feed.revoked_at is None
    assert len(feed_audit(becca_feed.id)) == audited
    assert anonymous_client.get(path(token)).status_code == 200


def test_an_admin_may_revoke_anyones_feed(
    admin_client: FlaskClient, anonymous_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    listed = page(admin_client.get("/account/calendar")).select_one("#everyones-feeds")
    row = listed.find("td", string="Becca Bradd").find_parent("tr")
    assert "Their milestones" in row.get_text()
    assert row.find("input", attrs={"name": "feed"})["value"] == str(becca_feed.id)
    # Admins see that a feed exists, never its address.
    assert becca_feed.token not in str(listed)

    token = becca_feed.token
    response = admin_client.post("/account/calendar/revoke", data={"feed": becca_feed.id})
    assert response.status_code == 302
    db.session.refresh(becca_feed)
    assert becca_feed.revoked_at is not None
    assert anonymous_client.get(path(token)).status_code == 404
    assert feed_audit(becca_feed.id)[-1].user_id == user_by_email(ADMIN).id
    after = page(admin_client.get("/account/calendar")).get_text()
    assert "Revoked the calendar feed of Becca Bradd's milestones" in after


def test_renew_and_revoke_need_a_feed_that_exists(lead_client: FlaskClient) -> None:
    assert lead_client.post("/account/calendar/revoke", data={}).status_code == 400
    assert lead_client.post("/account/calendar/revoke", data={"feed": "x"}).status_code == 400
    assert lead_client.post("/account/calendar/renew", data={"feed": 999999}).status_code == 404


def test_feed_changes_need_sign_in_and_csrf(
    anonymous_client: FlaskClient, lead_client: FlaskClient, becca_feed: CalendarFeed
) -> None:
    for url in ("/account/calendar/renew", "/account/calendar/revoke"):
        response = anonymous_client.post(url, data={"feed": becca_feed.id})
        assert response.status_code == 302 and response.location.startswith("/sign-in")
        response = lead_client.post(url, data={"feed": becca_feed.id}, csrf=False)
        assert response.status_code == 400
    token = becca_feed.token
    db.session.refresh(becca_feed)
    assert becca_feed.token == token and becca_feed.revoked_at is None


def test_only_users_own_feeds_are_listed(app: Flask, becca_feed: CalendarFeed) -> None:
    other = sign_in_as(app.test_client(), OTHER_LEAD)
    assert addresses(other.get("/account/calendar")) == {}
    assert becca_feed.token not in other.get("/account/calendar").get_data(as_text=True)
    assert db.session.get(User, becca_feed.user_id).email == LEAD


def test_a_feed_with_nothing_in_it_is_still_a_calendar(
    app: Flask, anonymous_client: FlaskClient
) -> None:
    board = user_by_email(BOARD_MEMBER).person
    assert refs_where(Milestone.owner_id == board.id) == set()
    cal = fetch(anonymous_client, make_feed(BOARD_MEMBER).token)
    assert cal.walk("VEVENT") == []
    assert str(cal["X-WR-CALNAME"]) == "Paul Bentley: transition milestones"
