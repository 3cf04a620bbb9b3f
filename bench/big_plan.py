"""Big plans: the first dashboard request after a change, and a lead's completion through the
API, at thousands of milestones (issue 19).

    .venv/bin/python bench/big_plan.py [--sizes 500,2000,5000] [--databases sqlite,postgresql]
        [--runs 5] [--profile dashboard|api]

For each database and size: a scratch database (bench/server.py: a SQLite file, or a
PostgreSQL database made and dropped on BENCH_POSTGRES_URL / TEST_DATABASE_URL / the local
server) with one synthetic programme, then through the Flask test client, signed in as one
of its leads:

- dashboard: the lead completes a milestone on its page (a change: the plan version moves,
  so no cached schedule or dashboard fits), then the dashboard is timed;
- API completion: the lead completes another milestone with POST .../complete and their API
  token, timed to the end of the answer (the milestone with its schedule figures).

Each is the median (and slowest) of --runs, after one warm-up of each. With --profile, one
more of the chosen request runs under cProfile and its top functions are printed. Target
(issue 19): both under 200 ms at 5,000 milestones.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import logging
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from server import TODAY, machine, prepare, scratch_database  # noqa: E402  (bench/ is no package)

from tracker.memory import collect_between_requests  # noqa: E402


class Gc:
    """Time spent in the cyclic garbage collector while it is installed (gc.callbacks)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def _open_milestones(app: Any, slug: str, lead: str) -> tuple[Any, list[str], str]:
    """The lead's user id, the open milestones in the workstreams they lead, and an API token
    of theirs."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Milestone, Programme, Workstream, WorkstreamLead
    from tracker.services import api_tokens
    from tracker.services.accounts import user_by_email

    with app.app_context():
        user = user_by_email(lead)
        refs = list(
            db.session.scalars(
                select(Milestone.ref)
                .join(Workstream, Workstream.id == Milestone.workstream_id)
                .join(WorkstreamLead, WorkstreamLead.workstream_id == Workstream.id)
                .join(Programme, Programme.id == Milestone.programme_id)
                .where(
                    Programme.slug == slug,
                    WorkstreamLead.person_id == user.person_id,
                    Milestone.status != "complete",
                    Milestone.ref != "GOV-9999",
                )
                .order_by(Milestone.due_date, Milestone.ref)
            )
        )
        token = api_tokens.create_token(user, "big plan bench").secret
        db.session.commit()
        user_id = user.get_id()
        db.session.remove()
    return user_id, refs, str(token)


def _version(app: Any, slug: str, ref: str) -> int:
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Milestone, Programme

    with app.app_context():
        found = db.session.scalar(
            select(Milestone.version)
            .join(Programme, Programme.id == Milestone.programme_id)
            .where(Programme.slug == slug, Milestone.ref == ref)
        )
        db.session.remove()
    return int(found or 0)


def long_chains(size: int, chains: int = 10) -> tuple[float, float, int]:
    """A plan of `size` milestones in `chains` chains of FS links, the first of each with a
    lead's forecast a year late, so it pushes all the rest of its chain: ms to forecast it
    (the fastest of 3), ms to read every milestone's explanation after that, and the longest
    "why" chain."""
    from datetime import timedelta

    from tracker.scheduling import (
        PlannedDependency,
        PlannedMilestone,
        WorkingCalendar,
        forecast_programme,
    )

    cal, today, go_live = WorkingCalendar(date(2021, 4, 1)), TODAY, date(2025, 3, 31)
    milestones, links = [], []
    for k in range(size):
        chain, step = divmod(k, size // chains)
        due = today + timedelta(days=7 + step // 5)
        late = {"forecast": today + timedelta(days=365), "forecast_reason": "supplier"}
        milestones.append(
            PlannedMilestone(f"C{chain}-{step:04d}", f"Step {step}", "GOV", "", "point", None,
                             due, "not_started", **({} if step else late))  # type: ignore[arg-type]
        )  # fmt: skip
        if step:
            links.append(PlannedDependency(f"C{chain}-{step - 1:04d}", f"C{chain}-{step:04d}"))
    ends = [m.ref for m in milestones if m.ref.endswith(f"-{size // chains - 1:04d}")]
    milestones.append(
        PlannedMilestone("GO-LIVE", "Go-live", "GOV", "", "point", None, go_live, "not_started")
    )
    links += [PlannedDependency(ref, "GO-LIVE") for ref in ends]
    builds, reads, longest = [], [], 0
    for _ in range(3):
        started = time.perf_counter()
        forecast = forecast_programme(
            milestones, links, go_live_ref="GO-LIVE", go_live_target=go_live, today=today,
            calendar=cal,
        )  # fmt: skip
        built = time.perf_counter()
        longest = max(len(f.why) for f in forecast.milestones.values() if f.explanation)
        builds.append((built - started) * 1000)
        reads.append((time.perf_counter() - built) * 1000)
    return min(builds), min(reads), longest


FIGURES = ("dashboard", "dashboard cpu", "dashboard gc", "api", "api cpu", "api gc")


def measure(url: str, size: int, runs: int, profile: str | None) -> dict[str, list[float]]:
    """Each request's time (ms), CPU time and time in the garbage collector, by FIGURES."""
    from tracker import create_app

    prepared = prepare(url, size)
    app = create_app(
        {
            "TRACKER_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "TRACKER_TODAY": TODAY,
            "WTF_CSRF_ENABLED": False,
        }
    )
    collect_between_requests(app)  # as wsgi.py does once the app is made
    slug = prepared.slug
    # The lead with the most open milestones, so every run completes a new one.
    candidates = [_open_milestones(app, slug, lead) for lead in prepared.lead_emails]
    user_id, refs, token = max(candidates, key=lambda c: len(c[1]))
    needed = 2 * (runs + 2)
    if len(refs) < needed:
        raise SystemExit(f"only {len(refs)} open milestones for one lead; need {needed}")
    todo: Iterator[str] = iter(refs)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    headers = {"Authorization": f"Bearer {token}"}
    completion = {"completed_on": TODAY.isoformat(), "evidence_text": "Signed off"}
    assert client.get(f"/p/{slug}/").status_code == 200  # templates compiled, caches filled
    assert client.get("/api/v1/programmes", headers=headers).status_code == 200  # token used

    def change_then_dashboard() -> None:
        ref = next(todo)
        form = {**completion, "version": _version(app, slug, ref)}
        response = client.post(f"/p/{slug}/milestones/{ref}/complete", data=form)
        assert response.status_code == 302, (ref, response.status_code)

    def dashboard() -> Any:
        response = client.get(f"/p/{slug}/")
        assert response.status_code == 200, response.status_code
        return response

    def api_completion_body() -> Callable[[], Any]:
        ref = next(todo)
        body = {**completion, "version": _version(app, slug, ref)}

        def post() -> Any:
            path = f"/api/v1/programmes/{slug}/milestones/{ref}/complete"
            response = client.post(path, json=body, headers=headers)
            assert response.status_code == 200, (ref, response.status_code, response.json)
            assert response.json["ref"] == ref and response.json["status"] == "complete"
            return response

        return post

    collector = Gc()
    gc.callbacks.append(collector)
    try:
        found: dict[str, list[float]] = {key: [] for key in FIGURES}
        for k in range(runs + 1):  # the first of each is a warm-up
            change_then_dashboard()
            for request, name in ((dashboard, "dashboard"), (api_completion_body(), "api")):
                collector.seconds = 0.0
                started, cpu = time.perf_counter(), time.process_time()
                response = request()
                if k:
                    found[name].append((time.perf_counter() - started) * 1000)
                    found[f"{name} cpu"].append((time.process_time() - cpu) * 1000)
                    found[f"{name} gc"].append(collector.seconds * 1000)
                # As gunicorn does once the last byte is sent: the response's close, where
                # the app runs its full garbage collections (tracker/memory.py).
                response.close()
        if profile:
            change_then_dashboard()
            request = dashboard if profile == "dashboard" else api_completion_body()
            profiler = cProfile.Profile()
            profiler.runcall(request).close()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
            print(out.getvalue())
    finally:
        gc.callbacks.remove(collector)
    with app.app_context():
        from tracker.extensions import db

        db.engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,5000", help="milestones, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", choices=["dashboard", "api"])
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the migrations say what they run
    print(f"machine: {machine()}; today in the plan: {TODAY}; run on {date.today()}")
    print(
        "median ms of --runs requests: wall clock, CPU time in this process (the figure to "
        "trust on a busy machine), time in the garbage collector; (max) the slowest"
    )
    print(
        f"{'database':<11}{'milestones':>11}  {'dashboard':>9}{'(max)':>7}{'cpu':>6}{'gc':>5}"
        f"  {'API complete':>12}{'(max)':>7}{'cpu':>6}{'gc':>5}"
    )
    for kind in args.databases.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            with scratch_database(kind) as url:
                found = measure(url, size, args.runs, args.profile)
            line = f"{kind:<11}{size:>11,}"
            for name, width in (("dashboard", 9), ("api", 12)):
                line += f"  {statistics.median(found[name]):>{width}.0f}{max(found[name]):>7.0f}"
                line += f"{statistics.median(found[name + ' cpu']):>6.0f}"
                line += f"{statistics.median(found[name + ' gc']):>5.0f}"
            print(line, flush=True)
    size = max(int(s) for s in args.sizes.split(","))
    build, read, longest = long_chains(size)
    print(
        f'forecast of {size:,} milestones in 10 chains ({longest} long "why" chains): '
        f"{build:.0f} ms, then {read:.0f} ms to read every explanation"
    )


if __name__ == "__main__":
    main()
