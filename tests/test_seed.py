"""The Kent and Medway seed programme: content from the papers, idempotent loading."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.helpers import programme
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Baseline,
    Dependency,
    Membership,
    Milestone,
    Person,
    Programme,
    Risk,
    StatusUpdate,
    User,
    Workstream,
)

TABLES = (Programme, Person, User, Workstream, Milestone, Dependency, Baseline, Risk, StatusUpdate)


def counts() -> dict[str, int]:
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in TABLES
    }


def test_programme_has_both_go_live_targets_with_reasons(app: Flask) -> None:
    p = programme()
    assert p.to_organisation == "NHS Kent and Medway ICB"
    assert p.go_live_date == date(2022, 7, 1)
    assert [t.target_date for t in p.go_live_targets] == [date(2022, 4, 1), date(2022, 7, 1)]
    assert all(t.reason for t in p.go_live_targets)
    assert "24 December 2021" in p.go_live_targets[-1].reason


def test_workstreams_and_leads_follow_section_7(app: Flask) -> None:
    p = programme()
    leads = {ws.name: [person.name for person in ws.leads] for ws in p.workstreams}
    assert len(leads) >= 10
    by_lead: dict[str, list[str]] = {}
    for name, people in leads.items():
        for person in people:
            by_lead.setdefault(person, []).append(name)
    assert len(by_lead["Ivor Duffy"]) == 2  # procurement and contracting; finance
    assert len(by_lead["Morfydd Williams"]) == 2  # analytics; digital and data transfer
    assert any(people == ["Wilf Williams", "Becca Bradd"] for people in leads.values())
    assert any(people == ["Becca Bradd", "Tom Stevenson"] for people in leads.values())
    names = " ".join(leads).lower()
    for must_show in ("governance", "tupe", "finance", "digital and data transfer"):
        assert must_show in names, must_show


def test_at_least_80_milestones_each_with_an_owner(app: Flask) -> None:
    milestones = db.session.scalars(sa.select(Milestone)).all()
    assert len(milestones) >= 80
    assert all(m.owner_id for m in milestones)
    titles = " ".join(m.title.lower() for m in milestones)
    for item in (
        "constitution",
        "standing orders",
        "standing financial instructions",
        "scheme of reservation and delegation",
        "tupe",
        "pension",
        "sbs",
        "website",
        "intranet",
        "brand",
        "signage",
        "clinical and professional forum",
        "royal assent",
        "shadow",
    ):
        assert item in titles, item


def test_dependency_network_ends_in_go_live(app: Flask) -> None:
    p = programme()
    links = db.session.execute(sa.select(Dependency.predecessor_id, Dependency.successor_id)).all()
    assert len(links) >= 100
    go_live = db.session.scalar(sa.select(Milestone).where(Milestone.ref == p.go_live_ref))
    assert go_live.is_key and go_live.kind == "point" and go_live.due_date == date(2022, 7, 1)
    assert not any(pred == go_live.id for pred, _ in links)
    successors: dict[int, set[int]] = {}
    for pred, succ in links:
        successors.setdefault(pred, set()).add(succ)
    reaches = {go_live.id}
    changed = True
    while changed:  # every milestone leads, through some chain, to go-live
        changed = False
        for pred, succs in successors.items():
            if pred not in reaches and succs & reaches:
                reaches.add(pred)
                changed = True
    all_ids = set(db.session.scalars(sa.select(Milestone.id)))
    assert reaches == all_ids


def test_two_baselines_with_the_july_plan_current(app: Flask) -> None:
    p = programme()
    assert [b.label for b in p.baselines] == [
        "Plan for go-live 1 April 2022",
        "Plan for go-live 1 July 2022",
    ]
    assert p.current_baseline.label == "Plan for go-live 1 July 2022"
    april = p.baselines[0]
    assert april.go_live_date == date(2022, 4, 1)
    go_live_item = next(i for i in april.items if i.ref == p.go_live_ref)
    assert go_live_item.due_date == date(2022, 4, 1)


def test_demo_story_at_4_april_2022(app: Flask) -> None:
    today = date(2022, 4, 4)
    milestones = db.session.scalars(sa.select(Milestone)).all()
    done = [m for m in milestones if m.status == "complete"]
    assert done and all(m.completed_on <= today for m in done)
    assert any(m.completed_on > m.due_date for m in done), "some were completed late"
    overdue = [m for m in milestones if m.status != "complete" and m.due_date < today]
    assert 1 <= len(overdue) <= 6
    assert any(m.status != "complete" and m.due_date >= today for m in milestones)


def test_the_seven_headline_risks_carry_the_papers_scores(app: Flask) -> None:
    risks = db.session.scalars(sa.select(Risk).order_by(Risk.ref)).all()
    assert [(r.consequence, r.likelihood) for r in risks] == [
        (4, 3),
        (4, 3),
        (4, 4),
        (5, 3),
        (4, 3),
        (4, 3),
        (4, 4),
    ]
    assert [r.score for r in risks] == [12, 12, 16, 15, 12, 12, 16]


def test_status_updates_and_accounts(app: Flask) -> None:
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusUpdate)) >= 10
    users = db.session.scalars(sa.select(User)).all()
    role_of = {
        m.person_id: m.role
        for m in db.session.scalars(
            sa.select(Membership).where(Membership.programme_id == programme().id)
        )
    }
    roles = [role_of[u.person_id] for u in users]  # every account belongs to the programme
    assert roles.count("admin") == 1 and roles.count("board") >= 1
    # The programme office also starts the next programmes; nobody else.
    assert [u.email for u in users if u.is_instance_admin] == [
        u.email for u in users if role_of[u.person_id] == "admin"
    ]
    lead_names = {p.name for ws in programme().workstreams for p in ws.leads}
    lead_accounts = {u.person.name for u in users if role_of[u.person_id] == "lead"}
    assert lead_names <= lead_accounts
    # People named in the plan without an account are in its directory, as viewers.
    without = db.session.scalars(sa.select(Person).where(~Person.user.has())).all()
    assert without and all(role_of[p.id] == "viewer" for p in without)
    emails = db.session.scalars(sa.select(Person.email)).all()
    assert all(e.endswith("@example.org") for e in emails)


def test_seed_twice_changes_nothing(app: Flask, runner: FlaskCliRunner) -> None:
    before = counts()
    audit_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "already loaded; nothing changed" in result.output
    assert counts() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == audit_before


def test_seed_reset_reloads_from_scratch(app: Flask, runner: FlaskCliRunner) -> None:
    before = counts()
    m = db.session.scalars(sa.select(Milestone).where(Milestone.status == "not_started")).first()
    ref = m.ref
    m.title = "Edited in the app"
    db.session.commit()
    result = runner.invoke(args=["seed", "--reset"])
    assert result.exit_code == 0, result.output
    assert "Loaded Kent and Medway" in result.output
    db.session.expire_all()
    assert counts() == before
    reloaded = db.session.scalar(sa.select(Milestone).where(Milestone.ref == ref))
    assert reloaded.title != "Edited in the app"


def test_seed_prints_no_password_outside_development(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed"])
    assert app.config["SEED_USER_PASSWORD"] not in result.output


def test_bad_seed_file_is_reported_with_file_and_item(
    app: Flask, runner: FlaskCliRunner, tmp_path
) -> None:
    import shutil

    from tests.conftest import KENT_AND_MEDWAY

    copy = tmp_path / "bad"
    shutil.copytree(KENT_AND_MEDWAY, copy)
    (copy / "programme.yaml").write_text(
        (copy / "programme.yaml").read_text().replace("slug: kent-and-medway", "slug: bad-copy")
    )
    gov = sorted((copy / "milestones").glob("*.yaml"))[0]
    text = gov.read_text()
    first_due = text.index("due: ")
    gov.write_text(text[:first_due] + "due: 2022-02-31" + text[first_due + 15 :])
    before = counts()
    result = runner.invoke(args=["seed", "--dir", str(copy)])
    assert result.exit_code != 0
    assert gov.name in result.output and "2022-02-31" in result.output
    assert "is not a date" in result.output
    assert counts() == before  # nothing half-saved


def test_a_loop_in_the_seed_plan_is_refused_naming_its_milestones(
    app: Flask, runner: FlaskCliRunner, tmp_path
) -> None:
    import shutil

    import yaml

    from tests.conftest import KENT_AND_MEDWAY

    copy = tmp_path / "loop"
    shutil.copytree(KENT_AND_MEDWAY, copy)
    (copy / "programme.yaml").write_text(
        (copy / "programme.yaml").read_text().replace("slug: kent-and-medway", "slug: loop-copy")
    )
    # PEO-08 comes before PEO-09 in the seed; make PEO-08 also wait for PEO-09.
    peo = copy / "milestones" / "PEO.yaml"
    data = yaml.safe_load(peo.read_text())
    item = next(m for m in data["milestones"] if m["ref"] == "PEO-08")
    item["predecessors"] = [*(item.get("predecessors") or []), "PEO-09"]
    peo.write_text(yaml.safe_dump(data, sort_keys=False))
    before = counts()
    result = runner.invoke(args=["seed", "--dir", str(copy)])
    assert result.exit_code != 0
    assert "cycle" in result.output.lower()
    assert "PEO-08" in result.output and "PEO-09" in result.output
    assert counts() == before
