"""Several programmes in one tracker: the switcher, and every page, export, API list and digest
about one programme only (nothing of another leaks in, and another's records are not
reachable through this one's addresses)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN, BOARD_MEMBER, DEMO_TODAY, LEAD, sign_in_as
from tests.helpers import join, pdf_text
from tests.test_conventions import urls
from tracker.extensions import db
from tracker.models import (
    Dependency,
    Membership,
    Milestone,
    Programme,
    Risk,
    Workstream,
    WorkstreamLead,
)
from tracker.services import api_tokens
from tracker.services.accounts import user_by_email
from tracker.services.digest_content import for_person, programme_week, recipients
from tracker.services.synthetic import generate_programme

KENT = "kent-and-medway"
OTHER = "synthetic-2"


def refs(slug: str) -> set[str]:
    return set(
        db.session.scalars(sa.select(Milestone.ref).join(Programme).where(Programme.slug == slug))
    )


def text_of(response) -> str:  # noqa: ANN001
    """A page's text, or a workbook's cells."""
    if response.mimetype == "image/png":
        # Drawn from the SVG at the same address (gantt.svg), which the sweep reads as text.
        return ""
    if response.mimetype == "application/pdf":  # the board pack
        return pdf_text(response.data)
    if response.mimetype.startswith("application/vnd.openxmlformats"):
        workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.get_data(as_text=True)


# How a reference is written, in hints for the spreadsheet's columns: not a record.
FORMAT_EXAMPLES = {"GOV-01", "GOV-03", "PEO-01"}


def mentions(html: str, found: set[str]) -> set[str]:
    """Which of these milestone refs the text names (as whole words)."""
    words = set(re.findall(r"\b[A-Z]{2,5}-\d+\b", html)) - FORMAT_EXAMPLES
    return words & found


@pytest.fixture()
def other(app: Flask) -> Programme:
    """A second programme beside Kent and Medway, with a change in its audit trail."""
    generate_programme(slug=OTHER, milestones=60, today=DEMO_TODAY, seed=3, name="Synthetic ICB")
    db.session.commit()
    programme = db.session.scalar(sa.select(Programme).where(Programme.slug == OTHER))
    milestone = db.session.scalar(
        sa.select(Milestone).where(Milestone.programme_id == programme.id).limit(1)
    )
    milestone.forecast_date = date(2022, 6, 1)
    milestone.forecast_reason = "Waiting for the other ICB's estates survey"
    risk = db.session.scalar(sa.select(Risk).where(Risk.programme_id == programme.id).limit(1))
    risk.ref = "R90"  # Kent and Medway's risks are R01 to R07
    db.session.commit()
    # The seed's board member and lead belong to it too (the admin is an instance
    # administrator, who sees every programme).
    join(BOARD_MEMBER, OTHER, "board")
    join(LEAD, OTHER, "lead")
    return programme


def test_one_programme_has_no_switcher(client: FlaskClient) -> None:
    assert client.get("/").location == f"/p/{KENT}/"
    html = client.get(f"/p/{KENT}/gantt").get_data(as_text=True)
    assert 'id="switch-programme"' not in html


def test_several_programmes_are_listed_with_their_progress(
    client: FlaskClient, other: Programme
) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Kent and Medway" in html and "Synthetic ICB" in html
    kent_done = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Milestone)
        .join(Programme)
        .where(Programme.slug == KENT, Milestone.status == "complete")
    )
    assert f"{kent_done} of {len(refs(KENT))}" in html
    assert "My workstreams" not in html  # a board member leads nothing


def test_a_lead_is_pointed_at_the_programmes_they_lead(app: Flask, other: Programme) -> None:
    html = sign_in_as(app.test_client(), LEAD).get("/").get_data(as_text=True)
    assert f'href="/p/{KENT}/my-workstreams"' in html
    assert f'href="/p/{OTHER}/my-workstreams"' not in html


def test_the_switcher_names_the_programme_and_keeps_the_section(
    client: FlaskClient, other: Programme
) -> None:
    html = client.get(f"/p/{KENT}/milestones/PEO-09").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    label = page.find("label", attrs={"for": "switch-programme"})
    assert label is not None and label.get_text(strip=True) == "Programme"
    options = {o["value"]: o for o in page.find("select", id="switch-programme")("option")}
    assert options[KENT].has_attr("selected")
    assert not options[OTHER].has_attr("selected")
    assert options[OTHER].get_text(strip=True) == "Synthetic ICB"
    # From a milestone page the switcher goes to the other programme's milestone list.
    assert 'name="page" value="plan.milestones"' in html

    response = client.get(f"/switch-programme?programme={OTHER}&page=plan.milestones")
    assert response.status_code == 302 and response.location == f"/p/{OTHER}/milestones/"
    landed = BeautifulSoup(client.get(response.location).get_data(as_text=True), "html.parser")
    chosen = landed.find("select", id="switch-programme").find("option", selected=True)
    assert chosen["value"] == OTHER


@pytest.mark.parametrize(
    ("email", "page", "lands_on"),
    [
        (BOARD_MEMBER, "plan.gantt", "/gantt"),
        (BOARD_MEMBER, "risks.index", "/risks/"),
        (ADMIN, "plan_edits.index", "/plan-settings"),
        # Not a section's landing page, or not one for this person there: the dashboard.
        (BOARD_MEMBER, "plan_edits.index", "/"),
        (BOARD_MEMBER, "spreadsheets.export_xlsx", "/"),
        (BOARD_MEMBER, "users.index", "/"),
        (BOARD_MEMBER, "https://example.org/", "/"),
        (LEAD, "updates.my_workstreams", "/"),  # Becca leads nothing in the other programme
    ],
)
def test_the_switcher_only_goes_to_landing_pages(
    app: Flask, other: Programme, email: str, page: str, lands_on: str
) -> None:
    client = sign_in_as(app.test_client(), email)
    response = client.get("/switch-programme", query_string={"programme": OTHER, "page": page})
    assert response.status_code == 302
    assert response.location == f"/p/{OTHER}{lands_on}"
    assert client.get(response.location).status_code == 200


def test_the_switcher_refuses_an_unknown_programme(client: FlaskClient, other: Programme) -> None:
    assert client.get("/switch-programme?programme=nowhere&page=plan.gantt").status_code == 404
    assert client.get("/switch-programme").location == "/"


def other_values(app: Flask) -> dict[str, object]:
    """URL values naming the other programme's records."""
    programme = db.session.scalar(sa.select(Programme).where(Programme.slug == OTHER))
    milestone = db.session.scalar(
        sa.select(Milestone)
        .where(Milestone.programme_id == programme.id, Milestone.predecessor_links.any())
        .limit(1)
    )
    link = db.session.scalar(
        sa.select(Dependency).where(Dependency.successor_id == milestone.id).limit(1)
    )
    member = db.session.scalar(
        sa.select(Membership.person_id).where(Membership.programme_id == programme.id).limit(1)
    )
    from tracker.services import board_pack, scenarios
    from tracker.services.accounts import user_by_email, viewer_for

    office = viewer_for(user_by_email(ADMIN), OTHER)
    scenario = scenarios.create_scenario(office, programme, "A question", "", [])
    pack = board_pack.last_issued(programme) or board_pack.issue_pack(
        office, programme, DEMO_TODAY, None
    )
    return {
        "slug": OTHER,
        "ref": milestone.ref,
        "code": milestone.workstream.code,
        "dependency_id": link.id,
        "person_id": member,
        "scenario_id": scenario.id,
        "pack_id": pack.id,
    }


def programme_pages(app: Flask, values: dict[str, object]) -> list[str]:
    """Every page under /p/<slug>/, with these values in its address."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or not rule.rule.startswith("/p/<slug>/"):
            continue
        if set(rule.arguments) - set(values):
            continue  # a user id or week: not a programme's record
        found.append(rule.build({n: values[n] for n in rule.arguments})[1])
    return found


def test_no_page_shows_another_programmes_milestones(app: Flask, other: Programme) -> None:
    admin = sign_in_as(app.test_client(), ADMIN)
    kent_refs, other_refs = refs(KENT), refs(OTHER)
    assert not kent_refs & other_refs
    kent_pages = [url for _, url in urls(app, "GET") if url.startswith(f"/p/{KENT}/")]
    other_pages = programme_pages(app, other_values(app))
    assert len(kent_pages) == len(other_pages) > 30
    for pages, own, foreign, foreign_slug in (
        (kent_pages, kent_refs, other_refs, OTHER),
        (other_pages, other_refs, kent_refs, KENT),
    ):
        shown: set[str] = set()
        for url in pages:
            response = admin.get(url)
            assert response.status_code in (200, 302), (url, response.status_code)
            body = text_of(response)
            assert not mentions(body, foreign), (url, mentions(body, foreign))
            assert f"/p/{foreign_slug}/" not in body, url
            shown |= mentions(body, own)
        assert len(shown) > 20  # the sweep did read the programme's own milestones


def test_another_programmes_records_are_not_found_through_this_one(
    app: Flask, other: Programme
) -> None:
    admin = sign_in_as(app.test_client(), ADMIN)
    values = other_values(app)
    kent_codes = set(
        db.session.scalars(sa.select(Workstream.code).join(Programme).where(Programme.slug == KENT))
    )
    for url in (
        f"/p/{KENT}/milestones/{values['ref']}",
        f"/p/{KENT}/milestones/{values['ref']}/edit",
        f"/p/{KENT}/risks/R90",
    ):
        assert admin.get(url).status_code == 404, url
    if values["code"] not in kent_codes:
        assert admin.get(f"/p/{KENT}/workstreams/{values['code']}").status_code == 404
    # A change through the wrong programme's address is refused and changes nothing.
    response = admin.post(f"/p/{KENT}/dependencies/{values['dependency_id']}/delete")
    assert response.status_code == 404
    assert db.session.get(Dependency, values["dependency_id"]) is not None
    response = admin.post(f"/p/{KENT}/milestones/{values['ref']}/complete", data={})
    assert response.status_code == 404


def test_exports_hold_one_programme(admin_client: FlaskClient, other: Programme) -> None:
    workbook = openpyxl.load_workbook(
        io.BytesIO(admin_client.get(f"/p/{OTHER}/export.xlsx").data), read_only=True
    )
    sheet = workbook["Milestones"]
    exported = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert exported == refs(OTHER)

    text = admin_client.get(f"/p/{KENT}/export.csv?sheet=milestones").data.decode("utf-8-sig")
    exported = {row["Ref"] for row in csv.DictReader(io.StringIO(text))}
    assert exported == refs(KENT)


def test_the_api_lists_one_programme(app: Flask, other: Programme) -> None:
    token = api_tokens.create_token(user_by_email(ADMIN), "scoping").secret
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for slug in (KENT, OTHER):
        url, listed = f"/api/v1/programmes/{slug}/milestones?per_page=200", set()
        while url:
            body = api.get(url, headers=headers).get_json()
            listed |= {m["ref"] for m in body["items"]}
            url = body["next"]
        assert listed == refs(slug)
        body = api.get(f"/api/v1/programmes/{slug}/dependencies?per_page=200", headers=headers)
        named = {d["predecessor"] for d in body.get_json()["items"]}
        assert named <= refs(slug)


def test_each_programmes_digest_is_about_it_and_goes_to_its_people(
    app: Flask, other: Programme
) -> None:
    with app.test_request_context():
        week = programme_week(other, date(2022, 4, 4))
        assert week is not None
        going = {r.email: r for r in recipients(other)}
        other_leads = set(
            db.session.scalars(
                sa.select(WorkstreamLead.person_id)
                .join(Workstream)
                .where(Workstream.programme_id == other.id)
            )
        )
        assert other_leads
        # Only its members: the seed's board member (added by the fixture), not the seed's
        # admin, who is an instance administrator but no member of it.
        assert BOARD_MEMBER in going and ADMIN not in going
        assert LEAD not in going  # a lead of it, but Becca leads nothing there
        digest = for_person(week, going[BOARD_MEMBER])
        assert mentions(digest.text, refs(OTHER))
        assert not mentions(digest.text, refs(KENT))
        assert not mentions(digest.html, refs(KENT))
