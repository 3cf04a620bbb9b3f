"""Nothing late goes uncounted: an open milestone forecast after go-live that go-live does not
wait for is named in the headline of the dashboard, the digest and the API, and the
programme is not "on track" while it is there (issue 18)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import BOARD_MEMBER
from tests.helpers import milestone, programme, soup
from tests.scheduling.test_programme_forecast import deps, plan, run
from tests.test_api import KM, api, get, token_for
from tracker.domain.figures import after_go_live_warning
from tracker.extensions import db
from tracker.models import Dependency, Milestone
from tracker.scheduling import AT_RISK, ON_TRACK, PlannedDependency, PlannedMilestone
from tracker.services import digest_content

HOLE = PlannedMilestone(
    "FIN-14", "Ledger closed", "FIN", "Jo King", "point", None, date(2022, 6, 30), "not_started"
)


def test_a_milestone_after_go_live_that_feeds_nothing_is_named() -> None:
    # FIN-14 follows FIN-01 (forecast 29 June) by 5 working days and feeds nothing:
    # forecast 6 July, after the 1 July target, which go-live's own forecast cannot see.
    links = [*deps(), PlannedDependency("FIN-01", "FIN-14", "FS", 5)]
    f = run([*plan(), HOLE], links)
    assert f.milestones["FIN-14"].forecast_due == date(2022, 7, 6)
    assert f.forecast_go_live == date(2022, 7, 1)
    assert f.after_go_live == ("FIN-14",)
    assert f.feeds_nothing == frozenset({"FIN-14"})
    assert after_go_live_warning(f) == (
        "1 milestone, FIN-14, is forecast after go-live and feeds nothing: check its links"
    )


def test_work_planned_after_go_live_or_feeding_it_is_not_a_hole() -> None:
    # FIN-09 (due 30 September) follows go-live: the plan puts it after go-live on purpose.
    f = run()
    assert f.milestones["FIN-09"].forecast_due > f.go_live_target
    assert f.after_go_live == ()
    assert after_go_live_warning(f) is None
    # Late work that go-live waits for moves go-live itself: the slip says so, not this.
    late = run([replace(m, forecast=date(2022, 7, 8)) if m.ref == "FIN-01" else m for m in plan()])
    assert late.slip_days > 0 and late.after_go_live == ()


def test_a_hole_stops_the_programme_being_on_track() -> None:
    # Plenty of slack: on track, until a milestone nothing waits for is forecast after go-live.
    roomy = [
        replace(m, forecast=None, due=date(2022, 6, 10) if m.ref == "FIN-01" else m.due)
        for m in plan()
        if m.ref != "GOV-02"
    ]
    links = [d for d in deps() if "GOV-02" not in (d.predecessor, d.successor)]
    assert run(roomy, links, today=date(2022, 3, 1)).status == ON_TRACK
    late_hole = replace(HOLE, forecast=date(2022, 7, 12))
    feeds_fin09 = PlannedDependency("FIN-14", "FIN-09")
    f = run([*roomy, late_hole], [*links, feeds_fin09], today=date(2022, 3, 1))
    assert f.status == AT_RISK
    assert f.after_go_live == ("FIN-14",) and f.feeds_nothing == frozenset()
    assert after_go_live_warning(f) == (
        "1 milestone, FIN-14, is forecast after go-live and go-live does not wait for it: "
        "check its links"
    )


def test_several_are_listed_in_forecast_order() -> None:
    extra = [
        replace(HOLE, ref=f"FIN-{n}", forecast=date(2022, 7, 4 + n - 20)) for n in (23, 21, 22, 24)
    ]
    f = run([*plan(), *extra])
    assert f.after_go_live == ("FIN-21", "FIN-22", "FIN-23", "FIN-24")
    assert after_go_live_warning(f) == (
        "4 milestones, FIN-21, FIN-22, FIN-23 and 1 more, are forecast after go-live and "
        "feed nothing: check their links"
    )


def _add_hole_to_seed() -> None:
    """As the issue found it: a milestone added after FIN-08 with no successor, forecast
    for 7 July 2022 (the seed's go-live is 1 July)."""
    fin08 = milestone("FIN-08")
    hole = Milestone(
        programme_id=fin08.programme_id,
        workstream_id=fin08.workstream_id,
        ref="FIN-14",
        title="Ledger closed down",
        owner_id=fin08.owner_id,
        kind="point",
        due_date=date(2022, 6, 24),
        forecast_date=date(2022, 7, 7),
        forecast_reason="added by import",
        status="not_started",
    )
    db.session.add(hole)
    db.session.flush()
    db.session.add(
        Dependency(
            programme_id=fin08.programme_id,
            predecessor=fin08,
            successor=hole,
            type="FS",
            lag_days=0,
        )
    )
    db.session.commit()


WARNING = "1 milestone, FIN-14, is forecast after go-live and feeds nothing: check its links"


def test_the_dashboard_says_so_in_its_headline(client: FlaskClient) -> None:
    _add_hole_to_seed()
    page = soup(client, "/p/kent-and-medway/")
    callout = page.find(id="after-go-live")
    assert callout is not None
    text = callout.get_text(" ", strip=True)
    assert WARNING in text
    assert "FIN-14 Ledger closed down: due 24 June 2022, forecast 7 July 2022" in text
    assert callout.find("a", href="/p/kent-and-medway/milestones/FIN-14") is not None
    forecast_card = page.find("h3", string="Forecast go-live").find_parent(class_="nhsuk-card")
    assert "on target" not in forecast_card.get_text(" ", strip=True).replace(
        "forecast on target, but", ""
    )
    assert "1 milestone after it" in forecast_card.get_text(" ", strip=True)


def test_the_dashboard_says_nothing_when_there_is_none(client: FlaskClient) -> None:
    assert soup(client, "/p/kent-and-medway/").find(id="after-go-live") is None


def test_the_digest_carries_it(app: Flask) -> None:
    _add_hole_to_seed()
    week = digest_content.programme_week(programme(), date(2022, 4, 4))
    assert week is not None
    headline = week.digest.headline
    assert headline.after_go_live == WARNING
    assert "1 milestone forecast after go-live" in week.digest.subject
    rendered = digest_content.render(week.digest)
    assert f"WARNING: {WARNING}." in rendered.text
    assert WARNING in rendered.html
    # Plan health's line rides under the headline too, linked to its page.
    assert headline.plan_health is not None and headline.plan_health.startswith("Plan health: ")
    assert headline.plan_health in rendered.text
    assert "/p/kent-and-medway/health" in rendered.html


__all__ = ["api"]  # the API client fixture, from tests/test_api.py


def test_the_api_carries_it(app: Flask, api: FlaskClient) -> None:
    _add_hole_to_seed()
    schedule = get(api, KM, token_for(BOARD_MEMBER))["schedule"]
    assert schedule["after_go_live"] == ["FIN-14"]
    assert schedule["after_go_live_warning"] == WARNING
    assert schedule["status"] != "on track"
