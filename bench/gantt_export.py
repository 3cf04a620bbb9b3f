"""Time to draw the Gantt chart as SVG and as PNG on the server, for a large synthetic plan.

    .venv/bin/python bench/gantt_export.py [--milestones 2000] [--runs 5] [--database URL]
                                           [--keep DIR]

Builds a scratch SQLite database (or uses --database), generates one synthetic programme,
then times, each as the median of --runs after a warm-up: drawing the SVG from the schedule's
rows (tracker.domain.gantt_svg), converting it to PNG (tracker.services.gantt_export), and
the two downloads through the Flask test client, first with nothing cached and then again
(the SVG is kept with the page's fragments, the PNG by the process that made it).
--keep DIR writes the two files there to look at.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2022, 4, 4)


def timed(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    """Median milliseconds of `runs` calls after one warm-up, and the last result."""
    result = work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--milestones", type=int, default=2000)
    parser.add_argument("--links", type=float, default=2.0, help="links per milestone")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a scratch SQLite file)")
    parser.add_argument("--keep", type=Path, help="a folder to write the SVG and PNG to")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.domain import gantt, gantt_svg
    from tracker.extensions import db
    from tracker.models import Programme
    from tracker.services import board, gantt_export
    from tracker.services.accounts import user_by_email
    from tracker.services.synthetic import generate_programme

    scratch = tempfile.TemporaryDirectory()
    url = args.database or f"sqlite:///{os.path.join(scratch.name, 'bench.sqlite')}"
    app = create_app(
        {"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "TRACKER_TODAY": TODAY}
    )
    client = app.test_client()
    with app.app_context():
        upgrade()
        slug = f"bench-{args.milestones}-{int(time.time())}"  # fresh even in a shared database
        report = generate_programme(
            slug=slug, milestones=args.milestones, today=TODAY, links_per_milestone=args.links
        )
        db.session.commit()
        member = next(email for email, role, _ in report.account_list if role == "board")
        with client.session_transaction() as session:
            session["_user_id"] = user_by_email(member).get_id()

        programme = db.session.get(Programme, report.programme_id)
        assert programme is not None
        schedule = board.schedule_for(programme)
        assert schedule is not None
        forecast = schedule.forecast
        workstreams = board.workstreams(programme, include_retired=True)
        rows = gantt.gantt_rows(
            forecast.milestones.values(),
            schedule.planned(),
            schedule.baseline_starts,
            [ws.code for ws in workstreams],
        )

        def draw() -> str:
            return gantt_svg.gantt_svg(
                rows,
                {ws.code: ws.name for ws in workstreams},
                programme=programme.name,
                today=forecast.today,
                go_live_target=forecast.go_live_target,
                forecast_go_live=forecast.forecast_go_live,
                workstream_rags=forecast.workstream_rags,
            )

        svg_ms, svg = timed(args.runs, draw)
        assert isinstance(svg, str)

        def convert() -> bytes:
            gantt_export.forget()  # each run converts afresh
            return gantt_export.png(svg)

        png_ms, png = timed(args.runs, convert)
        cached_ms, _ = timed(args.runs, lambda: gantt_export.png(svg))
        assert isinstance(png, bytes)
        width, height = gantt_export.svg_size(svg)
        png_width, png_height = struct.unpack(">II", png[16:24])

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, database {url.split(':')[0]}, {time.strftime('%Y-%m-%d')}"
    )
    print(f"plan: {len(rows):,} milestones in {len(workstreams)} workstreams")
    print(f"SVG: {width:.0f} x {height:.0f} px, {len(svg) / 1024:,.0f} KB")
    print(
        f"PNG: {png_width} x {png_height} px "
        f"(scale {gantt_export.png_scale(width, height):.2f}), {len(png) / 1024:,.0f} KB"
    )
    print(f"{'step':<34}{'median ms':>10}")
    print(f"{'draw the SVG (domain)':<34}{svg_ms:>10.0f}")
    print(f"{'convert it to PNG (CairoSVG)':<34}{png_ms:>10.0f}")
    print(f"{'the same PNG again (kept)':<34}{cached_ms:>10.0f}")

    for name in ("gantt.svg", "gantt.png"):
        path = f"/p/{slug}/{name}"
        with app.app_context():
            from tracker.services.fragments import fragments

            fragments.clear()
        gantt_export.forget()
        started = time.perf_counter()
        response = client.get(path)
        first = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code)
        again, _ = timed(args.runs, lambda path=path: client.get(path))
        print(f"{'GET /' + name + ', first (no cache)':<34}{first:>10.0f}")
        print(f"{'GET /' + name + ', again':<34}{again:>10.0f}")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / name).write_bytes(response.data)
    scratch.cleanup()


if __name__ == "__main__":
    main()
