"""Time to make the board pack's PDF for a large synthetic programme.

    .venv/bin/python bench/board_pack.py [--milestones 2000] [--runs 3] [--database URL]
                                         [--keep FILE]

Builds a scratch SQLite database (or uses --database), generates one synthetic programme (as
bench/server.py's `prepare` does), then times, wall clock and CPU (time.process_time): the
first PDF through the Flask test client (the schedule risk analysis is worked out then, at
the tracker's default iterations, as the pack never prints "being worked out"), then each
step as the best and median of --runs: gathering the pack from the services, rendering its
HTML, WeasyPrint making the PDF, and the whole download again. --keep FILE writes the PDF.
The target is under 10 seconds (docs/board-pack.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2022, 4, 4)


def measured(work: Callable[[], object]) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def runs(n: int, work: Callable[[], object]) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(n):
        wall, cpu, result = measured(work)
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--milestones", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a scratch SQLite file)")
    parser.add_argument("--keep", type=Path, help="a file to write the PDF to")
    args = parser.parse_args()

    from flask import g
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Programme
    from tracker.services import board_pack
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
        report = generate_programme(slug=slug, milestones=args.milestones, today=TODAY)
        db.session.commit()
        member = next(email for email, role, _ in report.account_list if role == "board")
        with client.session_transaction() as session:
            session["_user_id"] = user_by_email(member).get_id()
        programme_id = report.programme_id

    path = f"/p/{slug}/board-pack.pdf"

    def download() -> bytes:
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        return bytes(response.data)

    first_wall, first_cpu, first = measured(download)
    assert isinstance(first, bytes)

    with app.test_request_context(f"/p/{slug}/board-pack"):
        programme = db.session.get(Programme, programme_id)
        assert programme is not None

        def gather() -> board_pack.BoardPack:
            g.pop("schedules", None)  # the process's schedule cache is kept, as between requests
            return board_pack.gather(programme, prepared_by="Bench")

        gather_wall, gather_cpu, pack = runs(args.runs, gather)
        assert isinstance(pack, board_pack.BoardPack)
        html_wall, html_cpu, html = runs(args.runs, lambda: board_pack.document_html(pack))
        pdf_wall, pdf_cpu, made = runs(args.runs, lambda: board_pack.pdf(pack))
        assert isinstance(made, bytes) and isinstance(html, str)
    whole_wall, whole_cpu, _ = runs(args.runs, download)
    if args.keep:
        args.keep.write_bytes(first)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, database {url.split(':')[0]}, {time.strftime('%Y-%m-%d')}"
    )
    gantt = pack.gantt
    drawn = f", chart {gantt.shown} of {gantt.total} milestones" if gantt else ""
    print(f"plan: {args.milestones:,} milestones{drawn}; PDF {len(first) / 1024:,.0f} KB")
    print(f"{'step':<46}{'best s':>8}{'median s':>10}{'CPU best s':>12}")
    first_name = "first PDF download (analysis worked out)"
    print(f"{first_name:<46}{first_wall:>8.2f}{'':>10}{first_cpu:>12.2f}")
    for name, walls, cpus in (
        ("gather the pack (services)", gather_wall, gather_cpu),
        ("render its HTML", html_wall, html_cpu),
        ("make the PDF (WeasyPrint)", pdf_wall, pdf_cpu),
        ("PDF download again (GET /board-pack.pdf)", whole_wall, whole_cpu),
    ):
        print(f"{name:<46}{min(walls):>8.2f}{statistics.median(walls):>10.2f}{min(cpus):>12.2f}")


if __name__ == "__main__":
    main()
