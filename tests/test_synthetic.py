"""Synthetic programmes for benchmarks and load tests: realistic, valid, acyclic, repeatable."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.conftest import DEMO_TODAY
from tracker.extensions import db
from tracker.models import (
    Baseline,
    BaselineItem,
    Dependency,
    Membership,
    Milestone,
    Person,
    Programme,
    Risk,
    StatusUpdate,
    User,
    Workstream,
    WorkstreamLead,
)
from tracker.scheduling import Activity, Link, schedule
from tracker.services.schedule import programme_schedule
from tracker.services.synthetic import SyntheticReport, generate_programme

SIZE = 300


def make(slug: str, seed: int = 0, milestones: int = SIZE) -> tuple[SyntheticReport, Programme]:
    report = generate_programme(
        slug=slug, milestones=milestones, today=DEMO_TODAY, seed=seed, password="pw-2022"
    )
    programme = db.session.scalar(sa.select(Programme).where(Programme.slug == slug))
    assert programme is not None and programme.id == report.programme_id
    return report, programme


def rows(model: type, programme: Programme) -> list:
    return list(db.session.scalars(sa.select(model).where(model.programme_id == programme.id)))


def count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


@pytest.fixture()
def generated(app: Flask) -> tuple[SyntheticReport, Programme]:
    return make("synthetic-t1")


def test_counts_match_the_report_and_the_request(generated) -> None:
    report, p = generated
    assert p.name == "Synthetic programme t1" and p.calendar_region == "ENG"
    assert p.go_live_date == date(2022, 7, 1) and p.go_live_ref == "GOV-9999"
    assert 350 <= (p.go_live_date - p.start_date).days <= 366
    workstreams = rows(Workstream, p)
    assert 8 <= len(workstreams) == report.workstreams <= 12
    assert all(len(ws.code) == 3 and ws.code.isupper() for ws in workstreams)
    assert sorted(ws.display_order for ws in workstreams) == list(range(1, len(workstreams) + 1))
    assert all(1 <= len(ws.leads) <= 2 for ws in workstreams)
    assert len(rows(Milestone, p)) == report.milestones == SIZE
    links = rows(Dependency, p)
    assert len(links) == report.dependencies
    assert 2.3 <= len(links) / SIZE <= 2.7
    assert len(p.go_live_targets) == 1 and p.go_live_targets[0].target_date == p.go_live_date
    assert p.current_baseline is not None and p.current_baseline.go_live_date == p.go_live_date
    assert len(p.current_baseline.items) == report.baseline_items == SIZE
    assert len(rows(Risk, p)) == report.risks == SIZE // 20
    week = date(2022, 4, 4)  # a Monday
    updates = db.session.scalars(
        sa.select(StatusUpdate).join(Workstream).where(Workstream.programme_id == p.id)
    ).all()
    assert len(updates) == report.status_updates == len(workstreams)
    assert {u.week_start for u in updates} == {week}
    assert {u.rag for u in updates} <= {"red", "amber", "green"}


def test_every_record_passes_its_validation(generated) -> None:
    _, p = generated
    records: list = [p, *rows(Workstream, p), *rows(Milestone, p), *rows(Dependency, p)]
    records += [*rows(Risk, p), *rows(Baseline, p), *p.current_baseline.items]
    people = db.session.scalars(sa.select(Person).where(Person.email.contains("synthetic-t1")))
    for person in people:
        records += [person] + ([person.user] if person.user else [])
    for record in records:
        validate = getattr(record, "validate", None)
        assert validate is None or validate() == [], record
    milestones = rows(Milestone, p)
    assert all(m.ref.split("-")[0] in {ws.code for ws in rows(Workstream, p)} for m in milestones)


def test_people_use_example_org_and_get_the_three_roles(generated) -> None:
    report, p = generated
    people = db.session.scalars(sa.select(Person).where(Person.email.contains("synthetic-t1")))
    emails = [person.email for person in people]
    assert emails and all(e.endswith("@example.org") for e in emails)
    assert "lead-synthetic-t1-3@example.org" in emails
    roles = Counter(role for _, role, _ in report.account_list)
    assert roles["admin"] == 1 and roles["board"] == 1 and roles["lead"] >= 4
    members = db.session.execute(
        sa.select(Membership.role, User.is_instance_admin)
        .join(Person, Person.id == Membership.person_id)
        .join(User, User.person_id == Person.id)
        .where(Person.email.in_(emails), Membership.programme_id == p.id)
    ).all()
    assert sorted(role for role, _ in members) == sorted(roles.elements())
    assert [role for role, instance_admin in members if instance_admin] == ["admin"]
    lead_people = db.session.scalars(
        sa.select(WorkstreamLead.person_id).join(Workstream).where(Workstream.programme_id == p.id)
    )
    role_of = dict(
        db.session.execute(
            sa.select(Membership.person_id, Membership.role).where(Membership.programme_id == p.id)
        ).all()
    )
    assert all(role_of[pid] == "lead" for pid in lead_people)
    accounts = {u.person_id: u for u in db.session.scalars(sa.select(User))}
    assert all(u.password_hash for u in accounts.values() if u.person.email in emails)


def test_the_network_is_acyclic_plausible_and_ends_in_go_live(generated) -> None:
    _, p = generated
    by_id = {m.id: m for m in rows(Milestone, p)}
    links = rows(Dependency, p)
    keys = [(d.predecessor_id, d.successor_id, d.type) for d in links]
    assert len(keys) == len(set(keys)) and all(a != b for a, b, _ in keys)
    # The engine raises CycleError on a loop.
    schedule(
        [Activity(m.ref, 0) for m in by_id.values()],
        [Link(by_id[d.predecessor_id].ref, by_id[d.successor_id].ref, d.type) for d in links],
    )
    for d in links:  # predecessors finish before successors start, in the plan
        pred, succ = by_id[d.predecessor_id], by_id[d.successor_id]
        if succ.planned_start is None:
            assert pred.due_date <= succ.due_date, (pred.ref, succ.ref)
        else:
            assert pred.due_date < succ.planned_start, (pred.ref, succ.ref)
    assert Counter(d.type for d in links).most_common(1)[0][0] == "FS"
    assert {d.type for d in links} >= {"FS", "SS", "FF"}
    assert all(-2 <= d.lag_days <= 5 for d in links)
    go_live = next(m for m in by_id.values() if m.ref == p.go_live_ref)
    assert go_live.kind == "point" and go_live.is_key and go_live.due_date == p.go_live_date
    assert all(m.due_date <= go_live.due_date for m in by_id.values())
    into_go_live = [d for d in links if d.successor_id == go_live.id]
    assert len(into_go_live) >= len(rows(Workstream, p))  # each workstream's last one at least
    preds: dict[int, list[int]] = {}
    for d in links:
        preds.setdefault(d.successor_id, []).append(d.predecessor_id)
    reached, stack = {go_live.id}, [go_live.id]
    while stack:
        for pred_id in preds.get(stack.pop(), []):
            if pred_id not in reached:
                reached.add(pred_id)
                stack.append(pred_id)
    assert reached == set(by_id)


def test_the_story_at_today(generated) -> None:
    _, p = generated
    today = DEMO_TODAY
    milestones = rows(Milestone, p)
    points = [m for m in milestones if m.kind == "point"]
    assert 0.1 <= len(points) / SIZE <= 0.3
    assert 0.03 <= sum(m.is_key for m in milestones) / SIZE <= 0.15
    for m in milestones:
        if m.planned_start is not None:
            assert 5 <= (m.due_date - m.planned_start).days + 1 <= 60, m.ref
    done = [m for m in milestones if m.status == "complete"]
    assert done and all(m.completed_on <= today and m.completed_by_id for m in done)
    assert all(m.evidence_text for m in done)
    long_past = [m for m in milestones if (today - m.due_date).days >= 14]
    assert sum(m.status == "complete" for m in long_past) / len(long_past) >= 0.9
    overdue = [m for m in milestones if m.status != "complete" and m.due_date < today]
    assert 1 <= len(overdue) <= 0.1 * SIZE
    forecast = [m for m in milestones if m.forecast_date is not None]
    assert forecast and all(m.forecast_date > m.due_date and m.forecast_reason for m in forecast)
    assert all(m.blocked_reason for m in milestones if m.status == "blocked")
    assert any(m.due_date > p.go_live_date.replace(month=5) for m in milestones)


def test_the_programme_schedules(generated) -> None:
    _, p = generated
    result = programme_schedule(p, today=DEMO_TODAY)
    assert result is not None
    assert result.forecast.go_live_ref == "GOV-9999"
    assert len(result.forecast.milestones) == SIZE
    assert result.baseline_label == "Plan for go-live 1 July 2022"
    # Lateness stays within free float, so go-live is forecast on time, with a critical path.
    assert result.forecast.forecast_go_live == p.go_live_date
    assert len(result.forecast.critical_refs) >= 3


def test_no_successor_has_started_while_its_predecessor_is_open(generated) -> None:
    _, p = generated
    by_id = {m.id: m for m in rows(Milestone, p)}
    for d in rows(Dependency, p):
        pred, succ = by_id[d.predecessor_id], by_id[d.successor_id]
        if pred.status != "complete":
            assert succ.status in ("not_started", "blocked"), (pred.ref, succ.ref)
            assert (succ.planned_start or succ.due_date) > DEMO_TODAY, (pred.ref, succ.ref)


@pytest.mark.parametrize("per_milestone", [1.0, 4.0])
def test_links_per_milestone_is_honoured(app: Flask, per_milestone: float) -> None:
    report = generate_programme(
        slug="synthetic-l", milestones=200, today=DEMO_TODAY, links_per_milestone=per_milestone
    )
    assert report.dependencies / 200 == pytest.approx(per_milestone, rel=0.05)


def test_the_same_seed_gives_the_same_programme(app: Flask) -> None:
    def plan(programme: Programme) -> tuple[list, set]:
        ms = sorted(  # go-live's title names the ICB, from the slug
            (
                m.ref,
                m.title if m.ref != "GOV-9999" else "",
                m.kind,
                m.planned_start,
                m.due_date,
                m.status,
                m.completed_on,
            )
            for m in rows(Milestone, programme)
        )
        refs = {m.id: m.ref for m in rows(Milestone, programme)}
        links = {
            (refs[d.predecessor_id], refs[d.successor_id], d.type, d.lag_days)
            for d in rows(Dependency, programme)
        }
        return ms, links

    _, first = make("synthetic-a", seed=7, milestones=150)
    _, again = make("synthetic-b", seed=7, milestones=150)
    _, other = make("synthetic-c", seed=8, milestones=150)
    assert plan(first) == plan(again)
    assert plan(first) != plan(other)


def test_generating_refuses_impossible_sizes(app: Flask) -> None:
    with pytest.raises(ValueError, match="milestones"):
        generate_programme(slug="synthetic-x", milestones=1, today=DEMO_TODAY)


def test_the_command_generates_skips_and_keeps_the_seed_working(
    app: Flask, runner: FlaskCliRunner
) -> None:
    args = ["seed", "synthetic", "--programmes", "2", "--milestones", "120"]
    result = runner.invoke(args=[*args, "--today", "2022-04-04"])
    assert result.exit_code == 0, result.output
    assert "synthetic-1" in result.output and "synthetic-2" in result.output
    assert "120 milestones" in result.output
    assert "@example.org" not in result.output  # accounts are shown in development only
    for slug in ("synthetic-1", "synthetic-2"):
        p = db.session.scalar(sa.select(Programme).where(Programme.slug == slug))
        assert p is not None and len(rows(Milestone, p)) == 120
        assert p.go_live_date == date(2022, 7, 1)

    again = runner.invoke(args=[*args[:3], "3", *args[4:], "--today", "2022-04-04"])
    assert again.exit_code == 0, again.output
    assert "synthetic-1 already exists; skipped" in again.output
    assert "Created 1 of 3" in again.output

    plain = runner.invoke(args=["seed"])  # the ordinary seed is unaffected
    assert plain.exit_code == 0, plain.output
    assert "already loaded" in plain.output
    assert count(sa.select(Programme)) == 4


def test_the_command_shows_accounts_in_development(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "TRACKER_ENV", "development")
    result = runner.invoke(args=["seed", "synthetic", "--milestones", "40"])
    assert result.exit_code == 0, result.output
    assert "admin-synthetic-1@example.org" in result.output
    assert app.config["SEED_USER_PASSWORD"] in result.output
    # Without --today it is the app's today: 4 April 2022 in the tests, so go-live 1 July.
    p = db.session.scalar(sa.select(Programme).where(Programme.slug == "synthetic-1"))
    assert p is not None and p.go_live_date == date(2022, 7, 1)
    assert [t.target_date for t in p.go_live_targets] == [date(2022, 7, 1)]
    items = sa.select(BaselineItem).where(BaselineItem.baseline_id == p.current_baseline_id)
    assert count(items) == 40
