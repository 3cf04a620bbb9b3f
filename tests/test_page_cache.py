"""The dashboard's content, the Gantt chart and the milestone list are rendered once per plan
version, day and filters and shared by every reader; any change is in the very next page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from tests.conftest import ADMIN, LEAD, sign_in_as
from tests.test_board_pages import card, soup
from tracker.audit import Actor, acting_as
from tracker.extensions import db
from tracker.models import Milestone, StatusUpdate, Workstream
from tracker.services.fragments import FragmentCache, fragments

BASE = "/p/kent-and-medway"
FRAGMENTS = ("dashboard/_board.html", "plan/_gantt_chart.html", "plan/_milestone_list.html")


@pytest.fixture()
def rendered(app: Flask) -> Iterator[Counter[str]]:
    """How often each cached part is really rendered."""
    seen: Counter[str] = Counter()

    def count(sender, template, context, **extra) -> None:  # type: ignore[no-untyped-def]
        if template.name in FRAGMENTS:
            seen[template.name] += 1

    template_rendered.connect(count, app)
    yield seen
    template_rendered.disconnect(count, app)


def test_every_reader_gets_the_same_content_rendered_once(
    app: Flask, client: FlaskClient, rendered: Counter[str]
) -> None:
    pages = {}
    for email in (None, LEAD, ADMIN):
        reader = client if email is None else sign_in_as(app.test_client(), email)
        for page in ("/", "/gantt", "/milestones/"):
            response = reader.get(BASE + page)
            assert response.status_code == 200
            pages.setdefault(page, []).append(response.get_data(as_text=True))
    assert rendered == Counter({name: 1 for name in FRAGMENTS})
    # Each reader's page still has its own header: a lead's "My workstreams", an admin's
    # plan settings.
    dashboards = pages["/"]
    assert "My workstreams" in dashboards[1] and "My workstreams" not in dashboards[0]
    assert "Plan settings" in dashboards[2] and "Plan settings" not in dashboards[1]


def test_nothing_personal_is_kept(app: Flask, client: FlaskClient) -> None:
    for page in ("/", "/gantt", "/milestones/"):
        client.get(BASE + page)
    assert len(fragments) == 3
    for key in list(fragments._items):
        html = fragments.get(key)
        assert html
        assert "csrf_token" not in html and "nonce" not in html
        assert "Paul Bentley" not in html  # the board member reading: named in the header only


def test_filters_are_part_of_the_key_in_any_order(
    client: FlaskClient, rendered: Counter[str]
) -> None:
    one = client.get(f"{BASE}/milestones/?workstream=PEO&sort=float").get_data(as_text=True)
    two = client.get(f"{BASE}/milestones/?sort=float&workstream=PEO").get_data(as_text=True)
    other = client.get(f"{BASE}/milestones/?workstream=GOV").get_data(as_text=True)
    assert rendered["plan/_milestone_list.html"] == 2
    assert "PEO-09" in one and "PEO-09" in two and "PEO-09" not in other


def test_a_change_through_the_app_is_in_the_next_page(app: Flask, rendered: Counter[str]) -> None:
    lead = sign_in_as(app.test_client(), LEAD)
    before = soup(lead, f"{BASE}/")
    assert card(before, "Milestones complete").find(class_="tracker-figure").text == "48 of 109"
    form = lead.get(f"{BASE}/milestones/PEO-09/complete").get_data(as_text=True)
    version = form.split('name="version" type="hidden" value="', 1)[1].split('"', 1)[0]
    opened = form.split('name="opened_at" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = lead.post(
        f"{BASE}/milestones/PEO-09/complete",
        data={
            "version": version,
            "opened_at": opened,
            "completed_on": "2022-04-04",
            "evidence_text": "Signed off by the people committee.",
        },
    )
    assert response.status_code == 302
    after = soup(lead, f"{BASE}/")
    assert card(after, "Milestones complete").find(class_="tracker-figure").text == "49 of 109"
    assert rendered["dashboard/_board.html"] == 2


def test_a_change_through_another_worker_is_in_the_next_page(client: FlaskClient) -> None:
    gantt = client.get(f"{BASE}/gantt?workstream=PEO").get_data(as_text=True)
    assert "Estates survey delayed" not in gantt
    # Another worker's change: straight to the database, as another process would make it.
    with acting_as(Actor("Sarah Collins")):
        peo_10 = db.session.scalar(select(Milestone).where(Milestone.ref == "PEO-10"))
        peo_10.title = "Estates survey delayed"
        db.session.commit()
    assert "Estates survey delayed" in client.get(f"{BASE}/gantt?workstream=PEO").get_data(
        as_text=True
    )


def test_a_highlight_is_in_the_next_dashboard(client: FlaskClient) -> None:
    def peo_row() -> str:
        page = soup(client, f"{BASE}/")
        link = page.find("a", href=f"{BASE}/workstreams/PEO")
        return link.find_parent("tr").get_text(" ", strip=True)

    latest = db.session.scalar(
        select(StatusUpdate)
        .join(Workstream)
        .where(Workstream.code == "PEO", StatusUpdate.week_start <= date(2022, 4, 4))
        .order_by(StatusUpdate.week_start.desc())
        .limit(1)
    )
    before = peo_row()
    new_rag = "red" if latest.rag != "red" else "green"
    with acting_as(Actor("Becca Bradd")):
        latest.rag = new_rag
        db.session.commit()
    after = peo_row()
    assert after != before and new_rag.capitalize() in after


def test_a_new_day_renders_afresh(app: Flask, client: FlaskClient, rendered: Counter[str]) -> None:
    client.get(f"{BASE}/")
    app.config["TRACKER_TODAY"] = date(2022, 4, 5)
    try:
        assert "Position at 5 April 2022" in client.get(f"{BASE}/").get_data(as_text=True)
    finally:
        app.config["TRACKER_TODAY"] = date(2022, 4, 4)
    assert rendered["dashboard/_board.html"] == 2


def test_the_cache_can_be_turned_off(
    app: Flask, client: FlaskClient, rendered: Counter[str]
) -> None:
    app.config["PAGE_CACHE_CHARS"] = 0
    try:
        client.get(f"{BASE}/")
        client.get(f"{BASE}/")
    finally:
        app.config["PAGE_CACHE_CHARS"] = 32_000_000
    assert rendered["dashboard/_board.html"] == 2 and len(fragments) == 0


def test_the_least_recently_used_go_first_within_the_budget() -> None:
    cache = FragmentCache()
    cache.put(("a",), escape("x" * 40), budget=100)
    cache.put(("b",), escape("y" * 40), budget=100)
    assert cache.get(("a",))  # a is now the more recently used
    cache.put(("c",), escape("z" * 40), budget=100)
    assert cache.get(("b",)) is None and cache.get(("a",)) and cache.get(("c",))
    cache.put(("huge",), escape("h" * 101), budget=100)  # bigger than the budget: not kept
    assert cache.get(("huge",)) is None and len(cache) == 2
