"""The weekly digest in the app, for the programme office: a preview that is exactly the email
a person gets for a week, and the ledger of runs and deliveries with failures and retries.

Sending is captured by a fake relay in place of smtplib.SMTP (real SMTP is tested elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup, Tag
from flask.testing import FlaskClient

from tests.conftest import ADMIN, BOARD_MEMBER, LEAD
from tests.helpers import error_for, join, page, programme, user_id
from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import DigestDelivery, DigestRun, DigestSnapshot, Programme
from tracker.services import digest_delivery
from tracker.services.accounts import user_by_email
from tracker.services.digest_content import recipients
from tracker.services.digest_delivery import send_week

SLUG = "kent-and-medway"
INDEX = f"/p/{SLUG}/digest/"
PREVIEW = f"/p/{SLUG}/digest/preview"
PREVIEW_TEXT = f"/p/{SLUG}/digest/preview.txt"
WEEK_14 = date(2022, 4, 4)  # the seed's "today" is Monday 4 April 2022
WEEK_13 = date(2022, 3, 28)
RELAY_WENT_AWAY = "the mail relay went away: SMTPServerDisconnected: Connection unexpectedly closed"


# --- helpers -------------------------------------------------------------------------------


def table_rows(html: BeautifulSoup, table_id: str) -> list[list[str]]:
    table = html.find("table", id=table_id)
    assert isinstance(table, Tag), f"no table #{table_id}"
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in table.find("tbody").find_all("tr")
    ]


def words(html: BeautifulSoup | Tag) -> str:
    """The text as a reader sees it: whitespace collapsed."""
    return " ".join(html.get_text(" ").split())


def summary_errors(html: BeautifulSoup) -> list[str]:
    summary = html.find(class_="nhsuk-error-summary")
    return [li.get_text(" ", strip=True) for li in summary.find_all("li")] if summary else []


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def ledger_counts() -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        for model in (DigestRun, DigestDelivery, DigestSnapshot)
    )


class FakeRelay:
    """Stands in for smtplib.SMTP: accepts every message and keeps it."""

    sent: list[EmailMessage]

    def __init__(self, host: str, port: int, timeout: float | None = None) -> None:
        self.host, self.port = host, port

    def starttls(self) -> None:
        pass

    def login(self, user: str, password: str) -> None:
        pass

    def send_message(self, msg: EmailMessage) -> dict[str, Any]:
        self.sent.append(msg)
        return {}

    def quit(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture()
def relay(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[EmailMessage]]:
    sent: list[EmailMessage] = []
    fake = type("Relay", (FakeRelay,), {"sent": sent})
    monkeypatch.setattr(digest_delivery.smtplib, "SMTP", fake)
    yield sent


def part(msg: EmailMessage, subtype: str) -> str:
    body = msg.get_body(preferencelist=(subtype,))
    assert body is not None and body.get_content_subtype() == subtype
    return str(body.get_content())


def as_mime_text(text: str) -> str:
    """A text part as it comes out of an email: set_content ends it with a line break."""
    return text if text.endswith("\n") else text + "\n"


@pytest.fixture()
def ledger() -> dict[str, int]:
    """Two weeks of runs: week 13 sent cleanly; week 14's first run failed one delivery and
    was then stopped by the relay, its second retried and sent it, a third found nothing to
    do. Returns the run ids."""
    becca, paul, sarah = user_id(LEAD), user_id(BOARD_MEMBER), user_id(ADMIN)
    gareth = user_id("gareth.morgan@example.org")
    programme_id = programme().id
    runs = {
        "w13": DigestRun(
            programme_id=programme_id,
            week_start=WEEK_13,
            started_at=at(WEEK_13, 6),
            finished_at=at(WEEK_13, 6, 1),
            host="app-1",
            sent=3,
        ),
        "w14-first": DigestRun(
            programme_id=programme_id,
            week_start=WEEK_14,
            started_at=at(WEEK_14, 6),
            finished_at=at(WEEK_14, 6, 2),
            host="app-1",
            sent=2,
            failed=1,
            error=RELAY_WENT_AWAY,
        ),
        "w14-retry": DigestRun(
            programme_id=programme_id,
            week_start=WEEK_14,
            started_at=at(WEEK_14, 7),
            finished_at=at(WEEK_14, 7, 1),
            host="app-2",
            sent=1,
            skipped=2,
        ),
        "w14-unfinished": DigestRun(
            programme_id=programme_id, week_start=WEEK_14, started_at=at(WEEK_14, 8), host="app-2"
        ),
    }
    db.session.add_all(runs.values())
    db.session.flush()
    ids = {name: run.id for name, run in runs.items()}

    def delivery(week: date, user: int, email: str, **values: Any) -> DigestDelivery:
        return DigestDelivery(
            programme_id=programme_id, week_start=week, user_id=user, email=email, **values
        )

    db.session.add_all(
        [
            delivery(
                WEEK_13,
                becca,
                LEAD,
                status="sent",
                claimed_at=at(WEEK_13, 6),
                sent_at=at(WEEK_13, 6),
                message_id="<w13.becca@example.org>",
                run_id=ids["w13"],
            ),
            delivery(
                WEEK_14,
                becca,
                LEAD,
                status="sent",
                claimed_at=at(WEEK_14, 6),
                sent_at=at(WEEK_14, 6, 1),
                message_id="<w14.becca@example.org>",
                run_id=ids["w14-first"],
            ),
            # Failed in the first run, retried and sent by the second: two attempts.
            delivery(
                WEEK_14,
                paul,
                BOARD_MEMBER,
                status="sent",
                attempts=2,
                claimed_at=at(WEEK_14, 7),
                sent_at=at(WEEK_14, 7, 1),
                message_id="<w14.paul@example.org>",
                run_id=ids["w14-retry"],
            ),
            # Refused, and not yet retried.
            delivery(
                WEEK_14,
                sarah,
                ADMIN,
                status="failed",
                claimed_at=at(WEEK_14, 6, 1),
                last_error="sarah.collins@example.org: 550 5.1.1 Mailbox unavailable",
                run_id=ids["w14-first"],
            ),
            # Claimed by a run that died mid-send, long ago: stale, the next run retries it.
            delivery(
                WEEK_14,
                gareth,
                "gareth.morgan@example.org",
                status="sending",
                claimed_at=datetime.now(UTC) - timedelta(hours=3),
                run_id=ids["w14-unfinished"],
            ),
        ]
    )
    db.session.commit()
    return ids


# --- the page ------------------------------------------------------------------------------


def test_admin_sees_whose_digest_to_preview_and_this_week(admin_client: FlaskClient) -> None:
    response = admin_client.get(INDEX)
    assert response.status_code == 200
    html = page(response)
    assert html.title.get_text().startswith("Weekly digest: Kent and Medway")
    form = html.find("form", action=PREVIEW)
    assert form is not None and form.get("method") == "get"
    options = [(o["value"], o.get_text(strip=True)) for o in form.find("select").find_all("option")]
    expected = recipients(programme())
    assert options[0] == ("", "Choose a person")
    assert [value for value, _ in options[1:]] == [str(r.user_id) for r in expected]
    assert dict(options)[str(user_id(LEAD))] == "Becca Bradd (lead: PEO, MED, ENG)"
    assert dict(options)[str(user_id(BOARD_MEMBER))] == "Paul Bentley (board)"
    # The admin's own digest is chosen, for this week.
    assert form.find("option", selected=True)["value"] == str(user_id(ADMIN))
    assert form.find("input", id="week")["value"] == "2022-W14"
    buttons = {b.get_text(strip=True): b.get("formaction") for b in form.find_all("button")}
    assert buttons == {"Preview": None, "Preview the plain-text version": PREVIEW_TEXT}
    text = words(html)
    assert f"{len(expected)} people get this programme's digest, and only they are listed" in text
    assert "opens the email as it will arrive" in text
    assert html.find(id="no-runs").get_text(strip=True) == (
        "The digest has not been sent for this programme yet."
    )
    assert html.find(id="no-deliveries") is not None


def test_admin_sees_runs_newest_first(admin_client: FlaskClient, ledger: dict[str, int]) -> None:
    html = page(admin_client.get(INDEX))
    rows = table_rows(html, "digest-runs")
    assert rows == [
        ["2022-W14", "4 April 2022 09:00 BST", "Not finished", "app-2", "0", "0", "0", ""],
        [
            "2022-W14",
            "4 April 2022 08:00 BST",
            "4 April 2022 08:01 BST",
            "app-2",
            "1",
            "2",
            "0",
            "",
        ],
        [
            "2022-W14",
            "4 April 2022 07:00 BST",
            "4 April 2022 07:02 BST",
            "app-1",
            "2",
            "0",
            "1",
            RELAY_WENT_AWAY,
        ],
        [
            "2022-W13",
            "28 March 2022 07:00 BST",
            "28 March 2022 07:01 BST",
            "app-1",
            "3",
            "0",
            "0",
            "",
        ],
    ]
    # Each run's week links to that week's deliveries.
    week_13 = html.find("table", id="digest-runs").find_all("tr")[-1].find("a")
    assert week_13["href"] == f"{INDEX}?deliveries_week=2022-W13#deliveries"


def test_admin_sees_the_latest_weeks_deliveries_with_failures_and_retries(
    admin_client: FlaskClient, ledger: dict[str, int]
) -> None:
    html = page(admin_client.get(INDEX))
    assert html.find("h2", id="deliveries").get_text(" ", strip=True) == (
        "Deliveries for week 2022-W14 (w/c 4 April 2022)"
    )
    assert words(html.find(id="delivery-counts")).startswith("2 sent, 1 failed, 1 sending.")
    rows = {row[0]: row for row in table_rows(html, "digest-deliveries")}
    assert list(rows) == ["Becca Bradd", "Gareth Morgan", "Paul Bentley", "Sarah Collins"]
    assert rows["Becca Bradd"] == [
        "Becca Bradd",
        LEAD,
        "Sent",
        "1",
        "4 April 2022 07:01 BST",
        "<w14.becca@example.org>",
        "",
    ]
    # The retry: sent on the second attempt.
    assert rows["Paul Bentley"][2:6] == [
        "Sent",
        "2",
        "4 April 2022 08:01 BST",
        "<w14.paul@example.org>",
    ]
    # The failure, with the relay's words.
    assert rows["Sarah Collins"][2:] == [
        "Failed",
        "1",
        "",
        "",
        "sarah.collins@example.org: 550 5.1.1 Mailbox unavailable",
    ]
    # Left "sending" by a run that died: said to be retried by the next run.
    assert rows["Gareth Morgan"][2].startswith("Sending since ")
    assert rows["Gareth Morgan"][2].endswith("the next run retries it")
    table = html.find("table", id="digest-deliveries")
    tags = [t.get_text(strip=True) for t in table.find_all("strong", class_="nhsuk-tag")]
    assert sorted(tags) == ["Failed", "Sending", "Sent", "Sent"]
    failed = next(t for t in table.find_all("strong") if t.get_text(strip=True) == "Failed")
    assert failed["class"] == ["nhsuk-tag", "nhsuk-tag--red"]
    # The week chooser offers the weeks with deliveries, latest first.
    chooser = html.find("select", id="deliveries_week")
    assert [o["value"] for o in chooser.find_all("option")] == ["2022-W14", "2022-W13"]
    assert chooser.find("option", selected=True)["value"] == "2022-W14"


def test_admin_chooses_another_weeks_deliveries(
    admin_client: FlaskClient, ledger: dict[str, int]
) -> None:
    html = page(admin_client.get(INDEX, query_string={"deliveries_week": "2022-W13"}))
    assert "Deliveries for week 2022-W13 (w/c 28 March 2022)" in html.find(
        "h2", id="deliveries"
    ).get_text(" ", strip=True)
    assert table_rows(html, "digest-deliveries") == [
        [
            "Becca Bradd",
            LEAD,
            "Sent",
            "1",
            "28 March 2022 07:00 BST",
            "<w13.becca@example.org>",
            "",
        ]
    ]


def test_a_week_without_deliveries_is_named_in_the_error_summary(
    admin_client: FlaskClient, ledger: dict[str, int]
) -> None:
    response = admin_client.get(INDEX, query_string={"deliveries_week": "2021-W01"})
    assert response.status_code == 200
    html = page(response)
    assert html.title.get_text().startswith("Error: Weekly digest")
    message = "No digest was delivered in week '2021-W01': choose a week from the list"
    assert summary_errors(html) == [message]
    assert error_for(html, "deliveries_week") == message
    # The latest week is shown meanwhile.
    assert "2022-W14" in html.find("h2", id="deliveries").get_text()


# --- the preview ---------------------------------------------------------------------------


@pytest.mark.parametrize("email", [LEAD, BOARD_MEMBER])
def test_the_preview_is_exactly_the_email_that_is_sent(
    admin_client: FlaskClient, relay: list[EmailMessage], email: str
) -> None:
    query = {"person": user_id(email), "week": "2022-W14"}
    html_response = admin_client.get(PREVIEW, query_string=query)
    text_response = admin_client.get(PREVIEW_TEXT, query_string=query)
    assert html_response.status_code == text_response.status_code == 200
    assert html_response.content_type == "text/html; charset=utf-8"
    assert text_response.content_type == "text/plain; charset=utf-8"
    preview_html = html_response.get_data(as_text=True)
    preview_text = text_response.get_data(as_text=True)

    report = send_week(programme(), WEEK_14, only=email)
    assert report.sent == [email] and report.ok
    assert len(relay) == 1 and relay[0]["To"].addresses[0].addr_spec == email
    assert part(relay[0], "html") == as_mime_text(preview_html)
    assert part(relay[0], "plain") == as_mime_text(preview_text)


def test_the_preview_is_the_email_alone_personalised(admin_client: FlaskClient) -> None:
    response = admin_client.get(PREVIEW, query_string={"person": user_id(LEAD), "week": "2022-W14"})
    html = page(response)
    # No site layout: the email's own document, as a mail client shows it.
    assert html.find(class_="nhsuk-header") is None
    assert html.find("form") is None and html.find("script") is None
    text = words(html)
    assert "Kent and Medway" in text and "4 April 2022" in text
    assert "Becca Bradd" in text
    # Links are absolute, on APP_BASE_URL, as in the email.
    hrefs = [a["href"] for a in html.find_all("a")]
    assert hrefs and all(h.startswith("http://127.0.0.1:5000/") for h in hrefs)

    plain = admin_client.get(
        PREVIEW_TEXT, query_string={"person": user_id(LEAD), "week": "2022-W14"}
    ).get_data(as_text=True)
    assert plain.startswith("Kent and Medway")
    assert "Your workstreams (PEO, MED, ENG) come first, marked [yours]." in plain


def test_a_preview_for_another_week_is_as_at_that_weeks_monday(admin_client: FlaskClient) -> None:
    plain = admin_client.get(
        PREVIEW_TEXT, query_string={"person": user_id(BOARD_MEMBER), "week": "2022-w16"}
    ).get_data(as_text=True)
    assert "week commencing 18 April 2022" in plain
    assert "this is the position at 18 April 2022." in plain


def test_a_preview_changes_nothing(admin_client: FlaskClient) -> None:
    before = ledger_counts()
    admin_client.get(PREVIEW, query_string={"person": user_id(LEAD), "week": "2022-W14"})
    admin_client.get(PREVIEW_TEXT, query_string={"person": user_id(LEAD), "week": "2022-W14"})
    assert ledger_counts() == before


NOT_LISTED = "Choose someone from the list of people who get the digest"
BAD_WEEK = "Enter the week as a year and week number, like 2022-W14, not '{}'"


@pytest.mark.parametrize(
    ("person", "week", "field", "message"),
    [
        ("999999", "2022-W14", "person", NOT_LISTED),
        ("becca", "2022-W14", "person", NOT_LISTED),
        (None, "2022-W14", "person", "Choose whose digest to see"),
        ("lead", "2022-14", "week", BAD_WEEK.format("2022-14")),
        ("lead", "2022-W60", "week", BAD_WEEK.format("2022-W60")),
        ("lead", "1990-W01", "week", "Enter a week within ten years of today (2022-W14)"),
        ("lead", "", "week", "Enter the week, like 2022-W14"),
    ],
)
@pytest.mark.parametrize("url", [PREVIEW, PREVIEW_TEXT])
def test_a_bad_preview_shows_the_page_with_the_problem(
    admin_client: FlaskClient, url: str, person: str | None, week: str, field: str, message: str
) -> None:
    query = {"week": week}
    if person is not None:
        query["person"] = str(user_id(LEAD)) if person == "lead" else person
    response = admin_client.get(url, query_string=query)
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    html = page(response)
    assert html.title.get_text().startswith("Error: Weekly digest")
    assert summary_errors(html) == [message]
    assert html.find(class_="nhsuk-error-summary").find("a")["href"] == f"#{field}"
    assert error_for(html, field) == message
    # What was typed is kept.
    assert html.find("input", id="week")["value"] == week
    assert not ledger_counts()[0]


def test_someone_who_does_not_get_the_digest_cannot_be_previewed(
    admin_client: FlaskClient,
) -> None:
    paul = user_by_email(BOARD_MEMBER)
    assert paul is not None
    with acting_as(Actor("test")):
        paul.digest_opt_out = True
        db.session.commit()
    html = page(admin_client.get(PREVIEW, query_string={"person": paul.id, "week": "2022-W14"}))
    assert summary_errors(html) == ["Choose someone from the list of people who get the digest"]
    options = [o["value"] for o in html.find("select", id="person").find_all("option")]
    assert str(paul.id) not in options


def test_a_programme_without_milestones_has_no_digest_to_preview(
    admin_client: FlaskClient,
) -> None:
    with acting_as(Actor("test")):
        db.session.add(
            Programme(
                slug="empty",
                name="Empty programme",
                from_organisation="A CCG",
                to_organisation="An ICB",
                start_date=date(2022, 1, 3),
                go_live_date=date(2022, 7, 1),
            )
        )
        db.session.commit()
    join(ADMIN, "empty", "admin")
    response = admin_client.get(
        "/p/empty/digest/preview", query_string={"person": user_id(ADMIN), "week": "2022-W14"}
    )
    assert response.status_code == 200
    assert summary_errors(page(response)) == [
        "The programme has no milestones yet, so there is no digest"
    ]


# --- who may see it ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [INDEX, PREVIEW, PREVIEW_TEXT])
def test_only_the_programme_office_sees_the_digest(
    role_client: FlaskClient, url: str, ledger: dict[str, int]
) -> None:
    query = {"person": user_id(LEAD), "week": "2022-W14", "deliveries_week": "2022-W14"}
    before = ledger_counts()
    response = role_client.get(url, query_string=query)
    if role_client.role == "admin":  # type: ignore[attr-defined]
        assert response.status_code == 200
        return
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "Only the programme office sees the digest&#39;s ledger." in body
    assert "w14.becca@example.org" not in body and "Becca Bradd" not in body.split("<h1")[-1]
    assert ledger_counts() == before


def test_the_nav_links_the_digest_for_admins_only(
    admin_client: FlaskClient, client: FlaskClient
) -> None:
    def nav_links(c: FlaskClient) -> list[str]:
        html = page(c.get(f"/p/{SLUG}/"))
        return [a.get_text(strip=True) for a in html.select("nav a")]

    assert "Weekly digest" in nav_links(admin_client)
    assert "Weekly digest" not in nav_links(client)


def test_the_programme_settings_link_the_digest_for_admins_only(
    admin_client: FlaskClient, client: FlaskClient
) -> None:
    """The digest's page is reached from programme settings, in the admins' header only."""

    def nav_links(c: FlaskClient) -> list[str]:
        html = page(c.get(f"/p/{SLUG}/"))
        return [a.get_text(strip=True) for a in html.select("nav a")]

    assert "Programme settings" in nav_links(admin_client)
    assert "Programme settings" not in nav_links(client)
    settings = page(admin_client.get(f"/p/{SLUG}/settings"))
    assert settings.find("a", string="Weekly digest")["href"] == f"/p/{SLUG}/digest/"
    assert client.get(f"/p/{SLUG}/settings").status_code == 403
