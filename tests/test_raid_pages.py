"""The RAID log's pages: the risk register with its heatmap, each risk's page, the changes
leads and the programme office make (each tested for every role), the issue and decision
logs, bad input, and the digest's risk section.

Seeded today is Monday 4 April 2022. The seven risks carry the paper's scores: R03 and R07
16, R04 15, R01, R02, R05 and R06 12. R03 was reviewed at 12 and then 16 (up), R04 at 20
and then 15 (down); the others were never reviewed (new). R03's and R06's reviews are
overdue. Becca Bradd (lead of PEO, MED, ENG) owns R03 and R06 (PEO); R02 is Lisa Keslake's
in GOV, which Mike Gilbert leads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from tests import mail
from tests.conftest import ADMIN, LEAD, sign_in_as
from tests.helpers import audit_count, count
from tests.test_board_pages import soup
from tests.test_digest import BOARD_MEMBER, next_monday, parts, send
from tracker.audit import Actor, acting_as
from tracker.domain.permissions import (
    Viewer,
    can_add_issue,
    can_add_risk,
    can_edit_issue,
    can_edit_risk,
    can_record_decision,
)
from tracker.domain.raid import next_ref, parse_refs
from tracker.domain.risks import band_ranges, parse_bands, trend_since_review
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Decision,
    Issue,
    Person,
    Risk,
    RiskAction,
    Workstream,
)
from tracker.services.optimistic_locking import opened_now

smtp_server = mail.smtp_server

BASE = "/p/kent-and-medway"
RISKS = f"{BASE}/risks"


# --- helpers ------------------------------------------------------------------------------


def risk(ref: str) -> Risk:
    db.session.expire_all()
    found = db.session.scalar(select(Risk).where(Risk.ref == ref))
    assert found is not None, ref
    return found


def person(email: str) -> Person:
    found = db.session.scalar(select(Person).where(Person.email == email))
    assert found is not None, email
    return found


def workstream(code: str) -> Workstream:
    found = db.session.scalar(select(Workstream).where(Workstream.code == code))
    assert found is not None, code
    return found


def snapshot(ref: str) -> dict[str, Any]:
    """Everything a change could touch: the risk's columns, links, actions and reviews."""
    r = risk(ref)
    return {
        **{c.key: getattr(r, c.key) for c in Risk.__table__.columns},
        "milestones": [m.ref for m in r.milestones],
        "actions": [(a.id, a.description, a.done_on) for a in r.actions],
        "reviews": [(v.id, v.score) for v in r.reviews],
    }


def risk_form(ref: str, **changes: Any) -> dict[str, Any]:
    """What the edit form posts when opened just now, with `changes` typed over it."""
    r = risk(ref)
    data = {
        "title": r.title,
        "description": r.description,
        "owner": str(r.owner_id),
        "workstream": str(r.workstream_id or ""),
        "consequence": str(r.consequence),
        "likelihood": str(r.likelihood),
        "target_consequence": str(r.target_consequence),
        "target_likelihood": str(r.target_likelihood),
        "mitigation": r.mitigation,
        "raised_on": r.raised_on.isoformat(),
        "review_on": r.review_on.isoformat() if r.review_on else "",
        "milestones": ", ".join(m.ref for m in r.milestones),
        "version": str(r.version),
        "opened_at": opened_now(),
    }
    return {**data, **changes}


def versioned(ref: str, **fields: Any) -> dict[str, Any]:
    return {"version": str(risk(ref).version), "opened_at": opened_now(), **fields}


def list_refs(page: BeautifulSoup) -> list[str]:
    table = page.find("table", id="risk-list-table")
    if table is None:
        return []
    return [row["data-ref"] for row in table.tbody.find_all("tr")]


def row_text(page: BeautifulSoup, ref: str) -> str:
    row = page.find("tr", id=f"risk-{ref}")
    assert isinstance(row, Tag), ref
    return row.get_text(" ", strip=True)


def cells(page: BeautifulSoup) -> dict[tuple[int, int], Tag]:
    grid = page.find(id="heatmap")
    assert isinstance(grid, Tag)
    return {
        (int(c["data-consequence"]), int(c["data-likelihood"])): c
        for c in grid.find_all(attrs={"role": "cell"})
    }


def field_error(page: BeautifulSoup, field_id: str) -> str:
    found = page.find(id=f"{field_id}-error")
    assert isinstance(found, Tag), f"no error shown for {field_id}"
    return found.get_text(" ", strip=True)


def as_role(app: Flask, role: str) -> FlaskClient:
    email = {"admin": ADMIN, "lead": LEAD, "board": BOARD_MEMBER}[role]
    return sign_in_as(app.test_client(), email)


def events_by(actor: str, entity_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.actor == actor, AuditEvent.entity_type == entity_type
            )
        )
    )


# --- rules --------------------------------------------------------------------------------


def test_the_rules_for_each_role() -> None:
    p = 7  # the programme
    admin = Viewer(person_id=1, memberships={p: "admin"})
    becca = Viewer(person_id=2, memberships={p: "lead"}, led_workstream_ids=frozenset({10}))
    board = Viewer(person_id=3, memberships={p: "board"})
    assert can_edit_risk(admin, p, 99, None)
    assert can_edit_risk(becca, p, 2, None)  # she owns it
    assert can_edit_risk(becca, p, 99, 10)  # in a workstream she leads
    assert not can_edit_risk(becca, p, 99, 11) and not can_edit_risk(becca, p, 99, None)
    assert not can_edit_risk(board, p, 3, 10)
    assert [can_add_risk(v, p) for v in (admin, becca, board)] == [True, True, False]
    assert [can_add_issue(v, p) for v in (admin, becca, board)] == [True, True, False]
    assert can_edit_issue(becca, p, 2, None) and not can_edit_issue(becca, p, 99, 11)
    # A role is held in one programme: in another the same people may do nothing.
    elsewhere = 8
    assert not can_edit_risk(admin, elsewhere, 99, None)
    assert not can_edit_risk(becca, elsewhere, 2, None)
    assert [can_add_risk(v, elsewhere) for v in (admin, becca, board)] == [False] * 3
    assert [can_record_decision(v, p) for v in (admin, becca, board)] == [True, False, False]


def test_trend_compares_with_the_last_review() -> None:
    assert trend_since_review(16, []) == "new"
    assert trend_since_review(16, [12]) == "up"  # changed since the one review
    assert trend_since_review(16, [12, 16]) == "up"  # the last review set it: the one before
    assert trend_since_review(15, [20, 15]) == "down"
    assert trend_since_review(12, [12]) == "same"
    assert trend_since_review(12, [16, 12, 12]) == "same"


def test_default_bands_agree_with_the_seed_plan() -> None:
    ranges = [(b.name, b.rag, low, high) for b, low, high in band_ranges()]
    assert ranges == [
        ("low", "green", 1, 3),
        ("moderate", "yellow", 4, 6),
        ("high", "amber", 8, 12),
        ("extreme", "red", 15, 25),
    ]
    three = parse_bands("green:1:green, amber:10:amber, red:20:red")
    assert [(b.name, low, high) for b, low, high in band_ranges(three)] == [
        ("green", 1, 9),
        ("amber", 10, 16),
        ("red", 20, 25),
    ]


def test_references_and_milestone_lists() -> None:
    assert next_ref("R", ["R01", "R07", "I09", "R3x"]) == "R08"
    assert next_ref("D", []) == "D01"
    assert next_ref("I", ["I99"]) == "I100"
    assert parse_refs(" peo-09, PEO-14;gov-99 PEO-09 ") == ["PEO-09", "PEO-14", "GOV-99"]


# --- the register and its heatmap ------------------------------------------------------------


def test_heatmap_counts_agree_with_the_register(client: FlaskClient) -> None:
    page = soup(client, f"{RISKS}/")
    grid = cells(page)
    assert len(grid) == 25
    open_risks = db.session.scalars(select(Risk).where(Risk.status == "open")).all()
    listed = list_refs(page)
    assert sorted(listed) == sorted(r.ref for r in open_risks) and len(listed) == 7
    assert sum(int(c["data-count"]) for c in grid.values()) == len(open_risks)
    for (consequence, likelihood), cell in grid.items():
        here = [r for r in open_risks if (r.consequence, r.likelihood) == (consequence, likelihood)]
        assert int(cell["data-count"]) == len(here), (consequence, likelihood)
        assert f"score {consequence * likelihood}" in cell.get_text(" ", strip=True)
        # Only cells with risks are links.
        assert (cell.find("a") is not None) == bool(here)
    assert int(grid[(4, 3)]["data-count"]) == 4
    assert "nhsuk-tag--orange" in grid[(4, 3)]["class"]  # 12: high, amber
    assert "nhsuk-tag--red" in grid[(4, 4)]["class"]  # 16: extreme, red


def test_clicking_a_heatmap_cell_lists_its_risks(client: FlaskClient) -> None:
    link = cells(soup(client, f"{RISKS}/"))[(4, 3)].find("a")["href"]
    assert parse_qs(urlparse(link).query) == {"consequence": ["4"], "likelihood": ["3"]}
    page = soup(client, link)
    expected = db.session.scalars(
        select(Risk.ref).where(Risk.status == "open", Risk.consequence == 4, Risk.likelihood == 3)
    ).all()
    assert sorted(list_refs(page)) == sorted(expected) == ["R01", "R02", "R05", "R06"]
    shown = " ".join(page.find(id="cell-filter").text.split())
    assert "consequence 4 (Major) and likelihood 3 (Possible)" in shown
    assert cells(page)[(4, 3)].find("a")["aria-current"] == "true"
    # The grid still shows where the others are.
    assert sum(int(c["data-count"]) for c in cells(page).values()) == 7


def test_risks_by_score_is_the_heatmap_as_a_table(client: FlaskClient) -> None:
    page = soup(client, f"{RISKS}/")
    rows = page.find("table", id="risks-by-score").tbody.find_all("tr")
    table = [
        (
            int(row.find_all("td")[0].text),
            row.find_all("td")[1].get_text(" ", strip=True),
            [a.text for a in row.find_all("td")[5].find_all("a")],
        )
        for row in rows
    ]
    assert table == [
        (16, "16 extreme", ["R03", "R07"]),
        (15, "15 extreme", ["R04"]),
        (12, "12 high", ["R01", "R02", "R05", "R06"]),
    ]


def test_the_register_shows_trend_target_and_overdue_reviews(client: FlaskClient) -> None:
    page = soup(client, f"{RISKS}/")
    assert list_refs(page)[:3] == ["R03", "R07", "R04"]  # highest score first
    assert "Up from 12" in row_text(page, "R03")
    assert "Down from 20" in row_text(page, "R04")
    assert "New: not reviewed yet" in row_text(page, "R01")
    overdue = {ref for ref in list_refs(page) if "Review overdue" in row_text(page, ref)}
    assert overdue == {"R03", "R06"}  # due 31 and 25 March; today is 4 April
    cells_of_r03 = [c.get_text(" ", strip=True) for c in page.find(id="risk-R03").find_all("td")]
    assert cells_of_r03[3] == "16 extreme" and cells_of_r03[5] == "8"  # target 4 x 2
    only_overdue = soup(client, f"{RISKS}/?overdue=1")
    assert list_refs(only_overdue) == ["R03", "R06"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=staff", ["R06"]),
        ("q=LEADERSHIP appointments", ["R03"]),
        ("q=pandemic", ["R04"]),  # in the description only
        ("q=r05", ["R05"]),
        ("workstream=PEO", ["R03", "R06"]),
        ("workstream=none", ["R04"]),
        ("band=extreme", ["R03", "R07", "R04"]),
        ("milestone=peo-09", ["R06"]),
        ("status=closed", []),
    ],
)
def test_register_filters_and_search(client: FlaskClient, query: str, expected: list[str]) -> None:
    assert list_refs(soup(client, f"{RISKS}/?{query}")) == expected


def test_register_filters_by_owner_and_refuses_a_bad_filter(client: FlaskClient) -> None:
    becca = person(LEAD)
    assert list_refs(soup(client, f"{RISKS}/?owner={becca.id}")) == ["R03", "R06"]
    page = soup(client, f"{RISKS}/?consequence=9&workstream=PEO")
    assert "These filters were not applied" in page.find(class_="nhsuk-error-summary").text
    assert list_refs(page) == ["R03", "R06"]  # the good filter still applies


def test_configured_bands_are_used_everywhere(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "RISK_BANDS", "green:1:green, amber:10:amber, red:20:red")
    page = soup(client, f"{RISKS}/")
    assert "12 amber" in row_text(page, "R01") and "16 amber" in row_text(page, "R03")
    dashboard = soup(client, f"{BASE}/")
    top = dashboard.find("h2", id="risks").find_next("table").tbody.find_all("tr")
    assert "16 amber" in top[0].get_text(" ", strip=True)
    # Coloured by the configured band's RAG, not by a default band of the same name.
    assert "nhsuk-tag--orange" in top[0].find(class_="nhsuk-tag")["class"]


def test_the_dashboard_has_the_heatmap_next_to_the_top_risks(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/")
    card = page.find(id="risk-heatmap")
    assert isinstance(card, Tag)
    grid = {
        (int(c["data-consequence"]), int(c["data-likelihood"])): int(c["data-count"])
        for c in card.find_all(attrs={"role": "cell"})
    }
    assert sum(grid.values()) == 7 and grid[(4, 4)] == 2 and grid[(5, 3)] == 1
    link = card.find(attrs={"data-consequence": "4", "data-likelihood": "4"}).find("a")["href"]
    assert sorted(list_refs(soup(client, link))) == ["R03", "R07"]
    by_score = card.find("table", id="risks-by-score")
    assert [r.find("td").text for r in by_score.tbody.find_all("tr")] == ["16", "15", "12"]


def test_a_milestone_ref_in_place_of_a_risk_ref_lists_the_risks_to_it(
    client: FlaskClient,
) -> None:
    response = client.get(f"{RISKS}/PEO-09")
    assert response.status_code == 302
    assert list_refs(soup(client, response.location)) == ["R06"]
    assert client.get(f"{RISKS}/R99").status_code == 404


# --- a risk's page ---------------------------------------------------------------------------


def test_a_risk_page_shows_scores_links_actions_reviews_and_history(client: FlaskClient) -> None:
    page = soup(client, f"{RISKS}/R03")
    assert page.h1.text == "R03 Key leadership appointments delayed"
    scores = page.find("h2", id="scores").find_next("dl").get_text(" ", strip=True)
    assert "16 extreme consequence 4 Major × likelihood 4 Likely" in scores
    assert "8 high consequence 4 Major × likelihood 2 Unlikely" in scores
    assert "Up from 12" in page.find(id="trend").text
    assert "Review overdue" in page.find(id="review-date").text
    milestones = page.find("h2", id="milestones").find_next("table")
    links = {a.text: a["href"] for a in milestones.find_all("a")}
    assert links == {"FMD-07": f"{BASE}/milestones/FMD-07", "PEO-05": f"{BASE}/milestones/PEO-05"}
    actions = page.find("h2", id="actions").find_next("table").tbody.find_all("tr")
    assert [a.find_all("td")[3].text for a in actions] == ["16 December 2021", "Not yet"]
    reviews = page.find("table", id="review-table").tbody.find_all("tr")
    assert [[td.get_text(" ", strip=True) for td in r.find_all("td")][:3] for r in reviews] == [
        ["3 March 2022", "16 (4 × 4)", "Up"],
        ["16 December 2021", "12 (4 × 3)", "First recorded"],
    ]
    history = page.find("table", id="history").tbody.find_all("tr")
    kinds = {row["data-entity"] for row in history}
    assert kinds == {"Risk", "RiskAction", "RiskReview"}  # the seed created all three
    children = [r.get_text(" ", strip=True) for r in history if r["data-entity"] != "Risk"]
    assert len(children) == 4 and all("(R03 " in text for text in children)  # none of R04's
    # The board reads: no buttons to change it.
    assert page.find("a", string="Record a review") is None


def test_a_closed_risk_says_why(app: Flask, client: FlaskClient) -> None:
    with acting_as(Actor("Sarah Collins")):
        r = risk("R05")
        r.status, r.closed_note = "closed", "NHS England confirmed delegation from April 2023"
        db.session.commit()
    page = soup(client, f"{RISKS}/R05")
    assert "Closed" in page.find(id="risk-status").text
    assert "NHS England confirmed delegation from April 2023" in page.text
    assert "R05" not in list_refs(soup(client, f"{RISKS}/"))
    assert list_refs(soup(client, f"{RISKS}/?status=closed")) == ["R05"]
    assert sum(int(c["data-count"]) for c in cells(soup(client, f"{RISKS}/")).values()) == 6


# --- each change, for each role ------------------------------------------------------------


def _close(ref: str) -> None:
    with acting_as(Actor("Sarah Collins")):
        r = risk(ref)
        r.status, r.closed_note = "closed", "Closed for the test"
        db.session.commit()


def _first_open_action(ref: str) -> int:
    r = risk(ref)
    if not any(a.done_on is None for a in r.actions):
        with acting_as(Actor("Sarah Collins")):
            r.actions.append(
                RiskAction(description="Chase", owner_id=r.owner_id, due_on=date(2022, 5, 1))
            )
            db.session.commit()
    return next(a.id for a in risk(ref).actions if a.done_on is None)


# (name, path under the risk, form data, setup, what is stored)
Change = tuple[
    str,
    str,
    Callable[[str], dict[str, Any]],
    Callable[[str], None] | None,
    Callable[[Risk], bool],
]
CHANGES: list[Change] = [
    (
        "edit",
        "edit",
        lambda ref: risk_form(ref, title="Renamed at the April review", milestones="GOV-99"),
        None,
        lambda r: (
            r.title == "Renamed at the April review" and [m.ref for m in r.milestones] == ["GOV-99"]
        ),
    ),
    (
        "review",
        "review",
        lambda ref: versioned(
            ref,
            consequence="4",
            likelihood="4",
            note="Checked at the board",
            review_on="2022-05-02",
        ),
        None,
        lambda r: (
            r.review_on == date(2022, 5, 2)
            and (r.consequence, r.likelihood) == (4, 4)
            and r.reviews[-1].note == "Checked at the board"
        ),
    ),
    (
        "close",
        "close",
        lambda ref: versioned(ref, closed_note="Mitigated: the risk has passed"),
        None,
        lambda r: r.status == "closed" and r.closed_note == "Mitigated: the risk has passed",
    ),
    (
        "reopen",
        "reopen",
        lambda ref: {"version": str(risk(ref).version)},
        _close,
        lambda r: r.status == "open",
    ),
    (
        "add action",
        "actions/new",
        lambda ref: {
            "description": "Escalate to the regional team",
            "owner": str(person(ADMIN).id),
            "due_on": "2022-04-29",
        },
        None,
        lambda r: any(
            (a.description, a.due_on) == ("Escalate to the regional team", date(2022, 4, 29))
            for a in r.actions
        ),
    ),
    (
        "action done",
        "actions/done",
        lambda ref: {"action_id": str(_first_open_action(ref))},
        None,
        lambda r: any(a.done_on == date(2022, 4, 4) for a in r.actions),
    ),
]
# (role, risk, allowed): Becca Bradd owns R03 (PEO); R02 is Lisa Keslake's, in GOV.
WHO = [
    ("admin", "R02", True),
    ("lead", "R03", True),
    ("lead", "R02", False),
    ("board", "R03", False),
]


@pytest.mark.parametrize(("role", "ref", "allowed"), WHO, ids=[f"{w[0]}-{w[1]}" for w in WHO])
@pytest.mark.parametrize("change", CHANGES, ids=[c[0] for c in CHANGES])
def test_risk_changes_by_role(
    app: Flask, change: Change, role: str, ref: str, allowed: bool
) -> None:
    name, path, data, setup, stored = change
    client = as_role(app, role)
    if setup is not None:
        setup(ref)
    form = data(ref)
    before, audited = snapshot(ref), audit_count()
    response = client.post(f"{RISKS}/{ref}/{path}", data=form)
    if not allowed:
        assert response.status_code == 403
        assert snapshot(ref) == before and audit_count() == audited  # nothing changed
        return
    assert response.status_code == 302, response.text
    assert urlparse(response.location).path == f"{RISKS}/{ref}"
    assert stored(risk(ref)), name
    actor = "Sarah Collins" if role == "admin" else "Becca Bradd"
    changed = db.session.scalars(select(AuditEvent).where(AuditEvent.actor == actor)).all()
    assert changed and all(e.entity_label.startswith(ref) for e in changed)


@pytest.mark.parametrize("path", ["edit", "review", "close", "actions/new"])
def test_risk_forms_are_refused_to_those_who_may_not_change_it(
    app: Flask, client: FlaskClient, path: str
) -> None:
    assert client.get(f"{RISKS}/R03/{path}").status_code == 403  # the board
    lead = as_role(app, "lead")
    assert lead.get(f"{RISKS}/R02/{path}").status_code == 403  # not hers
    assert lead.get(f"{RISKS}/R03/{path}").status_code == 200  # hers


def test_a_lead_may_change_a_risk_in_a_workstream_she_leads_that_someone_else_owns(
    app: Flask, lead_client: FlaskClient
) -> None:
    with acting_as(Actor("Sarah Collins")):
        risk("R06").owner_id = person("james.porter@example.org").id
        db.session.commit()
    response = lead_client.post(f"{RISKS}/R06/close", data=versioned("R06", closed_note="Done"))
    assert response.status_code == 302 and risk("R06").status == "closed"


def new_risk_form(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Payroll cut-over clashes with year-end",
        "description": "ESR and payroll changes land in the same month as the CCG's year-end.",
        "owner": str(person(LEAD).id),
        "workstream": str(workstream("PEO").id),
        "consequence": "4",
        "likelihood": "2",
        "target_consequence": "4",
        "target_likelihood": "1",
        "mitigation": "Payroll provider engaged",
        "raised_on": "2022-04-04",
        "review_on": "2022-05-02",
        "milestones": "peo-12, PEO-13",
    }
    return {**data, **changes}


@pytest.mark.parametrize("role", ["admin", "lead", "board"])
def test_adding_a_risk_by_role(app: Flask, role: str) -> None:
    client = as_role(app, role)
    before, audited = count(Risk), audit_count()
    if role == "board":
        assert client.get(f"{RISKS}/new").status_code == 403
        assert client.post(f"{RISKS}/new", data=new_risk_form()).status_code == 403
        assert count(Risk) == before and audit_count() == audited
        return
    form = soup(client, f"{RISKS}/new")
    assert form.find(id="raised_on")["value"] == "2022-04-04"
    response = client.post(f"{RISKS}/new", data=new_risk_form())
    assert response.status_code == 302
    assert urlparse(response.location).path == f"{RISKS}/R08"
    added = risk("R08")
    assert (added.score, added.target_score, added.status) == (8, 4, "open")
    assert [m.ref for m in added.milestones] == ["PEO-12", "PEO-13"]
    created = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "Risk", AuditEvent.entity_id == added.id)
    ).all()
    assert created and created[0].action == "create"
    assert "New: not reviewed yet" in row_text(soup(client, f"{RISKS}/"), "R08")


def test_a_lead_cannot_add_a_risk_outside_her_remit(lead_client: FlaskClient) -> None:
    form = new_risk_form(
        owner=str(person("lisa.keslake@example.org").id), workstream=str(workstream("GOV").id)
    )
    response = lead_client.post(f"{RISKS}/new", data=form)
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert "choose yourself as the owner" in field_error(page, "owner")
    assert count(Risk) == 7


def fieldset_of(page: BeautifulSoup, legend: str) -> Tag:
    """The fieldset whose legend reads `legend`."""
    found = next(
        (f for f in page.find_all("fieldset") if f.legend.get_text(strip=True) == legend), None
    )
    assert found is not None, legend
    return found


def test_the_risk_form_shows_every_levels_descriptor(lead_client: FlaskClient) -> None:
    page = soup(lead_client, f"{RISKS}/R03/edit")
    fieldset = fieldset_of(page, "Consequence if it happens")
    labels = [lbl.get_text(strip=True) for lbl in fieldset.find_all("label")]
    assert labels == ["1 Negligible", "2 Minor", "3 Moderate", "4 Major", "5 Catastrophic"]
    hints = [h.get_text(strip=True) for h in fieldset.find_all(class_="nhsuk-radios__hint")]
    assert len(hints) == 5 and hints[4].startswith("Go-live missed")
    assert fieldset.find("input", value="4")["checked"] is not None
    likelihood = fieldset_of(page, "Likelihood")
    assert "Almost certain" in likelihood.text and "Will undoubtedly happen" in likelihood.text
    assert page.find(id="milestones")["value"] == "FMD-07, PEO-05"


# --- reviews, actions, history ------------------------------------------------------------------


def test_a_first_review_records_the_score_it_started_from(lead_client: FlaskClient) -> None:
    response = lead_client.post(
        f"{RISKS}/R06/review",
        data=versioned(
            "R06", consequence="4", likelihood="4", note="Two leavers in HR", review_on="2022-04-25"
        ),
    )
    assert response.status_code == 302
    r = risk("R06")
    assert [(v.score, v.reviewed_on, v.reviewer_id) for v in r.reviews] == [
        (12, date(2022, 4, 4), None),  # where it stood, recorded so the trend can compare
        (16, date(2022, 4, 4), person(LEAD).id),
    ]
    assert (r.score, r.review_on) == (16, date(2022, 4, 25))
    page = soup(lead_client, f"{RISKS}/")
    assert "Up from 12" in row_text(page, "R06") and "Review overdue" not in row_text(page, "R06")


def test_reviewing_again_compares_with_the_last_review(lead_client: FlaskClient) -> None:
    lead_client.post(
        f"{RISKS}/R03/review",
        data=versioned(
            "R03",
            consequence="4",
            likelihood="3",
            note="Board posts filled",
            review_on="2022-05-02",
        ),
    )
    r = risk("R03")
    assert [v.score for v in r.reviews] == [12, 16, 12]  # no extra row: 16 was recorded
    page = soup(lead_client, f"{RISKS}/R03")
    assert "Down from 16" in page.find(id="trend").text
    history = page.find("table", id="history").get_text(" ", strip=True)
    assert "Review created" in history and "Becca Bradd" in history
    assert "Update likelihood" in history


def test_marking_an_action_done_and_history(lead_client: FlaskClient) -> None:
    action = next(a for a in risk("R03").actions if a.done_on is None)
    response = lead_client.post(f"{RISKS}/R03/actions/done", data={"action_id": str(action.id)})
    assert response.status_code == 302 and response.location.endswith("#actions")
    assert db.session.get(RiskAction, action.id).done_on == date(2022, 4, 4)
    # Done twice is refused with a message, not an error page.
    again = lead_client.post(
        f"{RISKS}/R03/actions/done", data={"action_id": str(action.id)}, follow_redirects=True
    )
    assert "That action was done on 4 April 2022" in again.text
    # An action of another risk is not this one's.
    other = risk("R02").actions[0]
    lead_client.post(f"{RISKS}/R03/actions/done", data={"action_id": str(other.id)})
    assert db.session.get(RiskAction, other.id).done_on is None
    history = soup(lead_client, f"{RISKS}/R03").find("table", id="history")
    assert "Action updated: done on" in history.get_text(" ", strip=True)


def test_a_stale_edit_is_refused_and_shows_what_changed(admin_client: FlaskClient) -> None:
    form = risk_form("R01", title="My version")
    with acting_as(Actor("Mike Gilbert")):
        risk("R01").mitigation = "Weekly call with the regional team"
        db.session.commit()
    response = admin_client.post(f"{RISKS}/R01/edit", data=form)
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.find(id="edit-conflict") is not None
    assert "Weekly call with the regional team" in page.find(id="edit-conflict").text
    assert risk("R01").title == "Delays to the Bill and national guidance"
    assert page.find(id="title")["value"] == "My version"  # what was typed is kept


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consequence": "7"}, "consequence", "Choose the consequence from 1 to 5"),
        ({"likelihood": "0"}, "likelihood", "Choose the likelihood from 1 to 5"),
        (
            {"target_likelihood": "x"},
            "target_likelihood",
            "Choose the target likelihood from 1 to 5",
        ),
        ({"review_on": "2021-01-01"}, "review_on", "is before the date raised 30 June 2021"),
        ({"milestones": "PEO-09, PEO-99"}, "milestones", "PEO-99 is not a milestone"),
        ({"title": " "}, "title", "Enter a title"),
        ({"raised_on": "31/02/2022"}, "raised_on", "Enter the date raised as a date, like 1 April"),
    ],
)
def test_bad_risk_input_is_named_and_nothing_is_saved(
    admin_client: FlaskClient, changes: dict[str, str], field: str, message: str
) -> None:
    before, audited = snapshot("R01"), audit_count()
    form = risk_form("R01", description="Typed before the mistake", **changes)
    response = admin_client.post(f"{RISKS}/R01/edit", data=form)
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.title.text.startswith("Error: ")
    assert message in field_error(page, field)
    summary = page.find(class_="nhsuk-error-summary")
    assert message in summary.text
    assert snapshot("R01") == before and audit_count() == audited
    assert page.find(id="description").text == "Typed before the mistake"


@pytest.mark.parametrize(
    ("path", "data", "field", "message"),
    [
        ("close", {"closed_note": "  "}, "closed_note", "Say why the risk is closed"),
        (
            "review",
            {"consequence": "6", "likelihood": "3", "note": "x", "review_on": "2022-05-01"},
            "consequence",
            "from 1 to 5",
        ),
        (
            "review",
            {"consequence": "4", "likelihood": "3", "note": "x", "review_on": "2022-04-01"},
            "review_on",
            "today or later, not 1 April 2022",
        ),
        (
            "review",
            {"consequence": "4", "likelihood": "3", "note": "", "review_on": "2022-05-01"},
            "note",
            "Say what the review found",
        ),
        (
            "actions/new",
            {"description": "", "owner": "", "due_on": "2021-01-01"},
            "due_on",
            "before the risk was raised",
        ),
    ],
)
def test_bad_input_on_reviews_closing_and_actions(
    lead_client: FlaskClient, path: str, data: dict[str, str], field: str, message: str
) -> None:
    before, audited = snapshot("R03"), audit_count()
    response = lead_client.post(f"{RISKS}/R03/{path}", data=versioned("R03", **data))
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.title.text.startswith("Error: ")
    assert message in field_error(page, field)
    assert snapshot("R03") == before and audit_count() == audited


def test_a_new_risk_with_every_mistake_says_so_all_at_once(admin_client: FlaskClient) -> None:
    form = new_risk_form(title="", owner="", consequence="9", raised_on="", milestones="NOPE-1")
    response = admin_client.post(f"{RISKS}/new", data=form)
    page = BeautifulSoup(response.text, "html.parser")
    for field in ("title", "owner", "consequence", "raised_on", "milestones"):
        field_error(page, field)
    # The summary links to the first radio of a score.
    assert page.find(class_="nhsuk-error-summary").find("a", href="#consequence-1") is not None
    assert count(Risk) == 7


# --- the issue log --------------------------------------------------------------------------


def issue(ref: str) -> Issue:
    db.session.expire_all()
    found = db.session.scalar(select(Issue).where(Issue.ref == ref))
    assert found is not None, ref
    return found


def issue_snapshot(ref: str) -> dict[str, Any]:
    i = issue(ref)
    return {c.key: getattr(i, c.key) for c in Issue.__table__.columns}


def issue_form(ref: str, **changes: Any) -> dict[str, Any]:
    i = issue(ref)
    data = {
        "title": i.title,
        "description": i.description,
        "raised_on": i.raised_on.isoformat(),
        "owner": str(i.owner_id),
        "workstream": str(i.workstream_id or ""),
        "impact": i.impact,
        "action": i.action,
        "risk": str(i.risk_id or ""),
        "opened_at": opened_now(),
    }
    return {**data, **changes}


def issue_refs(page: BeautifulSoup) -> list[str]:
    table = page.find("table", id="issues")
    return [row["data-ref"] for row in table.tbody.find_all("tr")] if table else []


def test_the_issue_log_lists_searches_and_filters(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/issues/")
    assert issue_refs(page) == ["I02", "I01"]  # most recently raised first
    i01 = page.find("tr", id="issue-I01").get_text(" ", strip=True)
    assert "Royal Assent later than the April plan assumed" in i01 and "From risk R01" in i01
    assert issue_refs(soup(client, f"{BASE}/issues/?q=consultation")) == ["I02"]
    assert issue_refs(soup(client, f"{BASE}/issues/?q=transfer scheme")) == ["I01"]  # impact
    assert issue_refs(soup(client, f"{BASE}/issues/?workstream=GOV")) == ["I01"]
    assert issue_refs(soup(client, f"{BASE}/issues/?status=closed")) == []
    assert issue_refs(soup(client, f"{BASE}/issues/?q=100%25")) == []  # % is a character
    # The board reads; no buttons.
    assert (
        page.find("a", string="Add an issue") is None and "Edit" not in page.find(id="issues").text
    )


ISSUE_WHO = [
    ("admin", "I01", True),
    ("lead", "I02", True),
    ("lead", "I01", False),
    ("board", "I02", False),
]


@pytest.mark.parametrize(
    ("role", "ref", "allowed"), ISSUE_WHO, ids=[f"{w[0]}-{w[1]}" for w in ISSUE_WHO]
)
@pytest.mark.parametrize("change", ["edit", "close", "reopen"])
def test_issue_changes_by_role(app: Flask, change: str, role: str, ref: str, allowed: bool) -> None:
    client = as_role(app, role)
    if change == "reopen":
        with acting_as(Actor("Sarah Collins")):
            i = issue(ref)
            i.status, i.closed_on = "closed", date(2022, 4, 1)
            db.session.commit()
    data = {
        "edit": issue_form(ref, action="Escalated to the regional director"),
        "close": {"closed_on": "2022-04-04", "opened_at": opened_now()},
        "reopen": {},
    }[change]
    before, audited = issue_snapshot(ref), audit_count()
    response = client.post(f"{BASE}/issues/{ref}/{change}", data=data)
    if not allowed:
        assert response.status_code == 403
        assert issue_snapshot(ref) == before and audit_count() == audited
        return
    assert response.status_code == 302
    i = issue(ref)
    assert {
        "edit": i.action == "Escalated to the regional director",
        "close": (i.status, i.closed_on) == ("closed", date(2022, 4, 4)),
        "reopen": (i.status, i.closed_on) == ("open", None),
    }[change]
    assert events_by("Sarah Collins" if role == "admin" else "Becca Bradd", "Issue")


@pytest.mark.parametrize("role", ["admin", "lead", "board"])
def test_adding_an_issue_by_role(app: Flask, role: str) -> None:
    client = as_role(app, role)
    data = {
        "title": "Payroll provider missed the parallel run",
        "raised_on": "2022-04-04",
        "owner": str(person(LEAD).id),
        "workstream": str(workstream("PEO").id),
        "impact": "PEO-12 at risk",
        "action": "Rerun next week",
        "risk": str(risk("R06").id),
    }
    before, audited = count(Issue), audit_count()
    response = client.post(f"{BASE}/issues/new", data=data)
    if role == "board":
        assert response.status_code == 403 and client.get(f"{BASE}/issues/new").status_code == 403
        assert count(Issue) == before and audit_count() == audited
        return
    assert response.status_code == 302
    added = issue("I03")
    assert (added.title, added.status, added.risk_id) == (data["title"], "open", risk("R06").id)
    assert "I03" in issue_refs(soup(client, f"{BASE}/issues/?q=parallel run"))


def test_bad_issue_input(lead_client: FlaskClient) -> None:
    before, audited = issue_snapshot("I02"), audit_count()
    response = lead_client.post(
        f"{BASE}/issues/I02/edit", data=issue_form("I02", title="", raised_on="2022-05-01")
    )
    page = BeautifulSoup(response.text, "html.parser")
    assert "Enter a title" in field_error(page, "title")
    assert "The date raised, 1 May 2022, is in the future" in field_error(page, "raised_on")
    response = lead_client.post(
        f"{BASE}/issues/I02/close", data={"closed_on": "2022-03-01", "opened_at": opened_now()}
    )
    page = BeautifulSoup(response.text, "html.parser")
    assert (
        "The date resolved, 1 March 2022, is before the issue was raised, 21 March 2022"
        in field_error(page, "closed_on")
    )
    assert issue_snapshot("I02") == before and audit_count() == audited


def test_a_stale_issue_edit_is_refused(lead_client: FlaskClient) -> None:
    form = issue_form("I02", action="Mine")
    with acting_as(Actor("Sarah Collins")):
        issue("I02").impact = "Now worse"
        db.session.commit()
    response = lead_client.post(f"{BASE}/issues/I02/edit", data=form)
    assert response.status_code == 200 and "Now worse" in response.text
    assert issue("I02").action != "Mine"


# --- the decision log -----------------------------------------------------------------------


def decision_refs(page: BeautifulSoup) -> list[str]:
    table = page.find("table", id="decisions")
    return [row["data-ref"] for row in table.tbody.find_all("tr")] if table else []


def test_the_decision_log_lists_and_searches(client: FlaskClient) -> None:
    page = soup(client, f"{BASE}/decisions/")
    assert decision_refs(page) == ["D03", "D02", "D01"]
    d03 = page.find("tr", id="decision-D03")
    assert "1 July 2022" in d03.text and [a.text for a in d03.find_all("a")] == ["GOV-06", "GOV-99"]
    d02 = page.find("tr", id="decision-D02")
    assert [a.text for a in d02.find_all("a")] == ["PEO-04", "PEO-05"]
    assert decision_refs(soup(client, f"{BASE}/decisions/?q=chair designate")) == ["D02"]
    assert decision_refs(soup(client, f"{BASE}/decisions/?forum=Transition board")) == [
        "D03",
        "D02",
    ]
    assert decision_refs(
        soup(client, f"{BASE}/decisions/?decided_from=2021-12-01&decided_to=2021-12-31")
    ) == ["D02"]
    assert decision_refs(soup(client, f"{BASE}/decisions/?milestone=gov-99")) == ["D03"]
    bad = soup(client, f"{BASE}/decisions/?decided_from=not-a-date")
    assert "These filters were not applied" in bad.find(class_="nhsuk-error-summary").text
    assert len(decision_refs(bad)) == 3


@pytest.mark.parametrize("role", ["admin", "lead", "board"])
def test_recording_and_editing_decisions_by_role(app: Flask, role: str) -> None:
    client = as_role(app, role)
    new = {
        "decided_on": "2022-04-04",
        "forum": "Transition board",
        "decision": "Approve the day-one communications plan",
        "owner": str(person("tom.stevenson@example.org").id),
        "milestones": "ENG-08",
    }
    d01 = db.session.scalar(select(Decision).where(Decision.ref == "D01"))
    edit = {
        "decided_on": "2021-09-30",
        "forum": "ICS Partnership Board",
        "decision": d01.decision + " Confirmed in the minutes.",
        "owner": str(d01.owner_id),
        "milestones": "GOV-02",
        "opened_at": opened_now(),
    }
    before, audited = count(Decision), audit_count()
    added = client.post(f"{BASE}/decisions/new", data=new)
    edited = client.post(f"{BASE}/decisions/D01/edit", data=edit)
    if role != "admin":
        assert (added.status_code, edited.status_code) == (403, 403)
        assert client.get(f"{BASE}/decisions/new").status_code == 403
        assert count(Decision) == before and audit_count() == audited
        return
    assert (added.status_code, edited.status_code) == (302, 302)
    d04 = db.session.scalar(select(Decision).where(Decision.ref == "D04"))
    assert d04 is not None and [m.ref for m in d04.milestones] == ["ENG-08"]
    db.session.expire_all()
    assert db.session.get(Decision, d01.id).decision.endswith("Confirmed in the minutes.")
    assert events_by("Sarah Collins", "Decision")


def test_bad_decision_input(admin_client: FlaskClient) -> None:
    response = admin_client.post(
        f"{BASE}/decisions/new",
        data={"decided_on": "2022-05-01", "forum": "", "decision": "", "milestones": "GOV-999"},
    )
    page = BeautifulSoup(response.text, "html.parser")
    assert "The date decided, 1 May 2022, is in the future" in field_error(page, "decided_on")
    assert "Say which forum decided" in field_error(page, "forum")
    assert "Say what was decided" in field_error(page, "decision")
    assert "GOV-999 is not a milestone" in field_error(page, "milestones")
    assert count(Decision) == 3


def test_milestone_refs_in_place_of_log_refs_lead_to_the_entries_about_them(
    admin_client: FlaskClient,
) -> None:
    response = admin_client.get(f"{BASE}/decisions/GOV-99/edit")
    assert response.status_code == 302
    assert decision_refs(soup(admin_client, response.location)) == ["D03"]
    response = admin_client.get(f"{BASE}/issues/PEO-09/edit")
    assert response.status_code == 302 and "q=PEO-09" in response.location
    assert admin_client.get(f"{BASE}/issues/I99/edit").status_code == 404


# --- the digest's risk section ------------------------------------------------------------------


def test_the_digest_reports_new_risks_risen_scores_and_overdue_reviews(
    app: Flask,
    runner: FlaskCliRunner,
    smtp_server: mail.SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    lead_client: FlaskClient,
) -> None:
    assert send(runner).exit_code == 0  # Monday 4 April's digest: the comparison point
    first = parts(smtp_server.one_to(BOARD_MEMBER))[0]
    before = first[first.index("RISKS") :]
    assert "New risks" not in before and "Risks whose score rose" not in before
    assert "Reviews overdue:\n- R03 Key leadership appointments delayed" in before
    assert "- R06 Loss of key staff" in before  # review due 25 March
    smtp_server.clear()
    # During the week, through the pages: Becca Bradd raises a risk and reviews R06 up.
    assert lead_client.post(f"{RISKS}/new", data=new_risk_form()).status_code == 302
    review = versioned(
        "R06", consequence="4", likelihood="4", note="Leavers", review_on="2022-04-25"
    )
    assert lead_client.post(f"{RISKS}/R06/review", data=review).status_code == 302

    next_monday(app, monkeypatch)
    assert send(runner).exit_code == 0
    text = parts(smtp_server.one_to(BOARD_MEMBER))[0]
    section = text[text.index("RISKS") :]
    assert "New risks:\n- R08 Payroll cut-over clashes with year-end: 8 high" in section
    assert "Risks whose score rose:\n- R06 Loss of key staff" in section
    assert "(score rose from 12 to 16)" in section
    overdue = section[section.index("Reviews overdue:") :].split("\n\n")[0]
    assert "R03" in overdue and "R06" not in overdue  # reviewed, next due 25 April
