"""Microsoft Project export and import for a large synthetic programme.

    .venv/bin/python bench/project_files.py [--milestones 2000] [--runs 3]

Builds a scratch SQLite database, generates one synthetic programme (as bench/server.py's
`prepare` does), then times, wall clock, the best and median of --runs: reading the
programme for Project (the service), MPXJ writing it as MSPDI (a process of its own, JVM
start included), MPXJ reading the file back (the same), and the import's check of the file
against the programme (the mapping and the spreadsheet import's checks: what the preview
and the confirm each do). The file's size is printed. There is no target in the issue; the
figures are in docs/benchmarks.md.
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


def runs(n: int, work: Callable[[], object]) -> tuple[list[float], object]:
    walls, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = work()
        walls.append(time.perf_counter() - start)
    return walls, result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--milestones", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from tracker import create_app
    from tracker.cli.common import OPERATOR
    from tracker.domain.project_data import ProjectData
    from tracker.extensions import db
    from tracker.models import Programme
    from tracker.project_files import files
    from tracker.services import project_export, project_import
    from tracker.services.synthetic import generate_programme

    scratch = tempfile.TemporaryDirectory()
    url = f"sqlite:///{os.path.join(scratch.name, 'bench.sqlite')}"
    app = create_app(
        {"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "TRACKER_TODAY": TODAY}
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        report = generate_programme(slug="bench", milestones=args.milestones, today=TODAY)
        db.session.commit()
        programme = db.session.get(Programme, report.programme_id)
        assert programme is not None
        path = Path(scratch.name) / "plan.xml"

        read_wall, plan = runs(args.runs, lambda: project_export.project_for(programme))
        assert isinstance(plan, ProjectData)
        write_wall, data = runs(args.runs, lambda: files.write_mspdi(plan))
        assert isinstance(data, bytes)
        path.write_bytes(data)
        parse_wall, back = runs(args.runs, lambda: files.read_project(path))
        assert isinstance(back, ProjectData)

        def check() -> project_import.ProjectCheck:
            return project_import.check_project_import(OPERATOR, programme, back, path.name)

        check_wall, checked = runs(args.runs, check)
        assert isinstance(checked, project_import.ProjectCheck)
        # Exported and read back: nothing to import.
        assert checked.ok and not checked.changes_anything, checked.problems[:3]

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite, {time.strftime('%Y-%m-%d')}"
    )
    print(
        f"plan: {args.milestones:,} milestones, {len(plan.links):,} links; "
        f"MSPDI file {len(data) / 1024 / 1024:,.1f} MB"
    )
    print(f"{'step':<52}{'best s':>8}{'median s':>10}")
    for name, walls in (
        ("read the programme for Project (service)", read_wall),
        ("MPXJ writes the MSPDI file (own process)", write_wall),
        ("MPXJ reads the file back (own process)", parse_wall),
        ("import's check: mapping and the sheet checks", check_wall),
    ):
        print(f"{name:<52}{min(walls):>8.2f}{statistics.median(walls):>10.2f}")


if __name__ == "__main__":
    main()
