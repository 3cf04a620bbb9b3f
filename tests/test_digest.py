"""The weekly digest, sent with `flask digest send` through a real SMTP server (tests/mail.py).

Today is Monday 4 April 2022 (ISO week 2022-W14). In the seed, 13 accounts get the digest,
go-live is at risk with 3 working days of slack, and DIG-05, FIN-06 and PEO-09 are overdue.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from tests import mail
from tests.helpers import count, milestone, programme
from tests.mail import SmtpServer, point_app_at
from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import (
    DigestDelivery,
    DigestRun,
    DigestSnapshot,
    Membership,
    Person,
    Programme,
    Risk,
    User,
    Workstream,
)
from tracker.models.base import utcnow

# The SMTP server fixture, made visible to the tests of this module.
smtp_server = mail.smtp_server

SLUG = "kent-and-medway"
SUBJECT = "Transition status w/c 4 April 2022: go-live at risk (3 days' slack)"
LEAD = "becca.bradd@example.org"  # leads PEO, MED and ENG
BOARD_MEMBER = "paul.bentley@example.org"
EVERYONE = sorted(
    f"{name}@example.org"
    for name in (
        "becca.bradd",
        "gareth.morgan",
        "helen.marsh",
        "ivor.duffy",
        "james.porter",
        "lisa.keslake",
        "mike.gilbert",
        "morfydd.williams",
        "paul.bentley",
        "sarah.collins",
        "simon.wright",
        "tom.stevenson",
        "wilf.williams",
    )
)
WORKSTREAMS = ["GOV", "PEO", "FMD", "ANA", "MED", "DIG", "PRC", "FIN", "ASU", "ENG"]
MILESTONE_LISTS = [
    "Overdue",
    "Due in the next two weeks",
    "Completed last week",
    "Forecasts that moved since the last digest",
]


# --- helpers -----------------------------------------------------------------------------


def send(runner: FlaskCliRunner, *args: str) -> Result:
    return runner.invoke(args=["digest", "send", *args])


def base_url(app: Flask) -> str:
    return str(app.config["APP_BASE_URL"]).rstrip("/")


def ledger() -> dict[str, DigestDelivery]:
    """This week's deliveries by email (W14 unless the test says otherwise)."""
    rows = db.session.scalars(select(DigestDelivery).order_by(DigestDelivery.id)).all()
    return {row.email: row for row in rows}


def parts(message: EmailMessage) -> tuple[str, str]:
    """(text, html) of a multipart/alternative digest."""
    assert message.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    # Lines come off the wire ending in CRLF.
    text, html = (part.get_content().replace("\r\n", "\n") for part in message.iter_parts())
    return text, html


def html_of(message: EmailMessage) -> BeautifulSoup:
    return BeautifulSoup(parts(message)[1], "html.parser")


def heading_title(text: str) -> str:
    return re.sub(r"\s*\(\d+\)$", "", text.strip())


def html_lists(page: BeautifulSoup) -> dict[str, list[str]]:
    """Each h2 section's list of refs (milestones) or codes (workstreams), in order."""
    found: dict[str, list[str]] = {}
    for h2 in page.find_all("h2"):
        following = h2.find_next_sibling()
        refs: list[str] = []
        if isinstance(following, Tag) and following.name == "table":
            for row in following.find_all("tr"):
                cell = row.find("td")
                if cell is not None and cell.a is not None:
                    refs.append(cell.a.get_text(strip=True))
        found[heading_title(h2.get_text(" ", strip=True))] = refs
    return found


def text_lists(text: str) -> dict[str, list[str]]:
    """The same from the plain-text part: sections are capitalised titles, items '- REF'."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        heading = re.fullmatch(r"([A-Z][A-Z ]*[A-Z])(?: \(\d+\))?", line.strip())
        if heading:
            current = found.setdefault(heading.group(1).capitalize(), [])
            continue
        item = re.match(r"- (?:\[yours\] )?(\S+) ", line)
        if item and current is not None:
            current.append(item.group(1))
    return found


def rows_of(page: BeautifulSoup, title: str) -> list[Tag]:
    h2 = page.find("h2", string=re.compile(rf"^{re.escape(title)}"))
    assert isinstance(h2, Tag), title
    table = h2.find_next_sibling("table")
    assert isinstance(table, Tag), title
    return [row for row in table.find_all("tr") if row.find("td")]


def figure(page: BeautifulSoup, label: str) -> str:
    """A value from the digest's table of figures, by its label."""
    cell = page.find("td", string=re.compile(rf"^{re.escape(label)}"))
    assert isinstance(cell, Tag), label
    value = cell.find_next_sibling("td")
    assert isinstance(value, Tag)
    return value.get_text(" ", strip=True)


def user(email: str) -> User:
    found = db.session.scalar(select(User).join(Person).where(Person.email == email))
    assert found is not None
    return found


# --- the message -------------------------------------------------------------------------


def test_everyone_gets_one_multipart_message_recorded_in_the_ledger(
    app: Flask, runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    result = send(runner)

    assert result.exit_code == 0, result.output
    assert "week 2022-W14: 13 sent, 0 skipped as already sent, 0 failed." in result.output
    assert sorted(smtp_server.recipients()) == EVERYONE
    rows = ledger()
    assert sorted(rows) == EVERYONE
    assert {(r.status, r.attempts, r.week_start) for r in rows.values()} == {
        ("sent", 1, date(2022, 4, 4))
    }
    for received in smtp_server.received:
        message = received.message
        (to,) = received.recipients
        assert message["Subject"] == SUBJECT
        assert parseaddr(message["From"]) == ("Transition tracker", app.config["MAIL_FROM"])
        assert parseaddr(message["To"])[1] == to
        assert received.sender == app.config["MAIL_FROM"]
        assert message["Auto-Submitted"] == "auto-generated"
        # The ledger knows which message went, by the Message-ID the mail client shows.
        assert rows[to].message_id == message["Message-ID"]
        assert rows[to].sent_at is not None and rows[to].last_error is None
        parts(message)
    assert len({r.message["Message-ID"] for r in smtp_server.received}) == 13
    (run,) = db.session.scalars(select(DigestRun)).all()
    assert (run.sent, run.skipped, run.failed, run.error) == (13, 0, 0, None)
    assert run.finished_at is not None and run.host
    assert {r.run_id for r in rows.values()} == {run.id}


def test_both_parts_carry_the_same_items(runner: FlaskCliRunner, smtp_server: SmtpServer) -> None:
    assert send(runner, "--to", BOARD_MEMBER).exit_code == 0
    text, html = parts(smtp_server.one_to(BOARD_MEMBER))
    in_html = html_lists(BeautifulSoup(html, "html.parser"))
    in_text = text_lists(text)

    assert in_html["Overdue"] == ["DIG-05", "FIN-06", "PEO-09"]
    assert in_html["Due in the next two weeks"] == ["PRC-05"]
    assert in_html["Completed last week"] == ["FIN-05", "FMD-05"]
    assert in_html["Forecasts that moved since the last digest"] == []
    assert in_html["Workstreams"] == WORKSTREAMS
    for title in [*MILESTONE_LISTS, "Workstreams"]:
        assert in_text[title] == in_html[title], title
    # The risks too: the same refs in both.
    risk_refs = set(re.findall(r"\bR\d\d\b", BeautifulSoup(html, "html.parser").get_text()))
    assert risk_refs and risk_refs == set(re.findall(r"\bR\d\d\b", text))
    for words in ["GO-LIVE AT RISK", "Milestones complete: 48 of 109", "Overdue: 3"]:
        assert words in text
    assert "Dear Paul Bentley" in text and "Dear Paul Bentley" in html
    assert "This is the first digest" in text and "This is the first digest" in html


def test_html_part_is_self_contained_with_styles_inlined(
    app: Flask, runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    assert send(runner, "--to", LEAD).exit_code == 0
    html = parts(smtp_server.one_to(LEAD))[1]
    page = BeautifulSoup(html, "html.parser")

    assert page.find("script") is None and "<script" not in html.lower()
    assert page.find("link") is None  # no stylesheets, no preloads
    assert page.find("style") is None  # inlined: Outlook and Gmail drop <style> blocks
    assert page.find(["img", "iframe", "object", "embed", "video", "audio"]) is None
    for banned in ["@font-face", "@import", "url(", "fonts.googleapis", "javascript:"]:
        assert banned not in html.lower(), banned
    base = base_url(app)
    addresses = [tag["href"] for tag in page.find_all(href=True)]
    addresses += [tag["src"] for tag in page.find_all(src=True)]
    assert addresses and all(str(a).startswith(f"{base}/") for a in addresses), addresses
    # Styles are on the elements themselves.
    body = page.find("body")
    assert isinstance(body, Tag) and "font-family: Arial" in str(body.get("style"))
    assert len(page.find_all(style=True)) > 50
    mine = page.find("tr", class_="mine")
    assert isinstance(mine, Tag) and "background-color" in str(mine.td.get("style"))


def test_the_numbers_equal_the_dashboards_for_the_same_day(
    client: FlaskClient, runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    from tests.test_board_pages import card, soup

    assert send(runner, "--to", BOARD_MEMBER).exit_code == 0
    email = html_of(smtp_server.one_to(BOARD_MEMBER))
    dashboard = soup(client, f"/p/{SLUG}/")

    def on_dashboard(heading: str) -> str:
        return card(dashboard, heading).find(class_="tracker-figure").get_text(" ", strip=True)

    def refs(section_id: str) -> list[str]:
        table = dashboard.find("h2", id=section_id).find_next("table")
        return [row.find("a").text for row in table.tbody.find_all("tr")]

    assert on_dashboard("Milestones complete") == figure(email, "Milestones complete")
    assert figure(email, "Milestones complete") == "48 of 109"
    assert figure(email, "Against plan to date").startswith(on_dashboard("Against plan to date"))
    assert on_dashboard("Overdue") == figure(email, "Overdue") == "3"
    assert on_dashboard("Slack on the critical path") == figure(email, "Slack on the critical path")
    assert figure(email, "Slack on the critical path") == "3 working days"
    assert on_dashboard("Working days to go-live") == figure(email, "Working days to go-live")
    status = email.find("div", class_="status").get_text(" ", strip=True)
    assert "Go-live at risk" in status
    assert f"forecast {on_dashboard('Forecast go-live')}" in status
    assert "At risk" in dashboard.find(id="go-live-heading").get_text(" ", strip=True)

    lists = html_lists(email)
    assert lists["Overdue"] == refs("overdue") == ["DIG-05", "FIN-06", "PEO-09"]
    assert lists["Due in the next two weeks"] == refs("due-soon") == ["PRC-05"]

    # Each workstream's schedule and reported RAG, as the dashboard's table has them.
    table = dashboard.find("h2", id="workstreams").find_next("table")
    on_board = {}
    for row in table.tbody.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all("td")]
        on_board[cells[0]] = (cells[2].lower(), cells[3].split()[0].lower())
    in_email = {}
    for row in rows_of(email, "Workstreams"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all("td")]
        name = cells[0].split(" ", 1)[1]
        in_email[name] = (cells[1].lower(), cells[2].lower())
    assert in_email == on_board


def test_without_a_baseline_the_digest_still_matches_the_dashboard(
    client: FlaskClient, runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    from tests.test_board_pages import card, soup

    programme = db.session.scalar(select(Programme).where(Programme.slug == SLUG))
    assert programme is not None
    with acting_as(Actor("test")):
        programme.current_baseline_id = None
        db.session.commit()

    assert send(runner, "--to", BOARD_MEMBER).exit_code == 0
    message = smtp_server.one_to(BOARD_MEMBER)
    email = html_of(message)
    dashboard = soup(client, f"/p/{SLUG}/")

    slip = card(dashboard, "Slip against baseline").find(class_="tracker-figure").text.strip()
    assert slip == "No baseline"
    assert figure(email, "Slip against the baseline") == "No baseline"
    assert "Slip against the baseline: no baseline" in parts(message)[0]
    assert figure(email, "Milestones complete") == "48 of 109"
    assert html_lists(email)["Overdue"] == ["DIG-05", "FIN-06", "PEO-09"]
    assert message["Subject"] == SUBJECT


# --- personalisation and links -----------------------------------------------------------


def test_a_lead_gets_her_own_workstreams_and_items_first(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    assert send(runner).exit_code == 0
    lead = smtp_server.one_to(LEAD)
    text, html = parts(lead)
    page = BeautifulSoup(html, "html.parser")
    lists = html_lists(page)

    assert lists["Workstreams"] == ["PEO", "MED", "ENG", "GOV", "FMD", "ANA", "DIG", "PRC"] + [
        "FIN",
        "ASU",
    ]
    assert lists["Overdue"] == ["PEO-09", "DIG-05", "FIN-06"]  # hers first, then the rest
    mine = [row.td.a.text for row in page.find_all("tr", class_="mine")]
    assert mine[:4] == ["PEO-09", "PEO", "MED", "ENG"]
    assert "Your workstreams (PEO, MED, ENG) come first" in page.get_text(" ", strip=True)
    assert text_lists(text)["Workstreams"][:3] == ["PEO", "MED", "ENG"]
    assert "- [yours] PEO-09 " in text and "- [yours] DIG-05" not in text

    # A board member leads nothing: the programme's own order, nothing marked.
    board_text, board_html = parts(smtp_server.one_to(BOARD_MEMBER))
    board_page = BeautifulSoup(board_html, "html.parser")
    assert html_lists(board_page)["Workstreams"] == WORKSTREAMS
    assert html_lists(board_page)["Overdue"] == ["DIG-05", "FIN-06", "PEO-09"]
    assert board_page.find(class_="mine") is None
    assert "[yours]" not in board_text and "Your workstreams" not in board_text
    # Both are addressed by name.
    assert "Dear Becca Bradd" in text and "Dear Paul Bentley" in board_text


def test_every_item_links_to_its_page_and_the_footer_to_the_email_settings(
    app: Flask, lead_client: FlaskClient, runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    assert send(runner, "--to", LEAD).exit_code == 0
    text, html = parts(smtp_server.one_to(LEAD))
    page = BeautifulSoup(html, "html.parser")
    base = base_url(app)

    items = 0
    for title in MILESTONE_LISTS:
        h2 = page.find("h2", string=re.compile(rf"^{re.escape(title)}"))
        following = h2.find_next_sibling() if h2 else None
        if not (isinstance(following, Tag) and following.name == "table"):
            continue
        for row in rows_of(page, title):
            link = row.td.a
            ref = link.get_text(strip=True)
            assert link["href"] == f"{base}/p/{SLUG}/milestones/{ref}"
            assert f"\n  {base}/p/{SLUG}/milestones/{ref}\n" in text
            items += 1
    assert items == 6  # 3 overdue, 1 due soon, 2 completed
    for row in rows_of(page, "Workstreams"):
        code = row.td.a.get_text(strip=True)
        assert row.td.a["href"] == f"{base}/p/{SLUG}/workstreams/{code}"

    settings = page.find("a", string="Manage your email settings")
    assert isinstance(settings, Tag) and settings["href"] == f"{base}/account/email"
    assert f"Manage your email settings: {base}/account/email" in text

    # Each link is a page of the app that opens for the person it was sent to.
    paths = {urlsplit(str(a["href"])) for a in page.find_all("a", href=True)}
    for address in paths:
        url = address.path + (f"?{address.query}" if address.query else "")
        response = lead_client.get(url)
        assert response.status_code == 200, url


# --- who gets it -------------------------------------------------------------------------


def test_people_who_opted_out_or_were_deactivated_get_nothing(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    with acting_as(Actor("test")):
        user("mike.gilbert@example.org").digest_opt_out = True
        user("tom.stevenson@example.org").is_active = False
        db.session.commit()

    result = send(runner)

    assert result.exit_code == 0, result.output
    expected = sorted(set(EVERYONE) - {"mike.gilbert@example.org", "tom.stevenson@example.org"})
    assert sorted(smtp_server.recipients()) == expected
    assert sorted(ledger()) == expected
    assert "11 sent, 0 skipped" in result.output


def test_a_lead_with_nothing_in_the_programme_gets_nothing(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    with acting_as(Actor("test")):
        nina = Person(name="Nina Newman", email="nina.newman@example.org")
        bob = Person(name="Bob Boardman", email="bob.boardman@example.org")
        kent = programme()
        for person, role in ((nina, "lead"), (bob, "board")):
            db.session.add(User(person=person))
            db.session.add(Membership(person=person, programme=kent, role=role))
        # Someone with an account and no programme hears about none.
        db.session.add(User(person=Person(name="Ned Nobody", email="ned.nobody@example.org")))
        db.session.commit()

    assert send(runner).exit_code == 0

    # A board member reads every programme; a lead only hears about their own.
    assert "bob.boardman@example.org" in smtp_server.recipients()
    assert "nina.newman@example.org" not in smtp_server.recipients()
    assert "ned.nobody@example.org" not in smtp_server.recipients()
    assert len(smtp_server.received) == 14


# --- running it again, dry runs and options ----------------------------------------------


def test_a_second_run_sends_nobody_anything_again(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    assert send(runner).exit_code == 0
    first = {to: row.message_id for to, row in ledger().items()}

    result = send(runner)

    assert result.exit_code == 0, result.output
    assert "0 sent, 13 skipped as already sent, 0 failed." in result.output
    assert len(smtp_server.received) == 13
    assert {to: row.message_id for to, row in ledger().items()} == first
    assert {row.attempts for row in ledger().values()} == {1}
    runs = db.session.scalars(select(DigestRun).order_by(DigestRun.id)).all()
    assert [(r.sent, r.skipped, r.failed) for r in runs] == [(13, 0, 0), (0, 13, 0)]


def test_dry_run_sends_and_records_nothing_and_names_each_recipient(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    result = send(runner, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Would send the digest for" in result.output
    for email in EVERYONE:
        line = rf"would send\s+{re.escape(email)} \((lead|board|admin)\): "
        assert re.search(line, result.output), email
    assert result.output.count(SUBJECT) == 13
    assert "13 would be sent, 0 skipped as already sent, 0 failed." in result.output
    assert smtp_server.received == []
    assert count(DigestDelivery) == count(DigestRun) == count(DigestSnapshot) == 0


def test_dry_run_needs_no_relay_and_knows_who_already_has_it(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    assert send(runner, "--to", LEAD).exit_code == 0
    smtp_server.stop()

    result = send(runner, "--dry-run")

    assert result.exit_code == 0, result.output
    assert re.search(rf"would skip\s+{re.escape(LEAD)}: already sent", result.output)
    assert "12 would be sent, 1 skipped as already sent" in result.output
    assert count(DigestDelivery) == 1 and count(DigestRun) == 1


def test_to_sends_to_that_person_only(runner: FlaskCliRunner, smtp_server: SmtpServer) -> None:
    result = send(runner, "--to", " Becca.Bradd@Example.org ")

    assert result.exit_code == 0, result.output
    assert smtp_server.recipients() == [LEAD]
    assert list(ledger()) == [LEAD]
    assert "1 sent, 0 skipped" in result.output

    # The full run later sends everyone else, and not her again.
    result = send(runner)
    assert "12 sent, 1 skipped as already sent" in result.output
    assert sorted(smtp_server.recipients()) == EVERYONE


def test_week_option_sends_that_weeks_digest(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    result = send(runner, "--week", "2022-W15", "--to", BOARD_MEMBER)

    assert result.exit_code == 0, result.output
    assert "week 2022-W15: 1 sent" in result.output
    message = smtp_server.one_to(BOARD_MEMBER)
    assert message["Subject"].startswith("Transition status w/c 11 April 2022: go-live ")
    assert ledger()[BOARD_MEMBER].week_start == date(2022, 4, 11)
    # A different week is a different delivery: this week's is still to send.
    assert "1 sent" in send(runner, "--to", BOARD_MEMBER).output
    assert [m["Subject"] for m in smtp_server.to(BOARD_MEMBER)][1] == SUBJECT


@pytest.mark.parametrize("week", ["2022-W99", "next", "2022-14", "W14", "2022-W53"])
def test_a_bad_week_is_a_clear_error(
    runner: FlaskCliRunner, smtp_server: SmtpServer, week: str
) -> None:
    result = send(runner, "--week", week)

    assert result.exit_code == 2, result.output
    assert re.search(r"Invalid value for '?--week'?: ", result.output)
    assert f"'{week}' is not an ISO week like 2022-W14" in result.output
    assert smtp_server.received == []
    assert count(DigestDelivery) == count(DigestRun) == 0


def test_an_empty_week_is_an_error_not_this_week(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    # As from a cron line `--week "$WEEK"` with WEEK unset: not a week, so nothing is sent.
    result = send(runner, "--week", "")

    assert result.exit_code == 2, result.output
    assert smtp_server.received == []


def test_an_unknown_programme_is_a_clear_error(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    result = send(runner, "--programme", "nowhere")

    assert result.exit_code == 2
    assert "there is no programme 'nowhere'" in result.output
    assert smtp_server.received == []


# --- when the relay says no --------------------------------------------------------------


def test_a_refused_recipient_is_recorded_does_not_stop_the_others_and_is_retried(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    # Paul Bentley is in the middle of the alphabetical order: people come after him.
    smtp_server.refuse(BOARD_MEMBER)

    result = send(runner)

    assert result.exit_code != 0
    assert "12 sent, 0 skipped as already sent, 1 failed." in result.output, result.output
    assert re.search(rf"FAILED\s+{re.escape(BOARD_MEMBER)}: .*550 5\.1\.1 Mailbox", result.output)
    rows = ledger()
    assert rows[BOARD_MEMBER].status == "failed"
    assert "550 5.1.1 Mailbox unavailable" in (rows[BOARD_MEMBER].last_error or "")
    assert rows[BOARD_MEMBER].sent_at is None and rows[BOARD_MEMBER].message_id is None
    others = sorted(set(EVERYONE) - {BOARD_MEMBER})
    assert sorted(e for e, row in rows.items() if row.status == "sent") == others
    assert sorted(smtp_server.recipients()) == others
    run = db.session.scalars(select(DigestRun)).one()
    assert (run.sent, run.failed, run.error) == (12, 1, None)

    # The relay takes it now: the next run sends only the one that failed.
    smtp_server.accept_all()
    result = send(runner)

    assert result.exit_code == 0, result.output
    assert "1 sent, 12 skipped as already sent, 0 failed." in result.output
    db.session.expire_all()
    paul = ledger()[BOARD_MEMBER]
    assert (paul.status, paul.attempts, paul.last_error) == ("sent", 2, None)
    assert paul.message_id == smtp_server.one_to(BOARD_MEMBER)["Message-ID"]
    assert sorted(smtp_server.recipients()) == EVERYONE


def test_a_relay_that_is_down_is_a_clear_error_and_nothing_is_marked_sent(
    app: Flask, runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()  # nothing listens on SMTP_PORT now

    result = send(runner)

    assert result.exit_code != 0
    assert f"cannot use the mail relay {smtp_server.address}" in result.output, result.output
    assert "0 sent, 0 skipped as already sent, 0 failed. Stopped: " in result.output
    assert count(DigestDelivery) == 0
    assert count(DigestSnapshot) == 0  # next week compares with a digest that went
    run = db.session.scalars(select(DigestRun)).one()
    assert run.error and smtp_server.address in run.error
    assert run.sent == 0 and run.finished_at is not None

    # When the relay is back, the next run sends everyone.
    with SmtpServer() as relay:
        point_app_at(app, relay)  # the fixture puts the settings back afterwards
        result = send(runner)
        assert result.exit_code == 0, result.output
        assert sorted(relay.recipients()) == EVERYONE


def test_a_relay_that_goes_away_mid_run_stops_it_and_the_next_run_finishes(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    smtp_server.hang_up_after(5)

    result = send(runner)

    assert result.exit_code != 0
    assert "Stopped: the mail relay went away" in result.output, result.output
    got = smtp_server.recipients()
    assert got == EVERYONE[:5]
    # Only what the relay took is marked sent; nobody later was tried.
    rows = ledger()
    assert sorted(e for e, row in rows.items() if row.status == "sent") == got
    assert all(row.status == "failed" for e, row in rows.items() if e not in got)
    run = db.session.scalars(select(DigestRun)).one()
    assert run.error and "went away" in run.error

    smtp_server.accept_all()
    result = send(runner)

    assert result.exit_code == 0, result.output
    assert "8 sent, 5 skipped as already sent, 0 failed." in result.output
    assert sorted(smtp_server.recipients()) == EVERYONE  # each once


def test_a_claim_left_by_a_run_that_died_is_retried_but_a_fresh_one_is_not(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    programme_id = db.session.scalar(select(Programme.id))
    assert programme_id is not None
    for email, claimed in [
        (BOARD_MEMBER, utcnow() - timedelta(hours=2)),  # its run died mid-send
        (LEAD, utcnow() - timedelta(minutes=1)),  # another run is sending it now
    ]:
        db.session.add(
            DigestDelivery(
                programme_id=programme_id,
                week_start=date(2022, 4, 4),
                user_id=user(email).id,
                email=email,
                status="sending",
                claimed_at=claimed,
            )
        )
    db.session.commit()

    result = send(runner)

    assert result.exit_code == 0, result.output
    assert "12 sent, 1 skipped" in result.output
    assert LEAD not in smtp_server.recipients()
    assert smtp_server.recipients().count(BOARD_MEMBER) == 1
    db.session.expire_all()
    assert (ledger()[BOARD_MEMBER].status, ledger()[BOARD_MEMBER].attempts) == ("sent", 2)
    assert ledger()[LEAD].status == "sending"


# --- since the last digest ---------------------------------------------------------------


def next_monday(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "TRACKER_TODAY", date(2022, 4, 11))


def test_next_weeks_digest_shows_a_moved_forecast_and_a_changed_rag(
    app: Flask, runner: FlaskCliRunner, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert send(runner).exit_code == 0
    assert "This is the first digest" in parts(smtp_server.one_to(LEAD))[0]
    # Becca Bradd pushes MED-06 out a fortnight during the week.
    with acting_as(Actor("Becca Bradd")):
        med = milestone("MED-06")
        assert med.due_date == date(2022, 5, 27) and med.forecast_date is None
        med.forecast_date = date(2022, 6, 10)
        med.forecast_reason = "Clinical forum rescheduled"
        db.session.commit()
    smtp_server.clear()

    next_monday(app, monkeypatch)
    result = send(runner)

    assert result.exit_code == 0, result.output
    assert "week 2022-W15: 13 sent" in result.output
    message = smtp_server.one_to(LEAD)
    assert message["Subject"].startswith("Transition status w/c 11 April 2022: ")
    text, html = parts(message)
    page = BeautifulSoup(html, "html.parser")
    moved = {
        row.td.a.text: row.get_text(" ", strip=True)
        for row in rows_of(page, "Forecasts that moved since the last digest")
    }
    assert "forecast moved later: 27 May 2022 to 10 June 2022" in moved["MED-06"]
    assert list(moved)[0] == "MED-06"  # hers first
    assert "MED-06" in text_lists(text)["Forecasts that moved since the last digest"]
    assert "Forecast moved later: 27 May 2022 to 10 June 2022." in text
    # Milestones that stayed put are not listed as moved.
    assert "PEO-10" not in moved and "GOV-13" not in moved

    # PRC-05 fell overdue during the week, so Procurement went from amber to red.
    workstreams = {
        row.td.a.text: [c.get_text(" ", strip=True) for c in row.find_all("td")]
        for row in rows_of(page, "Workstreams")
    }
    assert workstreams["PRC"][1] == "Red"
    assert workstreams["PRC"][3] == "schedule was Amber"
    assert workstreams["ASU"][3] == "no change"
    assert "PRC Procurement and contracting: schedule red, reported amber (last week: " in text


def test_a_risk_raised_after_last_weeks_digest_went_is_new_next_week(
    app: Flask, runner: FlaskCliRunner, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert send(runner).exit_code == 0  # Monday 4 April's digest has gone
    programme = db.session.scalar(select(Programme).where(Programme.slug == SLUG))
    peo = db.session.scalar(select(Workstream).where(Workstream.code == "PEO"))
    assert programme is not None and peo is not None
    with acting_as(Actor("Sarah Collins")):
        db.session.add(
            Risk(
                programme=programme,
                ref="R99",
                title="Payroll cut-over date clashes with year-end",
                owner=user(LEAD).person,
                workstream_id=peo.id,
                consequence=4,
                likelihood=3,
                target_consequence=4,
                target_likelihood=1,
                raised_on=date(2022, 4, 4),  # that afternoon
                review_on=date(2022, 5, 2),
            )
        )
        db.session.commit()
    smtp_server.clear()

    next_monday(app, monkeypatch)
    assert send(runner).exit_code == 0

    text = parts(smtp_server.one_to(BOARD_MEMBER))[0]
    assert "New risks:\n- R99 Payroll cut-over date clashes with year-end" in text


def test_the_snapshot_is_what_the_first_run_of_the_week_reported(
    runner: FlaskCliRunner, smtp_server: SmtpServer
) -> None:
    assert send(runner, "--to", LEAD).exit_code == 0
    assert send(runner).exit_code == 0

    (kept,) = db.session.scalars(select(DigestSnapshot)).all()
    assert kept.week_start == date(2022, 4, 4)
    assert kept.data["as_at"] == "2022-04-04"
    assert kept.data["forecasts"]["PEO-09"] == "2022-04-14"
    assert "FIN-05" not in kept.data["forecasts"]  # complete: it cannot move
    assert kept.data["schedule_rags"]["PRC"] == "amber"
    assert isinstance(kept.taken_at, datetime)
