"""One write path: every change goes through a service that checks the role, so a new route
cannot forget its check, and no page or API handler commits or queries itself."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from tests.helpers import programme
from tests.test_conventions import PUBLIC, urls
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRACKER = ROOT / "tracker"

# Changes anyone signed in may make to what is theirs alone, not to a programme: their own
# password, digest settings, API tokens and calendar feeds, and signing out.
PERSONAL = {
    "auth.sign_out",
    "auth.change_password",
    "auth.digest_settings",
    "tokens.create",
    "tokens.revoke",
    "calendars.create_my_feed",
    "calendars.create_workstream_feed",
    "calendars.renew",
    "calendars.revoke",
    # A member's own what-if scenario (board members and viewers make them too): a question
    # about the plan, never a change to it.
    "scenarios.create",
    "scenarios.keep",
}

# Plausible values for every form field the routes read, so that a route which forgot its
# check would have something to save.
FORM = {
    "version": "1",
    "completed_on": "2022-04-01",
    "evidence_text": "The paper that closed it",
    "evidence_url": "https://example.org/paper",
    "forecast_date": "2022-06-01",
    "forecast_reason": "Consultation runs long",
    "blocked_reason": "Waiting for the board",
    "reason": "Agreed by the board",
    "rag": "amber",
    "achievements": "Some",
    "next_steps": "More",
    "issues": "None",
    "title": "A new thing",
    "ref": "PEO-99",
    "workstream": "1",
    "owner": "1",
    "kind": "point",
    "due_date": "2022-06-01",
    "label": "A baseline",
    "note": "A note",
    "target_date": "2022-09-01",
    "predecessor": "1",
    "type": "FS",
    "lag_days": "0",
    "consequence": "3",
    "likelihood": "3",
    "target_consequence": "2",
    "target_likelihood": "2",
    "raised_on": "2022-04-01",
    "review_on": "2022-05-01",
    "closed_note": "Gone",
    "closed_on": "2022-04-01",
    "description": "Something to do",
    "due_on": "2022-05-01",
    "action_id": "1",
    "decided_on": "2022-04-01",
    "forum": "Transition board",
    "decision": "Go",
    "baseline": "1",
    "email": "someone@example.org",
    "name": "Some One",
    "role": "admin",
}


@pytest.fixture()
def writes(app: Flask) -> Iterator[list[str]]:
    """Every INSERT, UPDATE and DELETE sent to the database while the test runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def changing_routes(app: Flask) -> list[tuple[str, str]]:
    return [(e, u) for e, u in urls(app, "POST") if e not in PUBLIC]


def test_every_change_is_refused_to_the_board_and_writes_nothing(
    app: Flask, client: FlaskClient, writes: list[str]
) -> None:
    """Signed in as a board member, who reads everything and changes nothing."""
    routes = changing_routes(app)
    assert len(routes) > 40
    checked = 0
    for endpoint, url in routes:
        if endpoint in PERSONAL:
            continue
        writes.clear()
        response = client.post(url, data=FORM)
        assert response.status_code in (403, 404), (endpoint, url, response.status_code)
        assert writes == [], (endpoint, writes)
        checked += 1
    assert checked == len(routes) - len(PERSONAL & {e for e, _ in routes})


@pytest.mark.parametrize("role", ["admin", "lead"])
def test_every_page_post_makes_at_most_one_change(
    app: Flask, role: str, request: pytest.FixtureRequest
) -> None:
    """Each POST calls one service function, one unit of work: one commit, all or nothing.
    (As the roles that may change things, with values that many forms accept.)"""
    from tracker.services.unit_of_work import change_saved

    client = request.getfixturevalue(f"{role}_client")
    saved: list[str] = []

    def record(name: str) -> None:
        saved.append(name)

    made = 0
    with change_saved.connected_to(record):
        for endpoint, url in changing_routes(app):
            if endpoint == "auth.sign_out":
                continue  # it would end the test's session
            saved.clear()
            client.post(url, data=FORM)
            assert len(saved) <= 1, (endpoint, saved)
            made += len(saved)
    assert made > 5  # some of them did change something


def test_a_completion_reads_nothing_after_it_writes(app: Flask, lead_client: FlaskClient) -> None:
    """The lead's completion: the milestone without its links, then one UPDATE, its audit event
    and the plan version; the flash message and the redirect need nothing read again."""
    from tests.helpers import milestone

    version = milestone("PEO-05").version
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        seen.append(statement.lstrip().split(" ", 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = lead_client.post(
            "/p/kent-and-medway/milestones/PEO-05/complete",
            data={"completed_on": "2022-04-01", "evidence_text": "Signed off", "version": version},
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 302
    work = [s for s in seen if s not in ("SAVEPOINT", "RELEASE", "BEGIN")]
    assert work.count("SELECT") <= 4, seen  # the user, the programme, the milestone, the lead
    first_write = min(work.index(w) for w in ("UPDATE", "INSERT") if w in work)
    assert "SELECT" not in work[first_write:], seen


# --- the code itself ---------------------------------------------------------------------

WEB_PACKAGES = [
    p
    for p in sorted(TRACKER.iterdir())
    if p.is_dir() and (p / "routes.py").exists() or p.name in ("api", "cli")
]
WRITES = {"commit", "rollback", "flush", "begin", "begin_nested"}


# Not part of the app: a program of its own that runs MPXJ (Java) for one file, and flushes
# its standard output, which is no database session.
NOT_WEB = {ROOT / "tracker" / "project_files" / "bridge.py"}


def _web_modules() -> list[Path]:
    return [m for package in WEB_PACKAGES for m in sorted(package.glob("*.py")) if m not in NOT_WEB]


@pytest.mark.parametrize("path", _web_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_and_the_api_never_commit_or_query(path: Path) -> None:
    """Views, forms, API handlers and CLI commands call services; they neither touch the
    session nor build queries (import-linter keeps models and SQLAlchemy out of them: make
    check)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in WRITES | {"session", "execute"}:
            found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Name) and node.id in ("select", "db"):
            found.append(f"line {node.lineno}: {node.id}")
    assert not found, f"{path.name}: {found}"


def test_only_the_unit_of_work_commits() -> None:
    """Every commit and rollback in the app is the unit of work's (services/unit_of_work.py)."""
    allowed = {TRACKER / "services" / "unit_of_work.py"}
    found = []
    for path in sorted(TRACKER.rglob("*.py")):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found


# --- the services check the role themselves ------------------------------------------------


def _service_calls() -> dict[str, Any]:
    """Each change a page makes, called straight on its service as a board member would."""
    from datetime import date

    from tests.helpers import milestone, programme
    from tests.test_project_import import estates_plan
    from tracker.domain.programme_settings import ProgrammeDetails, WorkstreamPlan
    from tracker.domain.scenarios import Slip
    from tracker.services import (
        board_pack,
        decisions,
        go_live_moves,
        invitations,
        issues,
        memberships,
        people,
        plan_edits,
        plan_health,
        programme_admin,
        progress,
        project_import,
        risks,
        scenarios,
        schedule_risk,
        workstreams,
    )
    from tracker.services.accounts import user_by_email, viewer_for
    from tracker.services.optimistic_locking import Seen
    from tracker.services.plan import MilestonePlan

    day = date(2022, 4, 4)
    peo_05, peo_09 = milestone("PEO-05"), milestone("PEO-09")
    office = viewer_for(user_by_email("sarah.collins@example.org"), "kent-and-medway")
    scenario = scenarios.create_scenario(office, programme(), "Refused", "", [Slip("PEO-09", 2)])
    seen = Seen(peo_05.version)
    kent = programme()
    gov = next(ws for ws in kent.workstreams if ws.code == "GOV")
    risk = risks.risk_or_none(kent, "R01")
    assert risk is not None
    risk_seen = Seen(risk.version)
    issue = issues.issue_log(kent, issues.IssueFilter(status=None))[0]
    decision = decisions.decision_log(kent, decisions.DecisionFilter())[0]
    changes = MilestonePlan(
        title="Changed",
        description="",
        workstream_id=peo_05.workstream_id,
        owner_id=peo_05.owner_id,
        kind="point",
        planned_start=None,
        due_date=date(2022, 6, 1),
        is_key=False,
    )
    return {
        "complete": lambda a: progress.complete(
            a, peo_05, seen, completed_on=day, evidence_text="x", evidence_url=None, today=day
        ),
        "forecast": lambda a: progress.set_forecast(
            a, peo_05, seen, forecast_date=date(2022, 6, 1), reason="x", today=day
        ),
        "clear forecast": lambda a: progress.clear_forecast(a, peo_05, seen),
        "plan health thresholds": lambda a: plan_health.change_thresholds(
            a, kent, Seen(None), {"missing_logic": 10}
        ),
        "block": lambda a: progress.block(a, peo_05, seen, reason="x"),
        "unblock": lambda a: progress.unblock(a, peo_05, seen),
        "start": lambda a: progress.start(a, peo_05, seen),
        "reopen": lambda a: progress.reopen(a, peo_05, seen, reason="x"),
        "highlight": lambda a: progress.save_highlight(
            a, peo_05.workstream, today=day, rag="red", achievements="", next_steps="", issues=""
        ),
        "add milestone": lambda a: plan_edits.add_milestone(a, kent, "PEO-99", changes),
        "edit milestone": lambda a: plan_edits.edit_milestone(a, peo_05, seen, changes),
        "delete milestone": lambda a: plan_edits.delete_milestone(a, peo_05),
        "link": lambda a: plan_edits.link(a, peo_05, peo_09, "SS", 0),
        "unlink": lambda a: plan_edits.unlink(a, peo_09.predecessor_links[0]),
        "baseline": lambda a: plan_edits.take_baseline(a, kent, "x", note="", make_current=True),
        "go-live": lambda a: plan_edits.move_go_live(
            a, kent, Seen(None), date(2022, 9, 1), "x", today=day
        ),
        "choose baseline": lambda a: plan_edits.choose_baseline(a, kent, kent.baselines[0]),
        "edit risk": lambda a: risks.close_risk(a, risk, risk_seen, "x"),
        "review risk": lambda a: risks.record_review(
            a,
            risk,
            risk_seen,
            consequence=1,
            likelihood=1,
            note="x",
            next_review_on=date(2022, 5, 1),
            today=day,
        ),
        "reopen risk": lambda a: risks.reopen_risk(a, risk, risk_seen),
        "risk action": lambda a: risks.add_action(
            a, risk, description="x", owner_id=risk.owner_id, due_on=date(2022, 5, 1)
        ),
        "close issue": lambda a: issues.close_issue(a, issue, Seen(None), day, day),
        "reopen issue": lambda a: issues.reopen_issue(a, issue),
        "edit decision": lambda a: decisions.update_decision(
            a,
            kent,
            decision,
            Seen(None),
            decisions.DecisionPlan(decided_on=day, forum="Board", decision="x", owner_id=None),
            day,
        ),
        "go-live with the plan": lambda a: go_live_moves.move_go_live_with_plan(
            a, kent, Seen(None), date(2022, 9, 1), "x", None, today=day, plan_version=""
        ),
        "programme details": lambda a: programme_admin.update_details(
            a, kent, Seen(None), ProgrammeDetails("x", "x", "x", day, "ENG")
        ),
        "add closure": lambda a: programme_admin.add_closure(a, kent, date(2022, 4, 5), "x"),
        "new workstream": lambda a: workstreams.create_workstream(
            a, kent, WorkstreamPlan("NEW", "New")
        ),
        "edit workstream": lambda a: workstreams.edit_workstream(
            a, kent, gov, Seen(None), WorkstreamPlan("GOV", "x")
        ),
        "move workstream": lambda a: workstreams.move_workstream(a, kent, gov, "up"),
        "retire workstream": lambda a: workstreams.retire_workstream(a, kent, gov, day),
        "restore workstream": lambda a: workstreams.restore_workstream(a, kent, gov),
        "add person": lambda a: people.add_person(
            a, kent, people.NewPerson("X Y", "x.y@example.org", "viewer")
        ),
        "invite": lambda a: invitations.invite(a, kent, peo_05.owner_id),
        "schedule risk defaults": lambda a: schedule_risk.change_defaults(
            a, kent, Seen(None, required=False), None
        ),
        "edit scenario": lambda a: scenarios.add_edit(
            a, scenario, Seen(scenario.version), Slip("PEO-10", 1)
        ),
        "apply scenario": lambda a: scenarios.apply_to_plan(
            a, scenario, Seen(scenario.version), "x", today=day
        ),
        "issue board pack": lambda a: board_pack.issue_pack(a, kent, date(2022, 4, 14), None),
        "change role": lambda a: memberships.change_membership(
            a, kent, peo_05.owner, memberships.MembershipChange("viewer")
        ),
        "check a Project import": lambda a: project_import.check_project_import(
            a, kent, estates_plan(), "x.xml"
        ),
        "confirm a Project import": lambda a: project_import.confirm_project_import(
            a, kent, estates_plan(), "x.xml", previewed=""
        ),
        "start a programme from Project": lambda a: project_import.create_programme_from_project(
            a, project_import.NewFromProject("X", "x", "x"), estates_plan(), "x.xml"
        ),
    }


def test_every_change_service_refuses_the_board_itself(app: Flask, writes: list[str]) -> None:
    """Not only the routes: a service called from anywhere (the API, the CLI, a new page)
    refuses a board member, and nothing reaches the database."""
    from tracker.domain.permissions import Viewer
    from tracker.services.unit_of_work import ChangeRefused, Refusal

    board = Viewer(memberships={programme().id: "board"})
    with app.test_request_context():
        calls = _service_calls()
        writes.clear()
        for name, call in calls.items():
            with pytest.raises(ChangeRefused) as refused:
                call(board)
            assert refused.value.refusal is Refusal.NOT_ALLOWED, name
        assert writes == []
