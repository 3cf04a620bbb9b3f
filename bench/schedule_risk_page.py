"""The schedule risk analysis page on the seed programme: the plan, a scenario beside it, and
the defaults page, through the Flask test client.

    .venv/bin/python bench/schedule_risk_page.py [--runs 5]

Builds a scratch SQLite database with the Kent and Medway seed and one shared scenario (PEO-09
three weeks late). For each page: the first request, which works the analysis out (for the
scenario page: the scenario's and the plan's, with the seeds 1, 2, ... so every run is a new
key), and then the same page again, served from the store. Best and median of --runs, wall
clock and CPU time (time.process_time: the machine is shared). docs/risk-analysis.md
records the figures.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN = "sarah.collins@example.org"
BASE = "/p/kent-and-medway/schedule-risk"


def timed(client: object, url: str) -> tuple[float, float]:
    """(wall, CPU) seconds for one GET, which must answer 200."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)  # type: ignore[attr-defined]
    spent = time.perf_counter() - wall, time.process_time() - cpu
    assert response.status_code == 200, (url, response.status_code)
    return spent


def line(label: str, runs: list[tuple[float, float]]) -> str:
    walls = [w * 1000 for w, _ in runs]
    cpus = [c * 1000 for _, c in runs]
    return (
        f"{label:<56} wall best {min(walls):7.1f} ms, median {statistics.median(walls):7.1f} ms;"
        f" CPU best {min(cpus):7.1f} ms, median {statistics.median(cpus):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the migrations say what they run

    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.domain.scenarios import Slip
    from tracker.extensions import db
    from tracker.models import Programme
    from tracker.services import scenarios
    from tracker.services.accounts import user_by_email, viewer_for
    from tracker.services.optimistic_locking import Seen
    from tracker.services.seeding import load_programme_dir

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TRACKER_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "SEED_DIR": str(ROOT / "seed"),
                "TRACKER_TODAY": date(2022, 4, 4),
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            load_programme_dir(ROOT / "seed" / "kent-and-medway", password="x" * 12)
            with app.test_request_context():
                office = viewer_for(user_by_email(ADMIN), "kent-and-medway")
                kent = db.session.query(Programme).filter_by(slug="kent-and-medway").one()
                made = scenarios.create_scenario(
                    office, kent, "TUPE slips", "", [Slip("PEO-09", 15)]
                )
                scenarios.share(office, made, Seen(made.version), True)
                scenario_id = made.id
            user_id = user_by_email(ADMIN).get_id()
            db.session.remove()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True

        timed(client, f"{BASE}/defaults")  # warm-up: templates, the schedule cache
        pages = {
            "the plan (5,000 iterations)": BASE + "?seed={seed}",
            "a scenario beside the plan (2 x 5,000)": BASE
            + "?seed={seed}&scenario="
            + str(scenario_id),
        }
        for label, url in pages.items():
            timed(client, url.format(seed=999))  # warm-up
            fresh, stored = [], []
            for seed in range(1, args.runs + 1):
                fresh.append(timed(client, url.format(seed=seed)))
                stored.append(timed(client, url.format(seed=seed)))
            print(line(f"{label}, worked out", fresh))
            print(line(f"{label}, from the store", stored))
        print(
            line("the defaults page", [timed(client, f"{BASE}/defaults") for _ in range(args.runs)])
        )


if __name__ == "__main__":
    main()
