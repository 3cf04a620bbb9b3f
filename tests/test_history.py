"""The programme-wide history page: every change, who made it, when, from what to what.

Changes are made through the ORM as named users (tracker.audit.acting_as), as the pages and
the CLI make them, and then read back from the page as a user would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD, OTHER_LEAD
from tests.helpers import join, milestone, programme, user_id
from tracker import audit
from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import AuditEvent, Milestone, Person, Programme, Risk, User, Workstream
from tracker.services.accounts import user_by_email
from tracker.services.history import programme_history

HISTORY = "/p/kent-and-medway/history"


# --- helpers -------------------------------------------------------------------------------


def actor_for(email: str) -> Actor:
    user = user_by_email(email)
    assert user is not None
    return Actor(user.name, user.id)


def as_actor(who: Actor, edit: Callable[[], None]) -> None:
    """Make a change and commit it, attributed to `who`."""
    with acting_as(who):
        edit()
        db.session.commit()


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Pins the moment the audit trail records for the next changes."""

    def set_time(moment: datetime) -> None:
        monkeypatch.setattr(audit, "utcnow", lambda: moment)

    return set_time


def page(client: FlaskClient, url: str = HISTORY) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def rows(doc: BeautifulSoup) -> list[dict[str, str | None]]:
    """The history table, a dict per row: when, who, kind, record, link, change, from, to."""
    table = doc.find("table", id="history")
    if table is None:
        return []
    found = []
    for tr in table.tbody.find_all("tr"):
        cells = tr.find_all("td")
        record = cells[2]
        link = record.find("a")
        kind = record.find("span")
        found.append(
            {
                "when": cells[0].get_text(strip=True),
                "who": cells[1].get_text(strip=True),
                "kind": kind.get_text(strip=True) if kind else None,
                "record": link.get_text(strip=True)
                if link
                else record.get_text(strip=True).removeprefix(kind.get_text(strip=True)),
                "link": link["href"] if isinstance(link, Tag) else None,
                "change": cells[3].get_text(strip=True),
                "from": cells[4].get_text(strip=True),
                "to": cells[5].get_text(strip=True),
            }
        )
    return found


def count_text(doc: BeautifulSoup) -> str:
    found = doc.find(id="change-count")
    assert found is not None
    return found.get_text(" ", strip=True)


FILTER_LABELS = ("Changed by", "Workstream", "What", "From date", "To date")


def errors(doc: BeautifulSoup) -> list[str]:
    """The summary's messages. Each names its field itself, so a label the summary puts
    before it is left off."""
    summary = doc.find(class_="nhsuk-error-summary")
    if summary is None:
        return []
    found = []
    for li in summary.find_all("li"):
        text = li.get_text(" ", strip=True)
        label = next((f"{lb}: " for lb in FILTER_LABELS if text.startswith(f"{lb}: ")), "")
        found.append(text.removeprefix(label))
    return found


def retitle(ref: str, title: str) -> Callable[[], None]:
    def edit() -> None:
        milestone(ref).title = title

    return edit


# --- what the page lists -------------------------------------------------------------------


def test_lists_changes_newest_first_with_who_what_and_old_to_new(
    app: Flask, client: FlaskClient
) -> None:
    becca, mike = actor_for(LEAD), actor_for(OTHER_LEAD)
    old_title = milestone("PEO-09").title
    as_actor(becca, retitle("PEO-09", "TUPE list agreed with staff side"))

    def move_due() -> None:
        milestone("GOV-02").due_date = date(2022, 5, 20)

    old_due = milestone("GOV-02").due_date
    as_actor(mike, move_due)

    listed = rows(page(client))
    assert listed[0]["who"] == "Mike Gilbert"
    assert listed[0]["kind"] == "Milestone"
    assert listed[0]["record"].startswith("GOV-02 ")
    assert listed[0]["link"] == "/p/kent-and-medway/milestones/GOV-02"
    assert listed[0]["change"] == "Due date"
    assert listed[0]["from"] == f"{old_due.day} {old_due:%B %Y}"
    assert listed[0]["to"] == "20 May 2022"

    assert listed[1]["who"] == "Becca Bradd"
    assert listed[1]["record"] == "PEO-09 TUPE list agreed with staff side"
    assert listed[1]["link"] == "/p/kent-and-medway/milestones/PEO-09"
    assert listed[1]["change"] == "Title"
    assert (listed[1]["from"], listed[1]["to"]) == (old_title, "TUPE list agreed with staff side")


def test_times_are_shown_in_london_time(
    app: Flask, client: FlaskClient, clock: Callable[[datetime], None]
) -> None:
    clock(datetime(2022, 6, 1, 23, 30, tzinfo=UTC))  # 00:30 on 2 June in London (BST)
    as_actor(actor_for(LEAD), retitle("PEO-09", "Summer change"))
    listed = rows(page(client, f"{HISTORY}?person={user_id(LEAD)}"))
    assert listed[0]["when"] == "2 June 2022 00:30 BST"


def test_created_and_deleted_records_and_a_milestone_that_has_gone(
    app: Flask, admin_client: FlaskClient
) -> None:
    peo = db.session.scalar(select(Workstream).where(Workstream.code == "PEO"))
    owner = db.session.scalar(select(Person).where(Person.email == LEAD))
    assert peo is not None and owner is not None
    sarah = actor_for(ADMIN)
    added = Milestone(
        programme_id=peo.programme_id,
        workstream_id=peo.id,
        ref="PEO-99",
        title="Temporary milestone",
        owner_id=owner.id,
        kind="point",
        due_date=date(2022, 6, 1),
    )
    as_actor(sarah, lambda: db.session.add(added))
    as_actor(sarah, lambda: db.session.delete(added))

    listed = rows(page(admin_client, f"{HISTORY}?person={user_id(ADMIN)}"))
    assert [(r["change"], r["record"], r["link"]) for r in listed] == [
        ("Deleted", "PEO-99 Temporary milestone", None),
        ("Created", "PEO-99 Temporary milestone", None),
    ]
    assert listed[0]["from"] == listed[0]["to"] == ""


def test_a_milestone_whose_ref_changed_links_to_its_current_ref(
    app: Flask, client: FlaskClient
) -> None:
    def rename() -> None:
        milestone("PEO-09").ref = "PEO-90"

    as_actor(actor_for(ADMIN), rename)
    listed = rows(page(client, f"{HISTORY}?person={user_id(ADMIN)}"))
    assert listed[0]["change"] == "Reference"
    assert (listed[0]["from"], listed[0]["to"]) == ("PEO-09", "PEO-90")
    assert listed[0]["link"] == "/p/kent-and-medway/milestones/PEO-90"


def test_other_programmes_changes_are_not_listed(app: Flask, client: FlaskClient) -> None:
    with acting_as(Actor("cli")):
        other = Programme(
            name="Elsewhere transition",
            slug="elsewhere",
            from_organisation="NHS Elsewhere CCG",
            to_organisation="NHS Elsewhere ICB",
            start_date=date(2021, 7, 1),
            go_live_date=date(2022, 7, 1),
        )
        db.session.add(other)
        db.session.commit()
    join(BOARD_MEMBER, "elsewhere", "board")  # the switcher lists programmes one belongs to
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.programme_id == other.id)
    )
    doc = page(client)
    switcher = doc.select_one("form.tracker-switcher")
    assert "Elsewhere transition" in switcher.get_text()  # where one changes programme
    switcher.decompose()
    assert "Elsewhere transition" not in doc.get_text()
    assert "cli" not in [option.get("value") for option in doc.select("#person option")]


# --- filters -------------------------------------------------------------------------------


def test_filter_by_person_shows_only_their_changes(app: Flask, client: FlaskClient) -> None:
    as_actor(actor_for(LEAD), retitle("PEO-09", "By Becca"))
    as_actor(actor_for(OTHER_LEAD), retitle("GOV-02", "By Mike"))
    as_actor(actor_for(LEAD), retitle("MED-01", "By Becca again"))

    doc = page(client, f"{HISTORY}?person={user_id(LEAD)}")
    listed = rows(doc)
    assert [r["to"] for r in listed] == ["By Becca again", "By Becca"]
    assert {r["who"] for r in listed} == {"Becca Bradd"}
    assert count_text(doc) == "Showing 1 to 2 of 2 changes that match these filters."
    chosen = doc.select_one("#person option[selected]")
    assert chosen is not None and chosen.text == "Becca Bradd"


def test_filter_by_someone_without_an_account(app: Flask, client: FlaskClient) -> None:
    as_actor(Actor("cli"), retitle("PEO-09", "From the command line"))
    as_actor(actor_for(LEAD), retitle("PEO-09", "From the page"))

    doc = page(client)
    options = {o["value"]: o.text for o in doc.select("#person option")}
    assert options["cli"] == "cli"
    assert options[str(user_id(LEAD))] == "Becca Bradd"

    listed = rows(page(client, f"{HISTORY}?person=cli"))
    assert [(r["who"], r["to"]) for r in listed] == [("cli", "From the command line")]


def test_filter_by_workstream(app: Flask, client: FlaskClient) -> None:
    mike = actor_for(OTHER_LEAD)
    as_actor(mike, retitle("PEO-09", "People change"))
    as_actor(mike, retitle("GOV-02", "Governance change"))
    as_actor(mike, retitle("GOV-03", "Another governance change"))

    listed = rows(page(client, f"{HISTORY}?person={user_id(OTHER_LEAD)}&workstream=GOV"))
    assert [r["to"] for r in listed] == ["Another governance change", "Governance change"]

    # On its own, the filter gives exactly the workstream's events, the seed's included.
    gov = db.session.scalar(select(Workstream).where(Workstream.code == "GOV"))
    assert gov is not None
    found = programme_history(programme(), workstream_id=gov.id, per_page=1000)
    expected = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.workstream_id == gov.id)
    )
    assert found.total == expected == len(found.events)
    doc = page(client, f"{HISTORY}?workstream=GOV")
    assert f"of {expected} changes" in count_text(doc)


def test_filter_by_what_kind_of_record(app: Flask, client: FlaskClient) -> None:
    becca = actor_for(LEAD)
    risk = db.session.scalar(select(Risk).order_by(Risk.ref).limit(1))
    assert risk is not None

    def mitigate() -> None:
        risk.mitigation = "Weekly check-in with staff side"

    as_actor(becca, retitle("PEO-09", "Milestone change"))
    as_actor(becca, mitigate)

    doc = page(client, f"{HISTORY}?person={user_id(LEAD)}&what=Risk")
    listed = rows(doc)
    assert [(r["kind"], r["change"], r["to"]) for r in listed] == [
        ("Risk", "Mitigation", "Weekly check-in with staff side")
    ]
    assert listed[0]["link"] is None  # only milestones have a page to link to
    options = {o["value"]: o.text for o in doc.select("#what option")}
    assert options["Milestone"] == "Milestones"
    assert options["Dependency"] == "Dependencies"
    assert options["StatusUpdate"] == "Weekly highlights"
    assert options["GoLiveTarget"] == "Go-live target"

    listed = rows(page(client, f"{HISTORY}?person={user_id(LEAD)}&what=Milestone"))
    assert [r["to"] for r in listed] == ["Milestone change"]


@pytest.fixture()
def around_midnight(app: Flask, clock: Callable[[datetime], None]) -> Iterator[None]:
    """Three changes by Becca either side of midnight in London in summer (BST, UTC+1)."""
    becca = actor_for(LEAD)
    clock(datetime(2022, 6, 1, 22, 59, tzinfo=UTC))  # 23:59 on 1 June in London
    as_actor(becca, retitle("PEO-09", "Last thing on 1 June"))
    clock(datetime(2022, 6, 1, 23, 5, tzinfo=UTC))  # 00:05 on 2 June in London
    as_actor(becca, retitle("PEO-09", "Just after midnight BST"))
    clock(datetime(2022, 6, 3, 10, 0, tzinfo=UTC))  # 11:00 on 3 June in London
    as_actor(becca, retitle("PEO-09", "Morning of 3 June"))
    yield


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ("from_date=2022-06-02&to_date=2022-06-02", ["Just after midnight BST"]),
        ("to_date=2022-06-01", ["Last thing on 1 June"]),
        ("from_date=2022-06-02", ["Morning of 3 June", "Just after midnight BST"]),
        ("from_date=2022-06-01&to_date=2022-06-01", ["Last thing on 1 June"]),
        (
            "from_date=2022-06-01&to_date=2022-06-03",
            ["Morning of 3 June", "Just after midnight BST", "Last thing on 1 June"],
        ),
        ("from_date=2022-06-04", []),
    ],
)
def test_filter_by_london_calendar_days(
    around_midnight: None, client: FlaskClient, dates: str, expected: list[str]
) -> None:
    doc = page(client, f"{HISTORY}?person={user_id(LEAD)}&{dates}")
    assert [r["to"] for r in rows(doc)] == expected
    if not expected:
        assert count_text(doc) == "No changes match these filters."


def test_date_filter_without_a_person_leaves_out_later_changes(
    around_midnight: None, client: FlaskClient
) -> None:
    # The seed was loaded when the test run began, long after June 2022.
    listed = rows(page(client, f"{HISTORY}?to_date=2022-06-02"))
    assert [r["to"] for r in listed] == ["Just after midnight BST", "Last thing on 1 June"]


def test_bad_filter_values_are_named_and_ignored(app: Flask, client: FlaskClient) -> None:
    as_actor(actor_for(LEAD), retitle("PEO-09", "Becca's change"))
    response = client.get(
        f"{HISTORY}?person={user_id(LEAD)}&from_date=2022-02-31&workstream=XYZ&what=Nonsense"
    )
    doc = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert response.status_code == 200
    assert doc.title is not None and doc.title.text.startswith("Error: ")
    assert "These filters were not applied:" in doc.find(class_="nhsuk-error-summary").text
    assert errors(doc) == [
        "Choose a workstream from the list",
        "Choose what was changed from the list",
        "Enter the from date as a date, like 1 April 2022",
    ]
    # What the user typed is kept in the field, next to its message.
    assert doc.select_one("#from_date")["value"] == "2022-02-31"
    # The good filter still applies; the bad ones are left out.
    assert [r["to"] for r in rows(doc)] == ["Becca's change"]


def test_unknown_person_and_dates_the_wrong_way_round(app: Flask, client: FlaskClient) -> None:
    doc = page(client, f"{HISTORY}?person=99999&from_date=2022-06-03&to_date=2022-06-01")
    assert errors(doc) == [
        "Choose who made the change from the list",
        "The to date must be the same as or after the from date",
    ]
    # From 3 June on still applies: that includes the seed.
    assert rows(doc)


# --- pagination ----------------------------------------------------------------------------


def sixty_changes(who: Actor) -> list[str]:
    titles = [f"Change {n:02d}" for n in range(1, 61)]
    with acting_as(who):
        for title in titles:
            milestone("PEO-09").title = title
            db.session.flush()
        db.session.commit()
    return titles


def test_pagination_keeps_the_filters(app: Flask, client: FlaskClient) -> None:
    titles = sixty_changes(actor_for(LEAD))
    becca = user_id(LEAD)

    first = page(client, f"{HISTORY}?person={becca}&what=Milestone")
    assert count_text(first) == "Showing 1 to 50 of 60 changes that match these filters."
    assert [r["to"] for r in rows(first)] == titles[::-1][:50]
    nav = first.find("nav", class_="nhsuk-pagination")
    assert nav is not None
    assert nav.find("a", rel="prev") is None
    next_link = nav.find("a", rel="next")
    assert "Page 2 of 2" in next_link.get_text(" ", strip=True)
    query = parse_qs(urlparse(next_link["href"]).query)
    assert query == {"person": [str(becca)], "what": ["Milestone"], "page": ["2"]}

    second = page(client, next_link["href"])
    assert count_text(second) == "Showing 51 to 60 of 60 changes that match these filters."
    assert [r["to"] for r in rows(second)] == titles[::-1][50:]
    nav = second.find("nav", class_="nhsuk-pagination")
    assert nav.find("a", rel="next") is None
    prev_link = nav.find("a", rel="prev")
    assert parse_qs(urlparse(prev_link["href"]).query)["page"] == ["1"]


def test_pagination_leaves_out_bad_filters_and_survives_bad_pages(
    app: Flask, client: FlaskClient
) -> None:
    sixty_changes(actor_for(LEAD))
    becca = user_id(LEAD)
    doc = page(client, f"{HISTORY}?person={becca}&workstream=XYZ")
    next_link = doc.find("nav", class_="nhsuk-pagination").find("a", rel="next")
    assert parse_qs(urlparse(next_link["href"]).query) == {"person": [str(becca)], "page": ["2"]}

    # A page past the end shows the last one; a page that is not a number, the first.
    assert "Showing 51 to 60 of 60" in count_text(page(client, f"{HISTORY}?person={becca}&page=9"))
    assert "Showing 1 to 50 of 60" in count_text(page(client, f"{HISTORY}?person={becca}&page=x"))
    assert "Showing 1 to 50 of 60" in count_text(page(client, f"{HISTORY}?person={becca}&page=0"))


def test_one_page_has_no_pagination(app: Flask, client: FlaskClient) -> None:
    as_actor(actor_for(LEAD), retitle("PEO-09", "Only change"))
    doc = page(client, f"{HISTORY}?person={user_id(LEAD)}")
    assert count_text(doc) == "Showing 1 to 1 of 1 change that match these filters."
    assert doc.find("nav", class_="nhsuk-pagination") is None


# --- who may read it -----------------------------------------------------------------------


def test_every_role_can_read_the_history(app: Flask, role_client: FlaskClient) -> None:
    as_actor(actor_for(OTHER_LEAD), retitle("GOV-02", "Seen by everyone"))
    doc = page(role_client)
    assert rows(doc)[0]["to"] == "Seen by everyone"
    assert "Showing 1 to 50 of" in count_text(doc)


def reset_mikes_password_and_digest() -> None:
    user = user_by_email(OTHER_LEAD)
    assert user is not None
    user.password_hash = "scrypt:32768:8:1$secret-salt$0123456789abcdef"
    user.digest_opt_out = True


def test_user_account_changes_are_for_admins_only(app: Flask, role_client: FlaskClient) -> None:
    as_actor(actor_for(ADMIN), reset_mikes_password_and_digest)
    sarah = user_id(ADMIN)

    doc = page(role_client, f"{HISTORY}?person={sarah}")
    listed = rows(doc)
    what = [o["value"] for o in doc.select("#what option")]
    if role_client.role == "admin":  # type: ignore[attr-defined]
        assert "User" in what
        changes = {r["change"]: (r["from"], r["to"]) for r in listed}
        assert changes == {"Password": ("(set)", "(set)"), "No weekly digest": ("No", "Yes")}
        assert {r["kind"] for r in listed} == {"User account"}
        assert {r["record"] for r in listed} == {"Mike Gilbert"}
    else:
        assert "User" not in what
        # Sarah made no other change, so she is not offered, and the filter is not applied.
        assert errors(doc) == ["Choose who made the change from the list"]
        assert "User account" not in {r["kind"] for r in listed}
        # Asking for account changes by name is refused, not obeyed.
        doc = page(role_client, f"{HISTORY}?what=User")
        assert errors(doc) == ["Choose what was changed from the list"]
        assert "User account" not in {r["kind"] for r in rows(doc)}
        assert programme_history(programme()).total == programme_history(
            programme(), with_accounts=True
        ).total - db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.entity_type == "User")
        )
    assert "secret-salt" not in str(doc)


def test_a_person_seen_only_in_account_changes_is_not_offered_to_others(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    as_actor(actor_for(ADMIN), reset_mikes_password_and_digest)
    sarah = str(user_id(ADMIN))
    assert sarah in [o["value"] for o in page(admin_client).select("#person option")]
    assert sarah not in [o["value"] for o in page(client).select("#person option")]


def test_the_trail_cannot_be_changed_through_the_app(app: Flask, admin_client: FlaskClient) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("history."):
            assert rule.methods is not None
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    for method in ("post", "put", "patch", "delete"):
        response = getattr(admin_client, method)(HISTORY)
        assert response.status_code in (400, 405), method
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


# --- queries -------------------------------------------------------------------------------


def statements_for(app: Flask, client: FlaskClient, url: str) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    # An empty session, as each request in production has (here the test's session outlives
    # requests, and what it still holds depends on the garbage collector).
    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen)


def test_query_count_does_not_grow_with_the_events_shown(
    app: Flask, admin_client: FlaskClient
) -> None:
    mike = actor_for(OTHER_LEAD)
    url = f"{HISTORY}?person={mike.user_id}"
    with acting_as(mike):
        for n in range(5):
            milestone(f"GOV-0{n + 1}").title = f"Five {n}"
        db.session.commit()
    assert len(rows(page(admin_client, url))) == 5
    with_five = statements_for(app, admin_client, url)

    with acting_as(mike):
        for n in range(55):
            milestone("GOV-02" if n % 2 else "GOV-03").title = f"More {n}"
            db.session.flush()
        db.session.commit()
    assert len(rows(page(admin_client, url))) == 50
    with_sixty = statements_for(app, admin_client, url)
    assert 0 < with_five == with_sixty


def test_service_counts_and_pages(app: Flask) -> None:
    sixty_changes(Actor("cli"))
    found = programme_history(programme(), actor="cli", per_page=25, page=3)
    assert (found.total, found.page, found.pages) == (60, 3, 3)
    assert (found.first_shown, found.last_shown) == (51, 60)
    assert found.has_previous and not found.has_next
    assert {e.actor for e in found.events} == {"cli"}
    assert found.milestone_refs == {milestone("PEO-09").id: "PEO-09"}
    # User accounts only when asked for (admins).
    assert not programme_history(programme(), entity_type="User").total
    accounts = programme_history(programme(), entity_type="User", with_accounts=True).total
    assert accounts == db.session.scalar(select(func.count(User.id)))


@pytest.mark.parametrize(
    ("recorded", "shown"),
    [
        ("2022-07-01", "1 July 2022"),
        ("2022-06-01T23:30:00+00:00", "2 June 2022 00:30 BST"),  # a moment, in London time
        ("2022-02-31", "2022-02-31"),  # not a date after all: shown as recorded
        (None, "–"),
        ("", "–"),
        ("(set)", "(set)"),
    ],
)
def test_values_read_as_people_write_them(recorded: str | None, shown: str) -> None:
    from tracker.history.words import value_words

    assert value_words(recorded) == shown


@pytest.mark.parametrize(
    ("action", "field", "shown"),
    [
        ("create", None, "Created"),
        ("delete", None, "Deleted"),
        ("update", "owner_id", "Owner"),
        ("update", "completed_by_id", "Completed by"),
        ("update", "is_key", "Key milestone"),
        ("update", "password_hash", "Password"),
        ("update", "rag", "RAG"),
    ],
)
def test_changes_are_named_in_words(action: str, field: str | None, shown: str) -> None:
    from tracker.history.words import change_words

    assert change_words(action, field) == shown


def test_a_scenarios_changes_read_in_words() -> None:
    from tracker.domain.scenarios import SetGoLiveTarget, Slip, edits_to_json
    from tracker.history.words import field_words, value_words

    recorded = str(edits_to_json([Slip("PEO-03", 15), SetGoLiveTarget(date(2022, 8, 1))]))
    assert value_words(recorded, "edits") == (
        f"{Slip('PEO-03', 15).summary}; {SetGoLiveTarget(date(2022, 8, 1)).summary}"
    )
    assert value_words("[]", "edits") == "none"
    assert value_words("yes", "shared") == "Yes"
    assert field_words("edits", "Scenario") == "changes it makes"
