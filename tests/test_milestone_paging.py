"""The milestone list a page at a time: 100 milestones a page, in the sort asked for, with the
filters and the sort kept in every page's address, a clear 404 for a page that is not there,
and the exports still giving every milestone."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import DEMO_TODAY
from tests.helpers import programme as programme_named
from tests.helpers import soup
from tracker.domain.figures import MilestoneFilter, select_milestones
from tracker.extensions import db
from tracker.models import Milestone, Programme
from tracker.plan.routes import MILESTONES_PER_PAGE
from tracker.services import board
from tracker.services.synthetic import generate_programme

SEED = "/p/kent-and-medway/milestones/"
SIZE = 250  # three pages: 100, 100 and 50


def refs(page: BeautifulSoup) -> list[str]:
    table = page.find("table", id="milestones")
    if table is None:
        return []
    return [row.find("a").text for row in table.tbody.find_all("tr")]


def count_text(page: BeautifulSoup) -> str:
    return " ".join(page.find(id="milestone-count").text.split())


def page_links(page: BeautifulSoup) -> dict[str, str]:
    """The pagination's links by their text (page numbers, "Previous", "Next")."""
    nav = page.find("nav", id="milestone-pages")
    assert nav is not None, "no pagination"
    return {" ".join(a.get_text(" ", strip=True).split()): a["href"] for a in nav.find_all("a")}


def expected_order(programme: Programme, sort: str, descending: bool = False) -> list[str]:
    schedule = board.schedule_for(programme)
    assert schedule is not None
    chosen = select_milestones(
        schedule.forecast.milestones.values(), MilestoneFilter(), sort=sort, descending=descending
    )
    return [m.ref for m in chosen]


@pytest.fixture()
def synthetic(app: Flask) -> Programme:
    generate_programme(slug="synthetic-p1", milestones=SIZE, today=DEMO_TODAY, password="pw-2022")
    db.session.commit()
    return programme_named("synthetic-p1")


def listing(slug: str) -> str:
    return f"/p/{slug}/milestones/"


def test_a_page_holds_100_milestones_and_says_which(client: FlaskClient) -> None:
    assert MILESTONES_PER_PAGE == 100
    first = soup(client, SEED)
    assert len(refs(first)) == 100
    assert count_text(first).startswith("Showing 1 to 100 of 109 milestones.")
    second = soup(client, f"{SEED}?page=2")
    assert len(refs(second)) == 9
    assert count_text(second).startswith("Showing 101 to 109 of 109 milestones.")
    # No milestone on both pages, none left out.
    assert len(set(refs(first)) | set(refs(second))) == 109


def test_a_list_that_fits_one_page_has_no_pagination(client: FlaskClient) -> None:
    page = soup(client, f"{SEED}?workstream=PEO")
    assert page.find("nav", id="milestone-pages") is None
    shown = len(refs(page))
    assert count_text(page).startswith(
        f"Showing 1 to {shown} of {shown} milestones that match these filters."
    )


def test_page_2_holds_the_next_milestones_in_sort_order(admin_client: FlaskClient) -> None:
    seed = programme_named()
    for sort, descending in (("due", False), ("float", False), ("ref", True)):
        args = f"sort={sort}" + ("&descending=y" if descending else "")
        shown = refs(soup(admin_client, f"{SEED}?{args}")) + refs(
            soup(admin_client, f"{SEED}?{args}&page=2")
        )
        assert shown == expected_order(seed, sort, descending), sort


def test_three_pages_of_a_bigger_plan(admin_client: FlaskClient, synthetic: Programme) -> None:
    url = listing(synthetic.slug)
    pages = [soup(admin_client, f"{url}?sort=ref&page={n}") for n in (1, 2, 3)]
    assert [len(refs(p)) for p in pages] == [100, 100, 50]
    assert count_text(pages[1]).startswith(f"Showing 101 to 200 of {SIZE} milestones.")
    assert sum((refs(p) for p in pages), []) == expected_order(synthetic, "ref")
    # The middle page links back and on, and to each page by number; the current one marked.
    links = page_links(pages[1])
    assert {"1", "2", "3"} <= set(links) and any(k.startswith("Previous") for k in links)
    assert any(k.startswith("Next") for k in links)
    current = pages[1].find("nav", id="milestone-pages").find("a", attrs={"aria-current": "page"})
    assert current is not None and current.text.strip() == "2"


def test_page_links_keep_the_filters_and_the_sort(
    admin_client: FlaskClient, synthetic: Programme
) -> None:
    url = listing(synthetic.slug)
    asked = {"status": "complete", "sort": "forecast", "descending": "y"}
    query = "&".join(f"{k}={v}" for k, v in asked.items())
    first = soup(admin_client, f"{url}?{query}")
    matching = int(count_text(first).split(" of ")[1].split()[0].replace(",", ""))
    assert matching > 100, "the filter should leave more than a page"
    assert count_text(first).endswith(
        "milestones that match these filters. Show on the Gantt chart"
    )
    for href in page_links(first).values():
        args = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
        assert {k: args.get(k) for k in asked} == asked, href
        assert args["page"].isdigit()
    second = soup(admin_client, page_links(first)["2"])
    complete = {
        m.ref
        for m in db.session.scalars(
            sa.select(Milestone).where(
                Milestone.programme_id == synthetic.id, Milestone.status == "complete"
            )
        )
    }
    assert refs(second) and set(refs(second)) <= complete
    assert not set(refs(second)) & set(refs(first))


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "9" * 30])
def test_a_page_number_that_is_not_one_is_404_saying_so(client: FlaskClient, page: str) -> None:
    response = client.get(f"{SEED}?page={page}")
    assert response.status_code == 404
    assert "Page numbers are whole numbers from 1" in response.get_data(as_text=True)


def test_a_page_past_the_end_is_404_naming_the_last(client: FlaskClient) -> None:
    response = client.get(f"{SEED}?page=3")
    assert response.status_code == 404
    assert "There is no page 3 of these milestones: there are 2 pages." in response.get_data(
        as_text=True
    )
    # Filtered to one page, page 2 is past the end.
    response = client.get(f"{SEED}?workstream=PEO&page=2")
    assert response.status_code == 404
    assert "there is 1 page" in response.get_data(as_text=True)
    # An empty page number is the first page.
    assert refs(soup(client, f"{SEED}?page=")) == refs(soup(client, SEED))


def test_the_exports_still_give_every_milestone(
    admin_client: FlaskClient, synthetic: Programme
) -> None:
    page = soup(admin_client, listing(synthetic.slug))
    assert len(refs(page)) == 100
    exports = page.find(id="milestone-exports")
    csv_link = exports.find("a", href=lambda h: h and "export.csv" in h)["href"]
    response = admin_client.get(csv_link)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == SIZE
    xlsx_link = exports.find("a", href=lambda h: h and "export.xlsx" in h)["href"]
    assert admin_client.get(xlsx_link).status_code == 200


def test_the_page_number_is_part_of_the_cache_key(client: FlaskClient) -> None:
    # The first page is rendered and kept; the second must not be served from it.
    first = refs(soup(client, SEED))
    second = refs(soup(client, f"{SEED}?page=2"))
    assert first[:9] != second and len(second) == 9
    assert refs(soup(client, f"{SEED}?page=1")) == first
