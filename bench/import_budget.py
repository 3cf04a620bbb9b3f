"""The import's budgets (issue 16, part 8): a hostile workbook, and a real big plan.

    .venv/bin/python bench/import_budget.py [--rows 50000] [--columns 20] [--milestones 2000]

Builds a scratch SQLite database, migrates it and generates one synthetic programme
(--milestones, about 2.5 links each). Then, signed in as its admin, it uploads through the
import page (the Flask test client, so reading, checking and rendering all count):

1. the hostile workbook of the issue, written with openpyxl's write_only mode: a Milestones
   sheet of --rows rows (50,000) under headings in --columns columns (20), so 1,000,000
   cells, every one filled (about 2 MB; 11 problems a row, 549,989 in all, as in the issue),
   or with --sparse one a row (about 256 KB; 5 problems a row);
2. the programme's own export (the real big plan, every sheet), which must reach the preview.

For each it prints the wall-clock time, the growth of the process's peak resident memory
(resource.getrusage: what the worker would need on top of what it already holds; the
hostile file goes first, so the real plan's growth is only what it needs beyond that) and the
outcome: the message, the number of problems listed, or the preview; then uploads each again
under tracemalloc for the peak of Python's allocations (slower: it traces each one).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2022, 4, 4)


def hostile_workbook(rows: int, columns: int, filled: bool = False) -> bytes:
    """A Milestones sheet of `rows` rows (headings included), `columns` wide."""
    from openpyxl import Workbook

    from tracker.domain.plan_sheets import MILESTONES

    book = Workbook(write_only=True)
    ws = book.create_sheet("Milestones")
    headings = [*MILESTONES.headings, *(f"Extra {n}" for n in range(columns))][:columns]
    ws.append(headings)
    junk = ["x"] * (columns if filled else 1)
    for _ in range(rows - 1):
        ws.append(junk)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measured(run: Callable[[], Any], trace: bool) -> tuple[Any, float, float, float | None]:
    """What `run` returned, its seconds, peak RSS growth in MB, and tracemalloc's peak."""
    before = peak_rss_mb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    return result, seconds, peak_rss_mb() - before, traced


def outcome(response: Any) -> str:
    """What the page said: the refusal, the problems listed, or where it redirected."""
    from bs4 import BeautifulSoup

    if response.status_code == 302:
        return f"302 to {response.location}"
    html = BeautifulSoup(response.data, "html.parser")
    said = []
    error = html.find(id="file-error")
    if error is not None:
        said.append(error.get_text(" ", strip=True))
    table = html.find(id="problems")
    if table is not None:
        said.append(f"{len(table.find('tbody').find_all('tr')):,} problems listed")
    more = html.find(id="more-problems")
    if more is not None:
        said.append(more.get_text(" ", strip=True))
    return f"{response.status_code}, {len(response.data) / 1024:,.0f} KB: " + "; ".join(said)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--sparse", action="store_true", help="fill one cell of each row")
    parser.add_argument("--milestones", type=int, default=2000)
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced runs")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.extensions import db
    from tracker.services.accounts import user_by_email
    from tracker.services.synthetic import generate_programme

    scratch = tempfile.TemporaryDirectory()
    url = f"sqlite:///{os.path.join(scratch.name, 'bench.sqlite')}"
    app = create_app(
        {
            "TRACKER_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "TRACKER_TODAY": TODAY,
            "PLAN_IMPORT_DIR": os.path.join(scratch.name, "imports"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    slug = "bench-import"
    with app.app_context():
        upgrade()
        report = generate_programme(slug=slug, milestones=args.milestones, today=TODAY)
        db.session.commit()
        admin = next(email for email, role, _ in report.account_list if role == "admin")
        admin_id = user_by_email(admin).get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = admin_id

    def upload(data: bytes, name: str) -> Any:
        return client.post(
            f"/p/{slug}/import",
            data={"file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {date.today():%d %B %Y}"
    )
    hostile = hostile_workbook(args.rows, args.columns, filled=not args.sparse)
    print(
        f"hostile workbook: {args.rows:,} rows x {args.columns} columns = "
        f"{args.rows * args.columns:,} cells, {'one a row' if args.sparse else 'all'} filled, "
        f"{len(hostile) / 1024:,.0f} KB"
    )
    export = client.get(f"/p/{slug}/export.xlsx")
    assert export.status_code == 200, export.status_code
    print(
        f"real plan: the export of {args.milestones:,} milestones, "
        f"{len(export.data) / 1024:,.0f} KB"
    )
    small = client.get(f"/p/{slug}/export.csv?sheet=status-updates").data
    upload(small, "warm-up.csv")  # templates compiled, modules imported
    client.post(f"/p/{slug}/import/cancel")
    cases = (
        ("hostile workbook", hostile, "hostile.xlsx"),
        ("real big plan", export.data, "plan.xlsx"),
    )
    for label, data, name in cases:
        response, seconds, rss, _ = measured(partial(upload, data, name), trace=False)
        client.post(f"/p/{slug}/import/cancel")
        print(f"{label}: {seconds:.2f} s, peak RSS +{rss:,.0f} MB")
        print(f"  {outcome(response)}")
    for label, data, name in () if args.no_tracemalloc else cases:
        _, seconds, _, traced = measured(partial(upload, data, name), trace=True)
        client.post(f"/p/{slug}/import/cancel")
        print(f"{label}, traced: {seconds:.2f} s, peak allocated {traced:,.0f} MB")
    scratch.cleanup()


if __name__ == "__main__":
    main()
