"""Starting a programme from a template (the CLI and the pages: the preview first, then one
audited change) and saving a programme as a template, which a programme starts from again.

Seeded today is Monday 4 April 2022, so a go-live must lie from then to 4 April 2032.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from tests.conftest import ADMIN, SEED_DIR, sign_in_as
from tests.helpers import audit_count, count, error_for, page, programme, soup
from tracker.audit import Actor, acting_as
from tracker.domain.permissions import Viewer
from tracker.domain.templates import (
    NewProgramme,
    PlanMilestone,
    PlanWorkstream,
    check_new_programme,
    lay_out,
    read_template,
    slug_for,
    template_from_plan,
)
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Dependency,
    Membership,
    Milestone,
    Person,
    Programme,
    SavedTemplate,
    User,
)
from tracker.scheduling import WorkingCalendar
from tracker.services import programme_setup, templates
from tracker.services.schedule import calendar_for, programme_schedule
from tracker.services.unit_of_work import ChangeRefused, Refusal

MERGER = "icb-merger-2026-27"
TODAY = date(2022, 4, 4)
CHOICES = {
    "template": MERGER,
    "name": "Sussex and Surrey Heartlands ICB merger",
    "from_organisation": "NHS Sussex ICB and NHS Surrey Heartlands ICB",
    "to_organisation": "NHS Sussex and Surrey Heartlands ICB",
    "go_live": "2023-07-03",
    "region": "ENG",
}
SLUG = "sussex-and-surrey-heartlands-icb-merger"
TEMPLATES = SEED_DIR / "templates"
INSTANCE = Viewer(instance_admin=True)


def spec(**changes: Any) -> NewProgramme:
    values = {**CHOICES, **changes}
    go_live = values["go_live"]
    return NewProgramme(
        values["template"],
        values["name"],
        values["from_organisation"],
        values["to_organisation"],
        date.fromisoformat(go_live) if isinstance(go_live, str) else go_live,
        values["region"],
    )


def rows() -> tuple[int, int, int, int]:
    return count(Programme), count(Milestone), count(SavedTemplate), audit_count()


def plan_of(slug: str) -> dict[str, Any]:
    """A programme's workstreams, milestones and links, as comparable plain data."""
    db.session.expire_all()
    p = programme(slug)
    ws = {w.id: w.code for w in p.workstreams}
    ms = db.session.scalars(select(Milestone).where(Milestone.programme_id == p.id)).all()
    refs = {m.id: m.ref for m in ms}
    links = db.session.scalars(select(Dependency).where(Dependency.programme_id == p.id)).all()
    return {
        "workstreams": [(w.code, w.name) for w in p.workstreams],
        "milestones": {
            m.ref: (m.title, ws[m.workstream_id], m.kind, m.planned_start, m.due_date, m.is_key)
            for m in ms
        },
        "links": {
            (refs[d.predecessor_id], refs[d.successor_id], d.type, d.lag_days) for d in links
        },
    }


# --- the rules, plain data ----------------------------------------------------------------------


def test_the_address_comes_from_the_name() -> None:
    assert slug_for("Sussex & Surrey ICB merger (2026)") == "sussex-surrey-icb-merger-2026"
    assert slug_for("  Ünïcode only  ") == "n-code-only"
    assert len(slug_for("word " * 40)) <= 50 and not slug_for("word " * 40).endswith("-")
    assert slug_for("!!!") == ""


def test_each_bad_choice_names_its_field() -> None:
    def errors(**changes: Any) -> dict[str, str]:
        found = check_new_programme(spec(**changes), today=TODAY, templates=[MERGER], taken_by=None)
        return {e.field: e.message for e in found}

    assert errors() == {}
    assert "Choose the template" in errors(template="")["template"]
    assert "no template 'nope'" in errors(template="nope")["template"]
    assert errors(name="  ")["name"] == "Enter the programme's name"
    assert "letters or digits" in errors(name="!!!")["name"]
    taken = check_new_programme(spec(), today=TODAY, templates=[MERGER], taken_by="Another")
    assert "“Another” already has the address /p/sussex-and-surrey" in taken[0].message
    assert "Enter the organisations that close" in errors(from_organisation="")["from_organisation"]
    assert "Enter the organisation it becomes" in errors(to_organisation=" ")["to_organisation"]
    assert "Enter the go-live date" in errors(go_live=None)["go_live"]
    assert "The go-live date 1 April 2021 is outside" in errors(go_live="2021-04-01")["go_live"]
    assert "England, Wales, Scotland or Northern Ireland" in errors(region="XX")["region"]


@pytest.mark.parametrize("key", ["ccg-to-icb-2022", MERGER])
def test_a_plan_saved_as_a_template_lays_out_on_the_same_dates(key: str) -> None:
    template = read_template(key, yaml.safe_load((TEMPLATES / f"{key}.yaml").read_text()))
    calendar = WorkingCalendar(date(2025, 1, 1), "SCT")
    first = lay_out(template, date(2027, 4, 1), calendar, today=date(2025, 6, 2))
    data = template_from_plan(
        name="Again",
        description="The same plan",
        go_live=date(2027, 4, 1),
        go_live_ref=template.go_live_ref,
        workstreams=[
            PlanWorkstream(w.code, w.name, f"Usual lead: {w.lead_role}")
            for w in template.workstreams
        ],
        milestones=[
            PlanMilestone(
                m.ref, m.title, m.workstream, m.planned_start, m.due, m.is_key, "", m.predecessors
            )
            for m in first.milestones
        ],
        calendar=calendar,
        source="Where it came from",
    )
    again = lay_out(
        read_template("saved-again", yaml.safe_load(yaml.safe_dump(data))),
        date(2027, 4, 1),
        calendar,
        today=date(2025, 6, 2),
    )

    def dates(plan: Any) -> list[tuple[Any, ...]]:
        return [(m.ref, m.planned_start, m.due, m.predecessors, m.is_key) for m in plan.milestones]

    assert dates(again) == dates(first)
    assert [w.lead_role for w in again.template.workstreams] == [
        w.lead_role for w in template.workstreams
    ]
    assert again.critical_path == first.critical_path


# --- the CLI ----------------------------------------------------------------------------------


def new_args(**changes: str) -> list[str]:
    values = {**CHOICES, **changes}
    return [
        "programme", "new",
        "--template", values["template"],
        "--name", values["name"],
        "--from", values["from_organisation"],
        "--to", values["to_organisation"],
        "--go-live", values["go_live"],
        "--region", values["region"],
        "--today", "2022-04-04",
    ]  # fmt: skip


def test_the_cli_previews_then_creates_the_programme_in_one_audited_change(
    app: Flask, runner: FlaskCliRunner
) -> None:
    before = audit_count()
    result = runner.invoke(args=new_args(), input="y\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ICB merger (2026-27): go-live 3 July 2023" in out
    assert "GOV-99  3 July 2023  Merged ICB established" in out and "Critical path: " in out
    assert "Go-live 3 July 2023 leaves no slack" in out
    assert f"Created {CHOICES['name']}: /p/{SLUG}/" in out
    new = programme(SLUG)
    template = templates.read(MERGER)
    assert (new.template_key, new.calendar_region) == (MERGER, "ENG")
    assert [t.target_date for t in new.go_live_targets] == [date(2023, 7, 3)] == [new.go_live_date]
    assert new.start_date <= TODAY
    assert [w.code for w in new.workstreams] == [w.code for w in template.workstreams]
    assert new.workstreams[3].description == "Usual lead: Chief Finance Officer"
    made = db.session.scalars(select(Milestone).where(Milestone.programme_id == new.id)).all()
    assert len(made) == len(template.milestones)
    assert all(
        m.description.startswith("Source: ") or "\n\nSource: " in m.description for m in made
    )
    calendar = calendar_for(new)
    for m in made:
        assert calendar.is_working_day(m.due_date), m.ref
        assert m.planned_start is None or calendar.is_working_day(m.planned_start), m.ref
    assert len(plan_of(SLUG)["links"]) == sum(len(m.predecessors) for m in template.milestones)
    assert new.current_baseline is not None
    assert new.current_baseline.label == "Plan as created from ICB merger (2026-27)"
    assert len(new.current_baseline.items) == len(made)
    # Scheduled as stored: no cycle, and go-live allows it, so nothing has negative float.
    schedule = programme_schedule(new, today=TODAY)
    assert schedule is not None and schedule.forecast.go_live_float >= 0
    assert min(f.total_float for f in schedule.forecast.milestones.values()) >= 0
    # Nobody in particular ran it: a placeholder owns the milestones, and nobody is a member.
    assert {m.owner.name for m in made} == {"Programme office"}
    assert new_members(new) == []
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id).offset(before)).all()
    assert {e.actor for e in events} == {"cli"}
    assert {"Programme", "GoLiveTarget", "Workstream", "Milestone", "Dependency", "Baseline"} <= {
        e.entity_type for e in events
    }


def test_a_go_live_too_soon_says_how_short_and_creates_only_when_confirmed(
    app: Flask, runner: FlaskCliRunner
) -> None:
    before = rows()
    declined = runner.invoke(args=new_args(go_live="2022-07-01"), input="n\n")
    assert declined.exit_code == 1
    assert "Go-live 1 July 2022 is " in declined.output
    assert "working days too soon for this template. The plan reaches go-live on" in declined.output
    assert "Create it anyway?" in declined.output and rows() == before
    confirmed = runner.invoke(args=[*new_args(go_live="2022-07-01"), "--yes", "--admin", ADMIN])
    assert confirmed.exit_code == 0, confirmed.output
    new = programme(SLUG)
    sarah = db.session.scalar(select(Person).where(Person.email == ADMIN))
    assert [(m.person, m.role) for m in new_members(new)] == [(sarah, "admin")]
    assert {m.owner_id for m in new.milestones} == {sarah.id}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"template": "nope"}, "Error: template: There is no template 'nope'"),
        ({"region": "XYZ"}, "Error: region: Choose whose bank holidays"),
        ({"name": "Kent and Medway CCG to ICB transition"}, "Error: name: There is already a"),
        (
            {"name": "Kent and Medway!"},
            "Error: name: “Kent and Medway CCG to ICB transition” already",
        ),
        ({"go_live": "2040-01-01"}, "Error: go_live: The go-live date 1 January 2040 is outside"),
    ],
)
def test_the_cli_refuses_bad_choices_and_saves_nothing(
    app: Flask, runner: FlaskCliRunner, changes: dict[str, str], expected: str
) -> None:
    before = rows()
    result = runner.invoke(args=[*new_args(**changes), "--yes"])
    assert result.exit_code == 1 and expected in result.output, result.output
    assert rows() == before
    unknown = runner.invoke(args=[*new_args(), "--yes", "--admin", "nobody@example.org"])
    assert "Error: admin: There is nobody with the email address nobody@example.org" in (
        unknown.output
    )
    assert rows() == before


def test_the_cli_saves_a_programme_as_a_template_once(app: Flask, runner: FlaskCliRunner) -> None:
    saved = runner.invoke(
        args=["programme", "save-template", "kent-and-medway", "--name", "Kent and Medway plan"]
    )
    assert saved.exit_code == 0, saved.output
    assert "as the template saved-kent-and-medway-plan: 10 workstreams" in saved.output
    listed = runner.invoke(args=["programme", "templates"])
    assert "saved-kent-and-medway-plan: Kent and Medway plan (10 workstreams" in listed.output
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "SavedTemplate"))
    assert event is not None and event.actor == "cli"
    before = rows()
    again = runner.invoke(
        args=["programme", "save-template", "kent-and-medway", "--name", "kent AND medway plan"]
    )
    assert again.exit_code == 1
    assert "Error: name: There is already a template called" in again.output and rows() == before
    nowhere = runner.invoke(args=["programme", "save-template", "nowhere", "--name", "X"])
    assert nowhere.exit_code == 1 and "There is no programme called 'nowhere'" in nowhere.output


# --- saving and starting again: the round trips -----------------------------------------------


def test_the_kent_and_medway_plan_saved_as_a_template_starts_the_same_plan(app: Flask) -> None:
    kent = programme()
    with acting_as(Actor("test")):
        programme_setup.save_as_template(INSTANCE, kent, "As Kent and Medway ran it")
        programme_setup.create_from_template(
            INSTANCE,
            spec(
                template="saved-as-kent-and-medway-ran-it", name="Kent again", go_live="2022-07-01"
            ),
            today=date(2021, 6, 1),
        )
    original, again = plan_of("kent-and-medway"), plan_of("kent-again")
    assert again["workstreams"] == original["workstreams"]
    assert again["links"] == original["links"]
    calendar = calendar_for(kent)
    for ref, (title, ws, kind, start, due, key) in original["milestones"].items():
        if calendar.is_working_day(due) and (start is None or calendar.is_working_day(start)):
            assert again["milestones"][ref] == (title, ws, kind, start, due, key), ref
    assert again["milestones"].keys() == original["milestones"].keys()
    # The leads' job titles became the usual leads; the descriptions came along.
    gov = programme("kent-again").workstreams[0]
    assert gov.description.endswith("Usual lead: Executive Director of Corporate Affairs")
    assert gov.description.startswith(kent.workstreams[0].description)


def test_a_programme_from_a_template_saved_and_started_again_is_the_same(app: Flask) -> None:
    with acting_as(Actor("test")):
        programme_setup.create_from_template(INSTANCE, spec(), today=TODAY)
        first = programme(SLUG)
        programme_setup.save_as_template(INSTANCE, first, "Our merger")
        programme_setup.create_from_template(
            INSTANCE, spec(template="saved-our-merger", name="Second merger"), today=TODAY
        )
    assert plan_of("second-merger") == plan_of(SLUG)
    second = programme("second-merger")
    assert [w.description for w in second.workstreams] == [
        w.description for w in programme(SLUG).workstreams
    ]
    by_ref = {m.ref: m.description for m in programme(SLUG).milestones}
    assert {m.ref: m.description for m in second.milestones} == by_ref
    with pytest.raises(ChangeRefused) as refused:
        programme_setup.save_as_template(INSTANCE, second, "OUR MERGER")
    assert refused.value.errors[0].message == "There is already a template called “OUR MERGER”"
    with pytest.raises(ChangeRefused) as refused:
        programme_setup.save_as_template(Viewer(memberships={second.id: "lead"}), second, "X")
    assert refused.value.refusal is Refusal.NOT_ALLOWED


# --- the pages --------------------------------------------------------------------------------


def test_an_instance_administrator_starts_a_programme_through_the_preview(
    admin_client: FlaskClient,
) -> None:
    listing = soup(admin_client, "/programmes/")
    assert listing.find(id="start-programme")["href"] == "/programmes/new"
    form = soup(admin_client, "/programmes/new")
    assert form.find(id="template-hint") is not None
    merger = templates.read(MERGER)
    assert f"{len(merger.milestones)} milestones in 7 workstreams." in form.get_text()
    continued = admin_client.post("/programmes/new", data=CHOICES)
    assert continued.status_code == 302
    address = urlsplit(continued.location)
    assert address.path == "/programmes/new/preview"
    assert {k: v[0] for k, v in parse_qs(address.query).items()} == CHOICES
    before = rows()
    preview = soup(admin_client, continued.location)
    assert preview.find(id="headline-text").get_text().startswith("Go-live 3 July 2023 leaves ")
    assert "3 July 2023" in preview.find(id="milestones-GOV").get_text()
    assert preview.find(id="critical-path").get_text().count("GOV-99") == 1
    hidden = {i["name"]: i["value"] for i in preview.select("form input[type=hidden]")}
    assert rows() == before  # the preview saves nothing
    created = admin_client.post("/programmes/new/preview", data=hidden)
    assert created.status_code == 302 and created.location == f"/p/{SLUG}/"
    dashboard = admin_client.get(created.location)
    assert dashboard.status_code == 200 and "Started Sussex and Surrey" in dashboard.text
    new = programme(SLUG)
    sarah = db.session.scalar(select(User).join(Person).where(Person.email == ADMIN))
    assert [(m.person_id, m.role) for m in new_members(new)] == [(sarah.person_id, "admin")]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.programme_id == new.id)).all()
    assert events and {(e.actor, e.user_id) for e in events} == {(sarah.name, sarah.id)}


def new_members(p: Programme) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(Membership.programme_id == p.id)))


def test_the_preview_warns_when_go_live_is_too_soon(admin_client: FlaskClient) -> None:
    query = {**CHOICES, "go_live": "2022-07-01"}
    html = soup(
        admin_client, "/programmes/new/preview?" + "&".join(f"{k}={v}" for k, v in query.items())
    )
    warning = html.find(id="headline").get_text(" ", strip=True)
    assert (
        "Go-live 1 July 2022 is " in warning
        and "working days too soon for this template" in warning
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "", "Enter the programme's name"),
        ("name", "kent and medway CCG to ICB transition", "There is already a programme called"),
        ("name", "Kent and Medway", "already has the address /p/kent-and-medway/"),
        ("go_live", "2023-02-30", "Enter the go-live date as a date, like 1 April 2022"),
        ("template", "nope", "There is no template 'nope'"),
        ("region", "XX", "Choose whose bank holidays it follows"),
    ],
)
@pytest.mark.parametrize("url", ["/programmes/new", "/programmes/new/preview"])
def test_bad_input_names_the_field_and_saves_nothing(
    admin_client: FlaskClient, url: str, field: str, value: str, expected: str
) -> None:
    before = rows()
    response = admin_client.post(url, data={**CHOICES, field: value})
    assert response.status_code == 200
    html = page(response)
    assert html.title.get_text().startswith("Error: ")
    assert expected in error_for(html, field)
    first = f"#{field}-1" if field in ("template", "region") else f"#{field}"
    assert html.select_one(f".nhsuk-error-summary a[href='{first}']") is not None
    assert rows() == before


@pytest.mark.parametrize("who", ["lead_client", "client"])
def test_only_an_instance_administrator_starts_a_programme(
    request: pytest.FixtureRequest, who: str
) -> None:
    browser: FlaskClient = request.getfixturevalue(who)
    before = rows()
    assert browser.get("/programmes/new").status_code == 403
    assert browser.post("/programmes/new", data=CHOICES).status_code == 403
    query = "&".join(f"{k}={v}" for k, v in CHOICES.items())
    assert browser.get(f"/programmes/new/preview?{query}").status_code == 403
    assert browser.post("/programmes/new/preview", data=CHOICES).status_code == 403
    listing = soup(browser, "/programmes/")
    assert listing.find(id="start-programme") is None and "Kent and Medway" in listing.get_text()
    assert rows() == before


SAVE = "/p/kent-and-medway/save-as-template"


def test_a_programme_admin_saves_it_as_a_template(admin_client: FlaskClient) -> None:
    html = soup(admin_client, SAVE)
    assert "10 workstreams" in html.find(id="what-is-saved").get_text(" ", strip=True)
    before = audit_count()
    saved = admin_client.post(SAVE, data={"name": "ICB merger, as Kent and Medway ran it"})
    assert saved.status_code == 302
    assert saved.location == "/programmes/new?template=saved-icb-merger-as-kent-and-medway-ran-it"
    row = db.session.scalar(select(SavedTemplate))
    assert row is not None and row.made_from_id == programme().id
    assert yaml.safe_load(row.body)["go_live_ref"] == "GOV-99"
    assert audit_count() == before + 1
    chosen = soup(admin_client, saved.location)
    assert chosen.find("input", attrs={"value": row.key})["checked"] is not None
    duplicate = admin_client.post(SAVE, data={"name": "ICB MERGER, as Kent and Medway ran it"})
    assert "There is already a template called" in error_for(page(duplicate), "name")
    empty = admin_client.post(SAVE, data={"name": " "})
    assert error_for(page(empty), "name") == "Enter the template's name"
    assert count(SavedTemplate) == 1


@pytest.mark.parametrize("who", ["lead_client", "client"])
def test_leads_and_the_board_cannot_save_a_template(
    request: pytest.FixtureRequest, who: str
) -> None:
    browser: FlaskClient = request.getfixturevalue(who)
    before = rows()
    assert browser.get(SAVE).status_code == 403
    assert browser.post(SAVE, data={"name": "Mine"}).status_code == 403
    assert rows() == before


def test_someone_in_another_programme_only_does_not_see_this_one(app: Flask) -> None:
    with acting_as(Actor("test")):
        programme_setup.create_from_template(INSTANCE, spec(), today=TODAY)
    other = programme(SLUG)
    person = Person(name="Ola Other", email="ola.other@example.org")
    db.session.add_all([person, User(person=person)])
    db.session.add(Membership(person=person, programme=other, role="admin"))
    db.session.commit()
    browser = sign_in_as(app.test_client(), "ola.other@example.org")
    before = rows()
    assert browser.get(SAVE).status_code == 404
    assert browser.post(SAVE, data={"name": "Theirs"}).status_code == 404
    assert browser.get("/programmes/new").status_code == 403
    assert rows() == before
    own = f"/p/{SLUG}/save-as-template"
    assert browser.get(own).status_code == 200
    assert browser.post(own, data={"name": "Theirs"}).status_code == 302
    assert db.session.scalar(select(SavedTemplate.key)) == "saved-theirs"
    listing = soup(browser, "/programmes/")
    assert "Kent and Medway" not in listing.get_text() and "Sussex and Surrey" in listing.get_text()
