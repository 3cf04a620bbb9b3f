"""The board's read views, read as a user would: the dashboard, Gantt, lists and pages.

The test app pins today to Monday 4 April 2022 (tests/conftest.py), where the seed plan has
3 working days of slack on the TUPE chain into go-live.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup, Tag
from flask.testing import FlaskClient

from tests.helpers import soup

BASE = "/p/kent-and-medway"


def card(page: BeautifulSoup, heading: str) -> Tag:
    found = page.find("h3", string=heading)
    assert found is not None, heading
    parent = found.find_parent(class_="nhsuk-card")
    assert isinstance(parent, Tag)
    return parent


def listed_refs(client: FlaskClient, url: str) -> list[str]:
    page = soup(client, url)
    table = page.find("table", id="milestones")
    if table is None:
        return []
    return [row.find("a").text for row in table.tbody.find_all("tr")]


def gantt_json(page: BeautifulSoup) -> dict:
    return json.loads(page.find("script", id="gantt-json").string)


def test_dashboard_headline_answers_will_we_make_go_live(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/")
    assert "Go-live: At risk" in page.find(id="go-live-heading").get_text(" ", strip=True)
    assert card(page, "Forecast go-live").find(class_="tracker-figure").text == "1 July 2022"
    slack = card(page, "Slack on the critical path")
    assert slack.find(class_="tracker-figure").text.strip() == "3 working days"
    assert card(page, "Working days to go-live").find(class_="tracker-figure").text == "59"
    baseline = card(page, "Slip against baseline")
    assert baseline.find(class_="tracker-figure").text.strip() == "None"
    assert "Plan for go-live 1 July 2022" in baseline.text
    assert card(page, "Milestones complete").find(class_="tracker-figure").text == "48 of 109"


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Milestones complete", 48),
        ("Against plan to date", 51),
        ("Overdue", 3),
        ("On the critical path", 7),
    ],
)
def test_every_headline_number_links_to_the_list_behind_it(
    client: FlaskClient, heading: str, expected: int
) -> None:
    link = card(soup(client, f"{BASE}/"), heading).find("a", class_="tracker-figure")
    number = int(
        re.findall(r"\d+", link.text)[-1]
        if heading == "Against plan to date"
        else re.findall(r"\d+", link.text)[0]
    )
    assert number == expected
    assert len(listed_refs(client, link["href"])) == expected


def test_workstream_table_shows_schedule_and_reported_rag(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/")
    table = page.find("h2", id="workstreams").find_next("table")
    rows = {r.find("td").get_text(strip=True): r for r in table.tbody.find_all("tr")}
    assert len(rows) == 10
    people = next(r for name, r in rows.items() if name.startswith("ICS leadership, people"))
    cells = [c.get_text(" ", strip=True) for c in people.find_all("td")]
    assert cells[1] == "Becca Bradd"
    assert cells[2] == "Red"  # PEO-09 is overdue
    assert cells[3] == "Red w/c 28 March 2022"  # what the lead reported
    assert cells[5] == "1"  # overdue
    assert cells[6].startswith("PEO-09")  # next milestone
    assert cells[7] == "3"  # least float
    digital = next(r for name, r in rows.items() if name.startswith("Digital and data"))
    cells = [c.get_text(" ", strip=True) for c in digital.find_all("td")]
    assert cells[2] == "Red" and cells[3].startswith("Amber")  # kept beside, not overwritten
    overdue_link = people.find_all("td")[5].a["href"]
    assert listed_refs(client, overdue_link) == ["PEO-09"]


def test_dashboard_lists_overdue_due_soon_key_milestones_and_risks(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/")

    def refs(section_id: str) -> list[str]:
        table = page.find("h2", id=section_id).find_next("table")
        return [row.find("a").text for row in table.tbody.find_all("tr")]

    assert refs("overdue") == ["DIG-05", "FIN-06", "PEO-09"]
    assert refs("due-soon") == ["PRC-05"]
    assert refs("key")[0] == "GOV-13"  # Royal Assent, the next board milestone
    risks = page.find("h2", id="risks").find_next("table").tbody.find_all("tr")
    scores = [int(r.find_all("td")[2].text.split()[0]) for r in risks]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5
    burn_up = json.loads(page.find("script", id="burn-up-data").string)
    assert burn_up["total"] == 109
    assert max(n for n in burn_up["actual"] if n is not None) == 48
    assert burn_up["planned"][-1] == 109


def test_dashboard_tables_show_the_first_rows_and_link_the_rest(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two rows here stand for the 20 a big plan shows: the rest are on the milestone list.
    from tracker.dashboard import routes

    monkeypatch.setattr(routes, "TABLE_ROWS", 2)
    page = soup(client, f"{BASE}/")
    table = page.find("h2", id="overdue").find_next("table")
    assert [row.find("a").text for row in table.tbody.find_all("tr")] == ["DIG-05", "FIN-06"]
    more = page.find("h2", id="due-soon").find_previous("p")
    assert "The 2 due longest ago." in more.text
    link = more.find("a")
    assert link.text == "See all 3 overdue milestones"
    assert listed_refs(client, link["href"]) == ["DIG-05", "FIN-06", "PEO-09"]
    # One milestone due soon: nothing more to see.
    assert page.find("h2", id="key").find_previous("p") is more


def test_gantt_holds_every_milestone_grouped_by_workstream(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/gantt")
    data = gantt_json(page)
    assert len(data["rows"]) == 109
    assert len(page.find("table", id="gantt-data").tbody.find_all("tr")) == 109
    assert [g[0] for g in data["groups"]][:3] == ["GOV", "PEO", "FMD"]
    assert sum(g[3] for g in data["groups"]) == 109
    assert len(data["links"]) == 183
    columns = data["columns"]
    rows = {r[columns.index("ref")]: r for r in data["rows"]}
    assert rows["GOV-99"][columns.index("point")] == 1
    assert rows["PEO-12"][columns.index("category")] == "driving"
    assert rows["PEO-01"][columns.index("category")] == "complete"
    assert data["today"] == "2022-04-04" and data["go_live_target"] == "2022-07-01"
    # The page draws the chart with the app's own script, loading nothing from another host
    # and no charting library (docs/gantt.md).
    scripts = [s["src"] for s in page.find_all("script", src=True)]
    assert any(src.endswith("/static/js/gantt.js") for src in scripts)
    assert not any("plotly" in src for src in scripts)
    assert all(src.startswith("/") for src in scripts)
    # Each workstream's summary: its rows, their span and share complete, its worst RAG.
    group = dict(zip(data["group_columns"], data["groups"][1], strict=True))
    assert group["code"] == "PEO" and group["rag"] == "red" and 0 < group["complete"] < 100
    assert data["driving"][-1] == data["go_live"] == rows_index(data, "GOV-99")
    assert data["baseline"] == "Plan for go-live 1 July 2022"


def rows_index(data: dict, ref: str) -> int:
    return [r[0] for r in data["rows"]].index(ref)


def test_gantt_shows_the_baseline_chosen(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/gantt")
    options = {o.text: o["value"] for o in page.find("select", id="baseline").find_all("option")}
    assert options["Current baseline: Plan for go-live 1 July 2022"] == ""
    assert options["No baseline"] == "none"
    [(label, older)] = [(k, v) for k, v in options.items() if v not in ("", "none")]
    columns = gantt_json(page)["columns"]
    due = columns.index("baseline_due")

    def baseline_due(data: dict, ref: str) -> str | None:
        return data["rows"][rows_index(data, ref)][due]

    current = gantt_json(page)
    chosen_page = soup(client, f"{BASE}/gantt?baseline={older}")
    chosen = gantt_json(chosen_page)
    assert chosen["baseline"] == label
    assert baseline_due(current, "PEO-09") != baseline_due(chosen, "PEO-09")
    assert f"Baseline due ({label})" in chosen_page.find("table", id="gantt-data").thead.text
    # Showing a baseline narrows nothing: every row is there, and no filter is to be cleared.
    assert len(chosen["rows"]) == 109 and "match these filters" not in chosen_page.text
    nothing = gantt_json(soup(client, f"{BASE}/gantt?baseline=none"))
    assert nothing["baseline"] is None and all(r[due] is None for r in nothing["rows"])
    wrong = soup(client, f"{BASE}/gantt?baseline=999999")
    assert "Choose a baseline from the list" in wrong.find(class_="nhsuk-error-summary").text
    assert gantt_json(wrong)["baseline"] == current["baseline"]
    # The milestone list shares the filter form but has no baseline to choose.
    assert soup(client, f"{BASE}/milestones/").find("select", id="baseline") is None


def test_gantt_filters_are_query_arguments(client: FlaskClient) -> None:
    peo = gantt_json(soup(client, f"{BASE}/gantt?workstream=PEO"))
    assert {r[2] for r in peo["rows"]} == {"PEO"}
    critical = gantt_json(soup(client, f"{BASE}/gantt?critical=1"))
    assert [r[0] for r in critical["rows"]] == [
        "GOV-99",
        "PEO-09",
        "PEO-10",
        "PEO-11",
        "PEO-12",
        "PEO-13",
        "PEO-14",
    ]
    late = gantt_json(soup(client, f"{BASE}/gantt?late=1"))
    assert "PEO-09" in [r[0] for r in late["rows"]] and "GOV-99" not in [r[0] for r in late["rows"]]
    page = soup(client, f"{BASE}/gantt")
    becca = next(
        o for o in page.find("select", id="lead").find_all("option") if o.text == "Becca Bradd"
    )
    led = gantt_json(soup(client, f"{BASE}/gantt?lead={becca['value']}"))
    assert {r[2] for r in led["rows"]} == {"PEO", "MED", "ENG"}
    # Links are kept only between milestones both in view.
    assert all(a < len(led["rows"]) and b < len(led["rows"]) for a, b, *_ in led["links"])


def test_a_bad_filter_is_named_and_left_out(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/gantt?workstream=NOPE&late=1")
    summary = page.find(class_="nhsuk-error-summary")
    assert summary is not None and "Choose a workstream from the list" in summary.text
    rows = gantt_json(page)["rows"]
    assert rows and all(r[15] == 1 for r in rows)  # the valid "late" filter still applies

    page = soup(client, f"{BASE}/milestones/?due_from=2022-02-31")
    summary = page.find(class_="nhsuk-error-summary")
    assert "Enter the earliest due date as a date, like 1 April 2022" in summary.text
    # All 109 milestones are listed, the first 100 on this page.
    assert len(page.find("table", id="milestones").tbody.find_all("tr")) == 100
    assert page.find(id="milestone-count").text.startswith("Showing 1 to 100 of 109 milestones.")


def test_milestone_list_sorts_and_filters(client: FlaskClient) -> None:
    by_float = listed_refs(client, f"{BASE}/milestones/?open=1&sort=float")
    assert by_float[:2] == ["PEO-09", "PEO-10"]
    assert len(by_float) == 109 - 48
    newest_first = listed_refs(client, f"{BASE}/milestones/?sort=due&descending=1")
    assert newest_first[0] == "GOV-99"
    window = listed_refs(client, f"{BASE}/milestones/?due_from=2022-04-01&due_to=2022-04-30")
    assert "PRC-05" in window and "PEO-09" not in window
    assert listed_refs(client, f"{BASE}/milestones/?workstream=PEO&status=complete")
    assert listed_refs(client, f"{BASE}/milestones/?rag=red") == ["DIG-05", "FIN-06", "PEO-09"]
    keys = listed_refs(client, f"{BASE}/milestones/?key=1")
    assert "GOV-99" in keys and "PEO-05" not in keys


def test_milestone_page_explains_its_forecast(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/milestones/PEO-11")
    assert page.h1.text.startswith("PEO-11 Formal transfer letters issued to staff")
    why = page.find(class_="nhsuk-inset-text").text
    assert "Forecast 7 June 2022" in why and "Becca Bradd" in why
    text = page.get_text(" ", strip=True)
    assert "Total float 3 working days" in text
    assert "On the driving path to go-live Yes" in text
    predecessors = page.find("h2", string="Predecessors").find_next("table")
    assert [r.find("a").text for r in predecessors.tbody.find_all("tr")] == ["GOV-13", "PEO-10"]
    history = page.find("h2", string="History").find_next("table")
    assert "Create" in history.text  # the seed loader's insert is on the audit trail


def test_completed_milestone_shows_evidence_and_who(client: FlaskClient) -> None:
    text = soup(client, f"{BASE}/milestones/PEO-01").get_text(" ", strip=True)
    assert "Completed 27 August 2021 by Becca Bradd" in text
    assert "First draft to the transition board" in text


def test_workstream_page_shows_leads_rag_commentary_and_milestones(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/workstreams/PEO")
    text = page.get_text(" ", strip=True)
    assert "Lead director Becca Bradd" in text
    assert "Schedule RAG Red" in text
    assert "Latest highlight" in text and "Achievements" in text
    table = page.find("h2", string="Milestones").find_next("table")
    refs = [r.find("a").text for r in table.tbody.find_all("tr")]
    assert refs and all(ref.startswith("PEO-") for ref in refs)


def test_risk_page_lists_open_risks_by_score(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/risks/")
    rows = page.find("table").tbody.find_all("tr")
    assert len(rows) == 7
    assert "16 extreme" in rows[0].get_text(" ", strip=True)


@pytest.mark.parametrize("url", [f"{BASE}/milestones/NOPE-01", f"{BASE}/workstreams/NOPE"])
def test_unknown_milestone_or_workstream_is_404(client: FlaskClient, url: str) -> None:
    assert client.get(url).status_code == 404


def test_navigation_links_every_area(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/")
    nav = {a.get_text(strip=True): urlparse(a["href"]).path for a in page.select("header nav a")}
    assert nav["Dashboard"] == f"{BASE}/"
    assert nav["Gantt chart"] == f"{BASE}/gantt"
    assert nav["Milestones"] == f"{BASE}/milestones/"
    assert nav["Risks"] == f"{BASE}/risks/"
    assert parse_qs(urlparse(nav["Dashboard"]).query) == {}


def test_milestone_history_includes_its_links(client: FlaskClient) -> None:
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Dependency, Milestone

    peo_09 = db.session.scalar(select(Milestone).where(Milestone.ref == "PEO-09"))
    links = db.session.scalars(
        select(Dependency).where(
            (Dependency.predecessor_id == peo_09.id) | (Dependency.successor_id == peo_09.id)
        )
    ).all()
    assert len(links) >= 2
    history = soup(client, f"{BASE}/milestones/PEO-09").find("h2", string="History")
    text = history.find_next("table").get_text(" ", strip=True)
    for link in links:
        assert f"Link {link.audit_label} added" in text
    # ... and only those: not the links of PEO-10 or PEO-19, whose refs start alike.
    rows = history.find_next("table").tbody.find_all("tr")
    shown = {r.find_all("td")[2].text.removeprefix("Link ").removesuffix(" added") for r in rows}
    assert shown - {"Created"} == {link.audit_label for link in links}
