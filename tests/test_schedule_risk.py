"""Schedule risk analysis in the app: the inputs read from the database, results stored once
per key and served from the store, worked out in the background for a big plan, the page,
status.json, the three-point and impact fields on their forms (roles and messages), the
command line and the digest's line (docs/risk-analysis.md)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from tests.conftest import ADMIN, LEAD
from tests.helpers import SEED_SLUG, fresh_milestone, page, programme, user
from tracker.domain.validation import check_impact_days, check_three_point
from tracker.extensions import db
from tracker.models import Milestone, Risk, RiskAnalysisResult
from tracker.scheduling.risk_analysis import StatusDefaults, ThreePoint, UncertaintyDefaults
from tracker.services import schedule_risk
from tracker.services.optimistic_locking import Seen

BASE = f"/p/{SEED_SLUG}/schedule-risk"
STATUS = f"{BASE}/status.json"
TARGET = date(2022, 7, 1)
ANY_VERSION = Seen(None, required=False)  # as the command line changes things


@pytest.fixture(autouse=True)
def _no_background_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no background run in this process, and leaves none.

    Every session in a test shares the test's one connection (conftest's `app`), where a
    server's threads each have their own: runs released together (a scenario's and the
    plan's) store their results one at a time, or they corrupt each other's savepoints."""
    one_at_a_time = threading.Lock()
    real_keep = schedule_risk.keep_result

    def keep_alone(*args: Any, **kwargs: Any) -> None:
        with one_at_a_time:
            real_keep(*args, **kwargs)

    monkeypatch.setattr(schedule_risk, "keep_result", keep_alone)
    schedule_risk.jobs.clear()
    yield
    schedule_risk.jobs.wait(30)
    schedule_risk.jobs.clear()


def viewer(email: str) -> Any:
    from tracker.services.accounts import viewer_for

    return viewer_for(user(email))


def new_request() -> None:
    """As a new request starts: nothing kept in `g` (the plan version, the schedule)."""
    for name in list(vars(g)):
        delattr(g, name)


def make_certain() -> None:
    """The programme's defaults say nothing is uncertain (committed, as the service does)."""
    kent = programme()
    schedule_risk.change_defaults(viewer(ADMIN), kent, ANY_VERSION, UncertaintyDefaults.certain())
    new_request()


def give_three_point(ref: str, o: int, m: int, p: int) -> None:
    found = fresh_milestone(ref)
    found.optimistic_days, found.likely_days, found.pessimistic_days = o, m, p
    db.session.commit()
    new_request()


def give_impact(ref: str, days: int | None) -> None:
    risk = db.session.scalar(select(Risk).where(Risk.ref == ref))
    assert risk is not None
    risk.impact_days = days
    db.session.commit()
    new_request()


def results(key: str | None = None) -> list[RiskAnalysisResult]:
    db.session.expire_all()
    query = select(RiskAnalysisResult)
    if key is not None:
        query = query.where(RiskAnalysisResult.key == key)
    return list(db.session.scalars(query))


@pytest.fixture()
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every time the engine is run: (iterations, seed)."""
    made: list[tuple[int, int]] = []
    real = schedule_risk.analyse

    def counted(inputs: Any, iterations: int, seed: int, progress: Any = None) -> Any:
        made.append((iterations, seed))
        return real(inputs, iterations, seed, progress)

    monkeypatch.setattr(schedule_risk, "analyse", counted)
    return made


def text_of(soup: BeautifulSoup, id: str) -> str:
    found = soup.find(id=id)
    assert found is not None, id
    return " ".join(found.get_text(" ", strip=True).split())


# --- the certain plan is the forecast --------------------------------------------------------


def test_a_certain_plan_gives_the_dashboards_forecast(app: Flask, client: FlaskClient) -> None:
    """No three-points, no impacts and certain defaults: every iteration is the plan."""
    make_certain()
    kent = programme()
    assert (
        db.session.scalar(select(Milestone.id).where(Milestone.optimistic_days.is_not(None)))
        is None
    )
    assert db.session.scalar(select(Risk.id).where(Risk.impact_days.is_not(None))) is None
    from tracker.services import board

    forecast = board.schedule_for(kent)
    assert forecast is not None
    expected = forecast.forecast.forecast_go_live
    new_request()

    soup = page(client.get(BASE))
    chance = 100 if expected <= TARGET else 0
    assert text_of(soup, "risk-chance") == f"Chance of making 1 July 2022: {chance} %"
    words = f"{expected.day} {expected:%B %Y}"
    for p in ("risk-p50", "risk-p80", "risk-p90"):
        assert text_of(soup, p) == words
    assert text_of(soup, "risk-forecast").startswith(words)
    # Nothing uncertain, so nothing moves go-live.
    assert soup.find(id="no-drivers") is not None
    new_request()
    outcome = schedule_risk.analysis_for(kent)
    assert outcome is not None and outcome.analysis is not None
    a = outcome.analysis
    assert (a.p50, a.p80, a.p90, a.forecast_go_live) == (expected,) * 4
    assert a.chance_of_target == chance / 100
    assert a.histogram == ((expected, 5000),)


# --- stored once per key ---------------------------------------------------------------------


def test_a_result_is_stored_once_per_key_and_served_from_the_store(
    app: Flask, runs: list[tuple[int, int]]
) -> None:
    give_three_point("PEO-11", 12, 14, 30)
    give_impact("R06", 5)
    kent = programme()

    first = schedule_risk.analysis_for(kent, seed=3)
    assert first is not None and first.analysis is not None
    assert runs == [(5000, 3)]
    (row,) = results(first.key)
    assert row.result == first.analysis.as_json()
    assert row.seconds == first.seconds and row.seconds > 0
    assert first.key == schedule_risk.result_key(kent.plan_version, date(2022, 4, 4), 5000, 3)

    new_request()
    again = schedule_risk.analysis_for(kent, seed=3)
    assert again is not None
    assert runs == [(5000, 3)]  # not worked out again
    assert again.analysis == first.analysis
    assert len(results(first.key)) == 1

    # The inputs reached the engine: the risk and the estimate move go-live.
    drivers = {d.ref: d for d in first.analysis.drivers}
    assert drivers["R06"].kind == "risk" and drivers["R06"].occurred == pytest.approx(
        0.35, abs=0.02
    )
    assert "PEO-11" in drivers
    # Another seed is another key.
    schedule_risk.analysis_for(kent, seed=4)
    assert runs == [(5000, 3), (5000, 4)]


def test_a_new_plan_version_is_a_new_key_and_older_results_go(
    app: Flask, runs: list[tuple[int, int]]
) -> None:
    make_certain()
    kent = programme()
    before = schedule_risk.analysis_for(kent, seed=5)
    assert before is not None and before.analysis is not None
    assert before.analysis.chance_of_target == 1.0

    give_impact("R06", 60)  # a change to the programme: a new plan version
    after = schedule_risk.analysis_for(programme(), seed=5)
    assert after is not None and after.analysis is not None
    assert after.key != before.key
    assert runs == [(5000, 5), (5000, 5)]
    assert results(before.key) == []  # pruned: nobody asks for an older version again
    assert len(results(after.key)) == 1
    # R06 at "possible" (35 %) delays PEO-09, PEO-11 and PEO-14 by 60 working days: only
    # the iterations in which it does not happen go live on time.
    assert after.analysis.chance_of_target == pytest.approx(0.65, abs=0.03)


def test_the_programmes_defaults_are_stored_and_read_back(app: Flask) -> None:
    kent = programme()
    assert schedule_risk.defaults_of(kent) == UncertaintyDefaults()
    mine = UncertaintyDefaults(
        not_started=StatusDefaults(ThreePoint(0, 1, 15), ThreePoint(-5, 0, 40)),
    )
    schedule_risk.change_defaults(viewer(ADMIN), kent, ANY_VERSION, mine)
    assert schedule_risk.defaults_of(programme()) == mine
    schedule_risk.change_defaults(viewer(ADMIN), programme(), ANY_VERSION, None)
    assert programme().risk_defaults == {}
    # A stored value the domain refuses is read as the default.
    kent = programme()
    kent.risk_defaults = {"blocked": {"point_slip": [5, 0, 1]}}
    assert schedule_risk.defaults_of(kent) == UncertaintyDefaults()


def test_only_an_admin_changes_the_defaults(app: Flask) -> None:
    from tracker.services.unit_of_work import ChangeRefused, Refusal

    with pytest.raises(ChangeRefused) as refused:
        schedule_risk.change_defaults(
            viewer(LEAD), programme(), ANY_VERSION, UncertaintyDefaults.certain()
        )
    assert refused.value.refusal is Refusal.NOT_ALLOWED
    assert programme().risk_defaults == {}


# --- the background --------------------------------------------------------------------------


def test_a_big_plan_is_worked_out_in_the_background(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SCHEDULE_RISK_INLINE_COST", 0)  # every plan is big
    monkeypatch.setitem(app.config, "SCHEDULE_RISK_WAIT_SECONDS", 0)
    go = threading.Event()
    real = schedule_risk.analyse
    started: list[int] = []

    def held(inputs: Any, iterations: int, seed: int, progress: Any = None) -> Any:
        started.append(iterations)
        assert go.wait(30)
        return real(inputs, iterations, seed, progress)

    monkeypatch.setattr(schedule_risk, "analyse", held)
    make_certain()

    working = page(client.get(BASE))
    box = working.find(id="risk-working")
    assert box is not None and box["data-status-url"] == STATUS
    assert "Being worked out: 0 of 5,000 iterations done." in text_of(working, "risk-progress")
    assert working.find(id="risk-reload")["href"] == BASE
    assert working.find(id="risk-chance") is None

    status = client.get(STATUS).get_json()
    assert status["state"] == "working" and status["total"] == 5000 and status["percent"] == 0
    assert started == [5000]  # one run per key, however often it is asked for

    go.set()
    schedule_risk.jobs.wait(30)
    done = client.get(STATUS).get_json()
    assert done["state"] == "done" and done["percent"] == 100, done
    assert started == [5000]
    assert len(results()) >= 1
    soup = page(client.get(BASE))
    assert text_of(soup, "risk-chance") == "Chance of making 1 July 2022: 100 %"
    assert soup.find(id="risk-working") is None


def test_the_dashboard_starts_no_run_for_a_big_plan_and_shows_the_last_one(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A background run competes with the requests after a change: the dashboard's card on a
    big plan starts none, and shows the last stored result, saying it is from before."""
    monkeypatch.setitem(app.config, "SCHEDULE_RISK_INLINE_COST", 0)  # every plan is big
    started: list[int] = []
    real = schedule_risk.analyse

    def counted(inputs: Any, iterations: int, seed: int, progress: Any = None) -> Any:
        started.append(iterations)
        return real(inputs, iterations, seed, progress)

    monkeypatch.setattr(schedule_risk, "analyse", counted)
    make_certain()  # a plan version nothing is stored for
    not_yet = schedule_risk.summary_for(programme())
    assert not_yet is not None and not_yet.analysis is None and not_yet.earlier
    soup = page(client.get("/p/kent-and-medway/"))
    assert "has not been worked out for the plan as it is now" in text_of(
        soup, "schedule-risk-not-yet"
    )
    assert started == [] and schedule_risk.jobs.get((programme().id, not_yet.key)) is None

    done = schedule_risk.analysis_for(programme(), inline=True)  # as the analysis page would
    assert done is not None and done.analysis is not None and started == [5000]
    give_impact("R01", 3)  # a change: the stored result is now from before it
    earlier = schedule_risk.summary_for(programme())
    assert earlier is not None and earlier.earlier and earlier.key != done.key
    assert earlier.analysis == done.analysis
    soup = page(client.get("/p/kent-and-medway/"))
    assert text_of(soup, "schedule-risk-heading") == "Chance of making 1 July 2022: 100 %"
    assert "before the plan's latest changes" in text_of(soup, "schedule-risk-earlier")
    assert started == [5000]


def test_a_run_that_fails_says_so(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SCHEDULE_RISK_INLINE_COST", 0)
    monkeypatch.setitem(app.config, "SCHEDULE_RISK_WAIT_SECONDS", 5)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("the engine said no")

    monkeypatch.setattr(schedule_risk, "analyse", broken)
    make_certain()  # a plan version no run has stored a result for (a browser test may have)
    soup = page(client.get(BASE))
    assert "the engine said no" in text_of(soup, "risk-failed")
    assert client.get(STATUS).get_json()["state"] == "failed"


# --- the page --------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["paul.bentley@example.org", LEAD, ADMIN])
def test_every_member_reads_the_page_and_only_admins_get_the_form(app: Flask, email: str) -> None:
    from tests.conftest import Client, sign_in_as

    app.test_client_class = Client
    client = sign_in_as(app.test_client(), email)
    response = client.get(BASE)
    assert response.status_code == 200
    soup = page(response)
    assert text_of(soup, "risk-chance").startswith("Chance of making 1 July 2022: ")
    data = json.loads(soup.find(id="risk-chart-data").string)
    assert sum(data["histogram"]["y"]) == 5000
    assert data["s_curve"]["y"][-1] == 100
    assert data["target"] == "2022-07-01"
    assert (soup.find(id="iterations") is not None) == (email == ADMIN)
    # Each chart has its table; the drivers and criticality link to their pages.
    assert soup.select("#histogram-table tbody tr") and soup.select("#s-curve-table tbody tr")
    links = [a["href"] for a in soup.select("#criticality-table a")]
    assert links and all(h.startswith(f"/p/{SEED_SLUG}/milestones/") for h in links)
    assert len(links) <= 20
    assert "5,000 iterations and seed 0" in text_of(soup, "risk-run")


def test_an_admin_runs_it_with_other_iterations_and_seed(admin_client: FlaskClient) -> None:
    soup = page(admin_client.get(f"{BASE}?iterations=2000&seed=9"))
    assert "2,000 iterations and seed 9" in text_of(soup, "risk-run")
    data = json.loads(soup.find(id="risk-chart-data").string)
    assert sum(data["histogram"]["y"]) == 2000

    bad = page(admin_client.get(f"{BASE}?iterations=lots&seed=-1"))
    summary = text_of(bad, "error-summary-title").lower()
    assert "problem" in summary
    messages = [a.get_text() for a in bad.select(".nhsuk-error-summary__list a")]
    assert messages == [
        "The iterations must be a whole number from 100 to 100,000",
        "The seed must be a whole number from 0 to 2,147,483,647",
    ]
    assert "5,000 iterations and seed 0" in text_of(bad, "risk-run")  # the defaults meanwhile


def test_a_board_member_cannot_choose_the_iterations(client: FlaskClient) -> None:
    soup = page(client.get(f"{BASE}?iterations=100000&seed=9"))
    assert "5,000 iterations and seed 0" in text_of(soup, "risk-run")


def test_the_page_needs_membership(app: Flask) -> None:
    from tests.conftest import Client

    app.test_client_class = Client
    assert app.test_client().get(BASE).status_code in (302, 401)


# --- three-point estimates on the milestone form -------------------------------------------


def form_values(response: Any) -> dict[str, str]:
    """What the page's form (the one with a title) would send as it stands: the values
    shown, the options chosen, the radios checked."""
    soup = page(response)
    title = soup.find(attrs={"name": "title"})
    assert title is not None, soup.get_text()[:500]
    form = title.find_parent("form")
    assert form is not None
    values: dict[str, str] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.name == "textarea":
            values[name] = field.get_text()
        elif field.name == "select":
            chosen = field.find("option", selected=True)
            values[name] = chosen["value"] if chosen else ""
        elif field.get("type") in ("radio", "checkbox"):
            if field.has_attr("checked"):
                values[name] = field.get("value", "y")
        else:
            values[name] = field.get("value", "")
    values.pop("csrf_token", None)
    return values


def edit_url(client: FlaskClient) -> str:
    from flask import url_for

    with client.application.test_request_context():
        return url_for("plan_edits.edit_milestone", slug=SEED_SLUG, ref="PEO-11")


def test_an_admin_gives_a_milestone_a_three_point_estimate(admin_client: FlaskClient) -> None:
    url = edit_url(admin_client)
    values = form_values(admin_client.get(url))
    assert values["optimistic_days"] == values["likely_days"] == values["pessimistic_days"] == ""
    values.update(optimistic_days="12", likely_days="14", pessimistic_days="30")
    response = admin_client.post(url, data=values)
    assert response.status_code == 302, page(response).get_text()[:2000]
    saved = fresh_milestone("PEO-11")
    assert (saved.optimistic_days, saved.likely_days, saved.pessimistic_days) == (12, 14, 30)
    shown = form_values(admin_client.get(url))
    assert (shown["optimistic_days"], shown["likely_days"], shown["pessimistic_days"]) == (
        "12",
        "14",
        "30",
    )
    # Emptied again: the milestone takes the programme's defaults.
    shown.update(optimistic_days="", likely_days="", pessimistic_days="")
    assert admin_client.post(url, data=shown).status_code == 302
    saved = fresh_milestone("PEO-11")
    assert (saved.optimistic_days, saved.likely_days, saved.pessimistic_days) == (None,) * 3


def test_a_lead_cannot_give_a_three_point_estimate(
    admin_client: FlaskClient, lead_client: FlaskClient
) -> None:
    url = edit_url(admin_client)
    values = form_values(admin_client.get(url))
    values.update(optimistic_days="12", likely_days="14", pessimistic_days="30")
    assert lead_client.post(url, data=values).status_code == 403
    saved = fresh_milestone("PEO-11")
    assert saved.optimistic_days is None and saved.pessimistic_days is None


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (("x", "14", "30"), "optimistic_days", "The optimistic estimate must be a whole number"),
        (("12", "", "30"), "likely_days", "Enter the most likely estimate too"),
        (("12", "14", ""), "pessimistic_days", "Enter the pessimistic estimate too"),
        (("15", "14", "30"), "likely_days", "The most likely estimate (14) cannot be less than"),
        (("12", "14", "13"), "pessimistic_days", "The pessimistic estimate (13) cannot be less"),
        (("-1", "14", "30"), "optimistic_days", "an activity's duration: it cannot be below 0"),
        (("12", "14", "3000"), "pessimistic_days", "more than ten years"),
    ],
)
def test_a_bad_three_point_is_named_by_its_field(
    admin_client: FlaskClient, typed: tuple[str, str, str], field: str, message: str
) -> None:
    url = edit_url(admin_client)
    values = form_values(admin_client.get(url))
    values.update(optimistic_days=typed[0], likely_days=typed[1], pessimistic_days=typed[2])
    response = admin_client.post(url, data=values)
    assert response.status_code == 200
    soup = page(response)
    error = soup.find(id=f"{field}-error")
    assert error is not None, soup.select(".nhsuk-error-message")
    assert message in error.get_text()
    assert fresh_milestone("PEO-11").optimistic_days is None
    # What was typed is shown back.
    assert (
        soup.find(id=field)["value"]
        == typed[("optimistic_days", "likely_days", "pessimistic_days").index(field)]
    )


def test_the_three_point_rule_in_plain_words() -> None:
    assert check_three_point("point", None, None, None) == []
    assert check_three_point("point", -3, 0, 10) == []
    assert check_three_point("activity", 0, 0, 0) == []
    (error,) = check_three_point("activity", -3, 0, 10)
    assert error.field == "optimistic_days"
    assert [e.field for e in check_three_point("point", 5, 1, 0)] == [
        "likely_days",
        "pessimistic_days",
    ]
    assert check_impact_days(None) == [] and check_impact_days(260) == []
    assert [e.field for e in check_impact_days(0) + check_impact_days(261)] == ["impact_days"] * 2


# --- impact in working days on the risk form ----------------------------------------------


RISK_EDIT = f"/p/{SEED_SLUG}/risks/R06/edit"
OTHERS_RISK = f"/p/{SEED_SLUG}/risks/R01/edit"


def test_who_may_edit_a_risk_gives_its_impact(
    lead_client: FlaskClient, admin_client: FlaskClient, client: FlaskClient
) -> None:
    values = form_values(lead_client.get(RISK_EDIT))
    assert values["impact_days"] == ""
    values["impact_days"] = "5"
    response = lead_client.post(RISK_EDIT, data=values)
    assert response.status_code == 302, page(response).get_text()[:1500]
    db.session.expire_all()
    assert db.session.scalar(select(Risk.impact_days).where(Risk.ref == "R06")) == 5
    assert form_values(lead_client.get(RISK_EDIT))["impact_days"] == "5"

    # Becca may not edit Mike's GOV risk; the board edits nothing.
    others = form_values(admin_client.get(OTHERS_RISK))
    others["impact_days"] = "9"
    assert lead_client.post(OTHERS_RISK, data=others).status_code == 403
    assert client.post(OTHERS_RISK, data=others).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(Risk.impact_days).where(Risk.ref == "R01")) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "The delay must be a whole number of working days from 1 to 260"),
        ("261", "The delay must be a whole number of working days from 1 to 260"),
        ("soon", "The delay must be a whole number of working days, like 5, or empty"),
    ],
)
def test_a_bad_impact_is_named(lead_client: FlaskClient, typed: str, message: str) -> None:
    values = form_values(lead_client.get(RISK_EDIT))
    values["impact_days"] = typed
    response = lead_client.post(RISK_EDIT, data=values)
    assert response.status_code == 200
    error = page(response).find(id="impact_days-error")
    assert error is not None and message in error.get_text()
    db.session.expire_all()
    assert db.session.scalar(select(Risk.impact_days).where(Risk.ref == "R06")) is None


# --- the command line ------------------------------------------------------------------------


def test_the_command_prints_the_chance_the_dates_and_the_drivers(
    app: Flask, runner: FlaskCliRunner
) -> None:
    give_impact("R06", 5)
    result = runner.invoke(args=["schedule", "risk", "--programme", SEED_SLUG, "--seed", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "Kent and Medway CCG to ICB transition: schedule risk analysis at 4 April 2022"
    )
    new_request()
    outcome = schedule_risk.analysis_for(programme(), seed=2)
    assert outcome is not None and outcome.analysis is not None
    a = outcome.analysis
    assert lines[1] == schedule_risk.chance_sentence(a)
    assert lines[2:5] == [
        f"P50: {a.p50.day} {a.p50:%B %Y}",
        f"P80: {a.p80.day} {a.p80:%B %Y}",
        f"P90: {a.p90.day} {a.p90:%B %Y}",
    ]
    assert lines[5] == "Forecast if everything goes to plan: 1 July 2022"
    assert lines[6] == "What moves go-live most (working days):"
    top = schedule_risk.drivers_for_board(a, 5)
    assert lines[7 : 7 + len(top)] == [f"  {label}: {d.swing_days:.1f}" for d, label in top]
    assert lines[-1] == "5,000 iterations, seed 2."


def test_the_command_prints_json(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["schedule", "risk", "--programme", SEED_SLUG, "--iterations", "1000", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["iterations"] == 1000 and data["seed"] == 0
    assert data["go_live_ref"] == "GOV-99" and data["go_live_target"] == "2022-07-01"
    assert sum(c for _, c in data["histogram"]) == 1000
    assert 0 <= data["chance_of_target"] <= 1
    assert data["p50"] <= data["p80"] <= data["p90"]
    assert {d["kind"] for d in data["drivers"]} <= {"milestone", "risk"}


def test_the_command_names_what_is_wrong(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["schedule", "risk", "--programme", "nowhere"])
    assert result.exit_code != 0 and "there is no programme 'nowhere'" in result.output
    result = runner.invoke(args=["schedule", "risk", "--programme", SEED_SLUG, "--seed", "-1"])
    assert result.exit_code != 0 and "--seed" in result.output
    result = runner.invoke(
        args=["schedule", "risk", "--programme", SEED_SLUG, "--scenario", "No such"]
    )
    assert result.exit_code != 0 and "There is no scenario called 'No such'" in result.output


def test_the_command_analyses_a_scenario(app: Flask, runner: FlaskCliRunner) -> None:
    from tracker.domain.scenarios import SetGoLiveTarget
    from tracker.services import scenarios

    made = scenarios.create_scenario(
        viewer(ADMIN), programme(), "August", edits=(SetGoLiveTarget(date(2022, 8, 1)),)
    )
    # The command line acts as the operator, who sees the scenarios shared with the programme.
    scenarios.share(viewer(ADMIN), made, Seen(made.version), True)
    new_request()
    result = runner.invoke(
        args=["schedule", "risk", "--programme", SEED_SLUG, "--scenario", "August"]
    )
    assert result.exit_code == 0, result.output
    assert "(scenario August)" in result.output.splitlines()[0]
    assert "Chance of making 1 August 2022: 100 %" in result.output
    last = result.output.splitlines()[-1]
    assert last.startswith("The plan's chance of making 1 July 2022 is ")
    assert last.endswith(
        "The scenario 'August' moves the go-live target to 1 August 2022: its "
        "chance of making that is 100 %."
    )
    scenario_key = f"{made.id}.{made.version}"
    stored = [r.key for r in results() if ".plan." not in r.key]
    assert stored == [
        schedule_risk.result_key(programme().plan_version, date(2022, 4, 4), 5000, 0, scenario_key)
    ]


# --- the digest ------------------------------------------------------------------------------


def test_the_digest_says_the_chance(app: Flask) -> None:
    from tracker.services.digest_content import programme_week, render

    week = programme_week(programme(), date(2022, 4, 4))
    assert week is not None
    line = week.digest.headline.schedule_risk
    new_request()
    outcome = schedule_risk.analysis_for(programme())
    assert outcome is not None and outcome.analysis is not None
    a = outcome.analysis
    assert line == (
        f"Chance of making 1 July 2022: {schedule_risk.percent(a.chance_of_target)} % "
        f"(P80 {a.p80.day} {a.p80:%B})."
    )
    rendered = render(week.digest)
    assert line in rendered.text
    html = BeautifulSoup(rendered.html, "html.parser")
    link = html.find("a", string=line)
    assert link is not None and link["href"].endswith(BASE)
    # A past week's digest says nothing about today's chance.
    past = programme_week(programme(), date(2022, 3, 28))
    assert past is not None and past.digest.headline.schedule_risk is None


def test_the_digest_line_in_words() -> None:
    from tracker.scheduling.risk_analysis import RiskAnalysis

    a = RiskAnalysis(
        go_live_ref="GOV-99",
        go_live_target=date(2022, 7, 1),
        today=date(2022, 4, 4),
        iterations=100,
        seed=0,
        forecast_go_live=date(2022, 7, 1),
        chance_of_target=0.384,
        p50=date(2022, 7, 5),
        p80=date(2022, 7, 12),
        p90=date(2023, 1, 3),
        histogram=(),
        s_curve=(),
        criticality={},
        drivers=(),
    )
    assert schedule_risk.digest_line(a) == "Chance of making 1 July 2022: 38 % (P80 12 July)."
    assert schedule_risk.short_date(a.p90, a.go_live_target) == "3 January 2023"
    assert [schedule_risk.percent(s) for s in (0, 0.001, 0.5, 0.999, 1)] == [0, 1, 50, 99, 100]
    assert schedule_risk.analysis_from_json(a.as_json()) == a


# --- the dashboard's summary (the lead puts the macro on the dashboard) ------------------


SUMMARY = (
    '{% from "components/schedule-risk.html" import schedule_risk_summary %}'
    "{{ schedule_risk_summary(outcome, programme) }}"
)


def summary_html(outcome: Any) -> BeautifulSoup:
    from flask import render_template_string

    with current_request():
        return BeautifulSoup(
            render_template_string(SUMMARY, outcome=outcome, programme=programme()),
            "html.parser",
        )


def current_request() -> Any:
    from flask import current_app

    return current_app.test_request_context()


def test_the_dashboard_summary_says_the_chance_and_p80(app: Flask) -> None:
    make_certain()
    outcome = schedule_risk.summary_for(programme())
    assert outcome is not None and outcome.analysis is not None
    soup = summary_html(outcome)
    heading = soup.find(id="schedule-risk-heading")
    assert heading is not None
    assert heading.get_text(strip=True) == "Chance of making 1 July 2022: 100 %"
    assert heading.find("a")["href"] == BASE
    assert "P80 1 July 2022" in soup.get_text()


def test_the_dashboard_summary_while_it_is_worked_out(app: Flask) -> None:
    working = schedule_risk.Outcome("key", 5000, 0, done=2000, total=5000)
    soup = summary_html(working)
    assert "being worked out" in soup.find(id="schedule-risk-working").get_text()
    assert soup.find("a")["href"] == BASE
    assert working.status_json() == {
        "state": "working",
        "done": 2000,
        "total": 5000,
        "percent": 40,
        "error": None,
        "message": "Being worked out: 2,000 of 5,000 iterations done.",
    }
    assert summary_html(None).get_text().strip() == ""


# --- the defaults page -------------------------------------------------------------------------

DEFAULTS = f"{BASE}/defaults"
MINE = {
    "not_started_point_optimistic": "-2",
    "not_started_point_likely": "3",
    "not_started_point_pessimistic": "30",
    "blocked_activity_optimistic": "0",
    "blocked_activity_likely": "10 %",
    "blocked_activity_pessimistic": "150",
}


def defaults_form(response: Any) -> dict[str, str]:
    """What the defaults form sends as it stands (the hidden fields and every default)."""
    form = page(response).find("form", action=DEFAULTS)
    assert form is not None
    values = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    values.pop("csrf_token", None)
    return values


def defaults_events() -> list[Any]:
    from tracker.models import AuditEvent

    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "Programme", AuditEvent.field == "risk_defaults"
            )
        )
    )


def direct_analysis(defaults: UncertaintyDefaults, seed: int) -> Any:
    """The engine called directly on the seeded plan, with these defaults and the stored
    estimates and risks: what the page's analysis must equal."""
    from tracker.scheduling.risk_analysis import analyse_schedule_risk, uncertainty_for
    from tracker.services import board
    from tracker.services.forecast_effect import plan_of

    kent = programme()
    schedule = board.schedule_for(kent)
    assert schedule is not None
    plan = plan_of(kent, schedule)
    refs = {m.ref for m in plan.milestones}
    return analyse_schedule_risk(
        plan.milestones,
        plan.dependencies,
        go_live_ref=plan.go_live_ref,
        go_live_target=plan.go_live_target,
        today=plan.today,
        calendar=plan.calendar,
        uncertainty=uncertainty_for(
            plan.milestones,
            today=plan.today,
            calendar=plan.calendar,
            defaults=defaults,
            overrides=schedule_risk.three_points(kent),
            go_live_ref=plan.go_live_ref,
        ),
        risk_events=schedule_risk.risk_events(kent, refs),
        iterations=5000,
        seed=seed,
    )


def test_an_admin_saves_the_defaults_and_the_next_analysis_uses_them(
    app: Flask, admin_client: FlaskClient
) -> None:
    opened = admin_client.get(DEFAULTS)
    assert opened.status_code == 200
    shown = defaults_form(opened)
    assert shown["not_started_point_pessimistic"] == "10"
    assert shown["blocked_activity_pessimistic"] == "100"
    assert shown["opened_at"]
    hint = text_of(page(opened), "not_started_activity_optimistic-hint")
    assert "The tracker's default is -10." in hint
    before = schedule_risk.analysis_for(programme(), seed=7)
    assert before is not None and before.analysis is not None

    response = admin_client.post(DEFAULTS, data={**shown, **MINE})
    assert response.status_code == 302
    assert response.location == BASE
    mine = UncertaintyDefaults(
        not_started=StatusDefaults(ThreePoint(-2, 3, 30), ThreePoint(-10, 0, 50)),
        blocked=StatusDefaults(ThreePoint(0, 0, 20), ThreePoint(0, 10, 150)),
    )
    db.session.expire_all()
    assert schedule_risk.defaults_of(programme()) == mine
    # Only what differs from the tracker's defaults is kept; the change is audited.
    assert programme().risk_defaults == {
        "not_started": {"point_slip": [-2, 3, 30]},
        "blocked": {"activity_percent": [0, 10, 150]},
    }
    assert len(defaults_events()) == 1

    new_request()
    after = schedule_risk.analysis_for(programme(), seed=7)
    assert after is not None and after.analysis is not None
    assert after.key != before.key  # a new plan version
    new_request()
    assert after.analysis == direct_analysis(mine, 7)
    assert after.analysis != before.analysis
    new_request()
    assert before.analysis == direct_analysis(UncertaintyDefaults(), 7)

    soup = page(admin_client.get(BASE))
    assert text_of(soup, "risk-defaults-whose").startswith("This programme has set its own")
    rows = [row.get_text(" ", strip=True) for row in soup.select("#defaults-table tbody tr")]
    assert "-2, +3, +30 working days" in rows[0]
    assert "0 %, +10 %, +150 %" in rows[2]
    assert soup.find(id="defaults-link")["href"] == DEFAULTS
    # The form shows what is stored now.
    assert defaults_form(admin_client.get(DEFAULTS))["not_started_point_likely"] == "3"


def test_putting_back_the_defaults(app: Flask, admin_client: FlaskClient) -> None:
    shown = defaults_form(admin_client.get(DEFAULTS))
    assert admin_client.post(DEFAULTS, data={**shown, **MINE}).status_code == 302
    shown = defaults_form(admin_client.get(DEFAULTS))
    response = admin_client.post(DEFAULTS, data={**shown, "reset": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert programme().risk_defaults == {}
    assert schedule_risk.defaults_of(programme()) == UncertaintyDefaults()
    assert len(defaults_events()) == 2
    soup = page(admin_client.get(BASE))
    assert text_of(soup, "risk-defaults-whose").startswith("This programme uses the tracker's")


def test_an_empty_box_is_the_trackers_default(app: Flask, admin_client: FlaskClient) -> None:
    shown = defaults_form(admin_client.get(DEFAULTS))
    typed = {**shown, "in_progress_point_pessimistic": "", "in_progress_point_likely": "1"}
    assert admin_client.post(DEFAULTS, data=typed).status_code == 302
    db.session.expire_all()
    assert schedule_risk.defaults_of(programme()).in_progress.point_slip == ThreePoint(0, 1, 5)


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        (
            "not_started_point_optimistic",
            "soon",
            "The optimistic slip of a point milestone not started must be a whole number of "
            "working days from -260 to 520",
        ),
        (
            "in_progress_point_pessimistic",
            "2.5",
            "The pessimistic slip of a point milestone in progress must be a whole number of "
            "working days from -260 to 520",
        ),
        (
            "blocked_point_pessimistic",
            "600",
            "The pessimistic slip of a point milestone blocked must be a whole number of "
            "working days from -260 to 520",
        ),
        (
            "not_started_activity_optimistic",
            "-101",
            "The optimistic change to an activity not started must be a whole percentage "
            "from -100 to 500",
        ),
        (
            "in_progress_activity_likely",
            "-6",
            "The most likely change to an activity in progress must be at least the "
            "optimistic (-5)",
        ),
        (
            "blocked_point_likely",
            "-1",
            "The most likely slip of a point milestone blocked must be at least the optimistic (0)",
        ),
        (
            "blocked_activity_pessimistic",
            "-5",
            "The pessimistic change to an activity blocked must be at least the most likely (0)",
        ),
    ],
)
def test_a_bad_default_is_named_by_its_field(
    app: Flask, admin_client: FlaskClient, field: str, typed: str, message: str
) -> None:
    from tests.helpers import error_for

    shown = {**defaults_form(admin_client.get(DEFAULTS)), field: typed}
    response = admin_client.post(DEFAULTS, data=shown)
    assert response.status_code == 200
    soup = page(response)
    assert soup.title is not None and soup.title.get_text().startswith("Error: ")
    assert error_for(soup, field) == message
    summary = [a.get_text(strip=True) for a in soup.select(".nhsuk-error-summary__list a")]
    assert summary == [message]
    assert soup.select_one(".nhsuk-error-summary__list a")["href"] == f"#{field}"
    db.session.expire_all()
    assert programme().risk_defaults == {}
    assert defaults_events() == []


def test_every_bad_default_is_named_at_once(app: Flask) -> None:
    errors = schedule_risk.check_defaults(
        {
            "not_started_point_optimistic": 5,  # above the most likely (0)
            "blocked_activity_optimistic": "x",
            "blocked_activity_likely": True,  # not a number, though Python counts it as one
        }
    )
    assert [e.field for e in errors] == [
        "not_started_point_likely",
        "blocked_activity_optimistic",
        "blocked_activity_likely",
    ]
    assert errors[0].message == (
        "The most likely slip of a point milestone not started must be at least the optimistic (5)"
    )
    assert schedule_risk.check_defaults({}) == []
    assert schedule_risk.check_defaults(schedule_risk.default_values(UncertaintyDefaults())) == []


def test_the_defaults_change_refused_when_someone_else_changed_them(
    app: Flask, admin_client: FlaskClient
) -> None:
    shown = defaults_form(admin_client.get(DEFAULTS))
    schedule_risk.change_defaults(
        viewer(ADMIN), programme(), ANY_VERSION, UncertaintyDefaults.certain()
    )
    new_request()
    response = admin_client.post(DEFAULTS, data={**shown, **MINE})
    assert response.status_code == 200
    notice = text_of(page(response), "edit-conflict")
    assert "Someone else changed this while you were editing it" in notice
    assert "schedule risk analysis defaults" in notice
    db.session.expire_all()
    assert schedule_risk.defaults_of(programme()) == UncertaintyDefaults.certain()


@pytest.mark.parametrize("email", ["paul.bentley@example.org", LEAD])
def test_only_an_admin_opens_the_defaults_page(app: Flask, email: str) -> None:
    from tests.conftest import Client, sign_in_as

    app.test_client_class = Client
    client = sign_in_as(app.test_client(), email)
    assert client.get(DEFAULTS).status_code == 403
    assert client.post(DEFAULTS, data=MINE).status_code == 403
    assert client.post(DEFAULTS, data={"reset": "y"}).status_code == 403
    db.session.expire_all()
    assert programme().risk_defaults == {}
    assert defaults_events() == []
    assert page(client.get(BASE)).find(id="defaults-link") is None


def test_a_non_member_is_told_there_is_no_such_programme(app: Flask) -> None:
    from tests.conftest import Client, sign_in_as
    from tracker.services.accounts import create_user

    app.test_client_class = Client
    create_user("olive.outsider@example.org", None, "Olive Outsider")
    outsider = sign_in_as(app.test_client(), "olive.outsider@example.org")
    assert outsider.get(DEFAULTS).status_code == 404
    assert outsider.post(DEFAULTS, data=MINE).status_code == 404
    assert outsider.get(BASE).status_code == 404
    db.session.expire_all()
    assert programme().risk_defaults == {}


# --- a scenario analysed -----------------------------------------------------------------------


def make_scenario(email: str, name: str, edits: tuple[Any, ...], shared: bool = False) -> Any:
    from tracker.services import scenarios

    made = scenarios.create_scenario(viewer(email), programme(), name, edits=edits)
    if shared:
        made = scenarios.share(viewer(email), made, Seen(made.version), True)
    new_request()
    return made


def test_a_scenario_is_analysed_beside_the_plan(app: Flask, admin_client: FlaskClient) -> None:
    from tracker.domain.scenarios import SetGoLiveTarget, Slip
    from tracker.scheduling.risk_analysis import analyse_schedule_risk
    from tracker.services import scenarios

    give_impact("R06", 20)
    made = make_scenario(ADMIN, "TUPE slips", (Slip("PEO-09", 15),))
    make_scenario(ADMIN, "August", (SetGoLiveTarget(date(2022, 8, 1)),), shared=True)

    response = admin_client.get(f"{BASE}?scenario={made.id}&seed=3")
    assert response.status_code == 200
    soup = page(response)
    new_request()
    plan = scenarios.scenario_plan(programme(), made)
    inputs = schedule_risk.inputs_for(programme(), plan)
    expected = analyse_schedule_risk(
        plan.milestones,
        plan.dependencies,
        go_live_ref=plan.go_live_ref,
        go_live_target=plan.go_live_target,
        today=plan.today,
        calendar=plan.calendar,
        uncertainty=inputs.uncertainty,
        risk_events=inputs.risk_events,
        iterations=5000,
        seed=3,
    )
    new_request()
    own = schedule_risk.analysis_for(programme(), seed=3)
    assert own is not None and own.analysis is not None
    chance = schedule_risk.percent(expected.chance_of_target)
    before = schedule_risk.percent(own.analysis.chance_of_target)
    assert chance < before  # the slip makes go-live later
    assert text_of(soup, "risk-chance") == f"Chance of making 1 July 2022: {chance} %"
    assert text_of(soup, "risk-comparison") == (
        f"Information: With the scenario 'TUPE slips', the chance of making 1 July 2022 falls "
        f"from {before} % to {chance} %."
    )
    assert text_of(soup, "risk-p80") == f"{expected.p80.day} {expected.p80:%B %Y}"
    cells = [
        td.get_text(" ", strip=True) for td in soup.select("#comparison-table tbody tr")[0]("td")
    ]
    assert cells[1:] == [f"{before} %", f"{chance} %"]
    data = json.loads(soup.find(id="risk-chart-data").string)
    assert data["p80"] == expected.p80.isoformat()
    # It is kept by the scenario's key, beside the plan's own.
    key = schedule_risk.result_key(
        programme().plan_version, date(2022, 4, 4), 5000, 3, f"{made.id}.{made.version}"
    )
    (row,) = results(key)
    assert schedule_risk.analysis_from_json(row.result) == expected
    # The chooser lists the scenarios the reader sees, this one chosen; the run-again form
    # keeps the scenario.
    options = {
        o.get_text(strip=True): o.has_attr("selected") for o in soup.select("#scenario option")
    }
    assert options == {
        "The plan itself, no scenario": False,
        "August (yours)": False,
        "TUPE slips (yours)": True,
    }
    assert soup.select_one('#run-again ~ form input[name="scenario"]')["value"] == str(made.id)


def test_a_scenario_that_moves_the_target_says_both_chances(
    app: Flask, client: FlaskClient
) -> None:
    from tracker.domain.scenarios import SetGoLiveTarget

    made = make_scenario(ADMIN, "August", (SetGoLiveTarget(date(2022, 8, 1)),), shared=True)
    soup = page(client.get(f"{BASE}?scenario={made.id}"))
    words = text_of(soup, "risk-comparison")
    assert "The plan's chance of making 1 July 2022 is" in words
    assert "The scenario 'August' moves the go-live target to 1 August 2022" in words
    assert text_of(soup, "risk-chance").startswith("Chance of making 1 August 2022: ")


def test_the_scenario_sentence_in_words() -> None:
    from dataclasses import replace

    base = schedule_risk.RiskAnalysis(
        go_live_ref="GL",
        go_live_target=TARGET,
        today=date(2022, 4, 4),
        iterations=100,
        seed=0,
        forecast_go_live=TARGET,
        chance_of_target=0.10,
        p50=TARGET,
        p80=TARGET,
        p90=TARGET,
        histogram=((TARGET, 100),),
        s_curve=((TARGET, 1.0),),
        criticality={},
        drivers=(),
    )
    assert schedule_risk.scenario_sentence(base, replace(base, chance_of_target=0.46), "C") == (
        "With the scenario 'C', the chance of making 1 July 2022 rises from 10 % to 46 %."
    )
    assert schedule_risk.scenario_sentence(base, replace(base, chance_of_target=0.0), "C") == (
        "With the scenario 'C', the chance of making 1 July 2022 falls from 10 % to 0 %."
    )
    assert schedule_risk.scenario_sentence(base, replace(base, chance_of_target=0.101), "C") == (
        "With the scenario 'C', the chance of making 1 July 2022 stays at 10 %."
    )


def test_a_private_scenario_of_another_member_is_not_found(
    app: Flask, admin_client: FlaskClient, lead_client: FlaskClient
) -> None:
    from tracker.domain.scenarios import Slip

    private = make_scenario(LEAD, "Lead's own", (Slip("PEO-09", 5),))
    assert lead_client.get(f"{BASE}?scenario={private.id}").status_code == 200
    assert admin_client.get(f"{BASE}?scenario={private.id}").status_code == 404
    assert admin_client.get(f"{STATUS}?scenario={private.id}").status_code == 404
    for wrong in ("999999", "x", "-1"):
        assert admin_client.get(f"{BASE}?scenario={wrong}").status_code == 404, wrong
    # Not offered in the admin's chooser either.
    names = [
        o.get_text(strip=True) for o in page(admin_client.get(BASE)).select("#scenario option")
    ]
    assert not any("Lead's own" in n for n in names)


def test_a_scenario_run_in_the_background_polls_its_own_status(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.domain.scenarios import Slip

    monkeypatch.setitem(app.config, "SCHEDULE_RISK_INLINE_COST", 0)  # every plan is big
    monkeypatch.setitem(app.config, "SCHEDULE_RISK_WAIT_SECONDS", 0)
    made = make_scenario(ADMIN, "TUPE slips", (Slip("PEO-09", 15),), shared=True)
    go = threading.Event()
    real = schedule_risk.analyse

    def held(inputs: Any, iterations: int, seed: int, progress: Any = None) -> Any:
        go.wait(30)
        return real(inputs, iterations, seed, progress)

    monkeypatch.setattr(schedule_risk, "analyse", held)
    working = page(client.get(f"{BASE}?scenario={made.id}"))
    box = working.find(id="risk-working")
    assert box is not None
    assert box["data-status-url"] == f"{STATUS}?scenario={made.id}"
    assert working.find(id="risk-reload")["href"] == f"{BASE}?scenario={made.id}"
    assert client.get(box["data-status-url"]).get_json()["state"] == "working"
    go.set()
    schedule_risk.jobs.wait(30)
    done = client.get(box["data-status-url"]).get_json()
    assert done["state"] == "done" and done["percent"] == 100
    soup = page(client.get(f"{BASE}?scenario={made.id}"))
    assert text_of(soup, "risk-comparison").startswith("Information: With the scenario")


def test_a_scenario_that_no_longer_applies_says_so(app: Flask, client: FlaskClient) -> None:
    from tracker.domain.scenarios import Slip
    from tracker.models import Scenario

    made = make_scenario(ADMIN, "Gone", (Slip("PEO-09", 5),), shared=True)
    stored_one = db.session.get(Scenario, made.id)
    assert stored_one is not None
    stored_one.edits = [{**stored_one.edits[0], "ref": "NO-SUCH"}]
    db.session.commit()
    new_request()
    response = client.get(f"{BASE}?scenario={made.id}")
    assert response.status_code == 200
    assert "The scenario's changes no longer apply" in text_of(page(response), "risk-failed")
    status = client.get(f"{STATUS}?scenario={made.id}").get_json()
    assert status["state"] == "failed"


# --- a risk's impact on its page ---------------------------------------------------------------


def test_a_risks_page_says_its_impact(app: Flask, client: FlaskClient) -> None:
    risk_page = f"/p/{SEED_SLUG}/risks/R06"
    assert page(client.get(risk_page)).find(id="impact") is None
    give_impact("R06", 5)
    soup = page(client.get(risk_page))
    assert text_of(soup, "impact") == (
        "If it happens Its milestones slip 5 working days (used by the schedule risk analysis)"
    )
    linked = [tr["data-ref"] for tr in soup.select("#milestones + table tbody tr[data-ref]")]
    assert linked == ["PEO-09", "PEO-11", "PEO-14"]
    give_impact("R06", 1)
    assert "slip 1 working day (" in text_of(page(client.get(risk_page)), "impact")
