"""Render time of the dashboard and Gantt pages for a large synthetic programme.

    .venv/bin/python bench/board_pages.py [--milestones 2000] [--runs 15] [--database URL]

Builds a scratch SQLite database (or uses --database), migrates it, generates one synthetic
programme (2,000 milestones and about 5,000 dependencies by default), then renders each page
through the Flask test client: median and 95th percentile of --runs requests after one
warm-up, and the size of the HTML (the Gantt's data rides inside it). Target (issue 4):
both pages under 300 ms median, the Gantt page under 2 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from server import percentile  # noqa: E402  (bench/ is not a package)

TODAY = date(2022, 4, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--milestones", type=int, default=2000)
    parser.add_argument("--links", type=float, default=2.5, help="links per milestone")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a scratch SQLite file)")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Dependency
    from tracker.services.synthetic import generate_programme

    scratch = tempfile.TemporaryDirectory()
    url = args.database or f"sqlite:///{os.path.join(scratch.name, 'bench.sqlite')}"
    app = create_app(
        {"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "TRACKER_TODAY": TODAY}
    )
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        slug = f"bench-{args.milestones}-{int(time.time())}"  # fresh even in a shared database
        report = generate_programme(
            slug=slug, milestones=args.milestones, today=TODAY, links_per_milestone=args.links
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))  # as autovacuum would after a bulk load
            db.session.commit()
        links = db.session.scalar(
            select(func.count())
            .select_from(Dependency)
            .where(Dependency.programme_id == report.programme_id)
        )
        print(
            f"generated {args.milestones:,} milestones and {links:,} dependencies "
            f"in {time.perf_counter() - started:.1f} s"
        )
        db.session.remove()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, database {url.split(':')[0]}"
    )
    print(f"{'page':<12}{'median ms':>11}{'p95 ms':>9}{'size KB':>10}")
    client = app.test_client()
    with app.app_context():  # signed in as the programme's board member, as the pages need
        from tracker.services.accounts import user_by_email

        board = next(email for email, role, _ in report.account_list if role == "board")
        with client.session_transaction() as session:
            session["_user_id"] = user_by_email(board).get_id()
    for name, path in (("dashboard", f"/p/{slug}/"), ("gantt", f"/p/{slug}/gantt")):
        response = client.get(path)  # warm-up: templates compiled, caches filled
        assert response.status_code == 200, (path, response.status_code)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:<12}{statistics.median(times):>11.0f}{percentile(times, 0.95):>9.0f}"
            f"{len(response.data) / 1024:>10.0f}"
        )
    scratch.cleanup()


if __name__ == "__main__":
    main()
