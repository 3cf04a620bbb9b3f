"""The import's three steps through gunicorn: check (upload), preview and confirm (issue 19).

    .venv/bin/python bench/import_5000.py                       # 500, 2,000 and 5,000 rows
    .venv/bin/python bench/import_5000.py --sizes 5000 --databases sqlite --formats csv

For each database (SQLite, PostgreSQL: a scratch database, dropped afterwards) and size: one
synthetic programme of that many milestones (about 2.5 links each), its plan exported by the
app's own export service, and gunicorn (2 workers, as many as this machine has cores) on
127.0.0.1 with the programme's admin signed in through the sign-in form. Each file is then
imported as a person would: the upload (read and check every row), the preview page, and
Confirm import, each timed as the whole HTTP exchange; in brackets, the CPU seconds the
server spent on it (gunicorn's workers, and PostgreSQL's backends for the scratch database,
from /proc), which other programs on a busy machine do not inflate. The plans imported, in
turn:

- unchanged: the export as it is (the preview offers nothing to confirm; the confirm is still
  timed, as it checks the file again);
- changed: every milestone's title edited;
- new: the export imported into the same programme after its milestones, links and
  baselines are deleted (in SQL, before gunicorn starts), so every row is new: 5,000
  milestones and 12,500 links at 5,000.

Files: the Milestones CSV (links in its Predecessors column), and a workbook of the export
without its Dependencies sheet (the same links again, one a row, would be 12,500 rows at
5,000 milestones, over the import's 10,000-row budget) and without Risks (never imported).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import (  # noqa: E402  (bench/ is not a package)
    SLUG,
    Client,
    Response,
    form_fields,
    gunicorn,
    machine,
    prepare,
    scratch_database,
)


def exports(url: str, slug: str) -> dict[str, bytes]:
    """The programme's Milestones CSV and workbook (see above), from the export service."""
    from sqlalchemy import select

    from tracker import create_app
    from tracker.domain.plan_sheets import DEPENDENCIES, MILESTONES, RISKS, SHEETS, export_rows
    from tracker.extensions import db
    from tracker.models import Programme
    from tracker.services import plan_sheets
    from tracker.spreadsheets import files

    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        programme = db.session.scalars(select(Programme).filter_by(slug=slug)).one()
        plan = plan_sheets.plan_records(programme)
        sheets = [
            (sheet, export_rows(sheet, plan.for_sheet(sheet)))
            for sheet in SHEETS
            if sheet not in (DEPENDENCIES, RISKS)
        ]
        workbook = files.workbook(sheets, title=programme.name)
        milestones = files.csv_file(MILESTONES, export_rows(MILESTONES, plan.milestones))
        db.session.remove()
        db.engine.dispose()
    return {"csv": milestones, "xlsx": workbook}


def retitled(data: bytes, edit: str) -> bytes:
    """The Milestones CSV with `edit` added to every title."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    title = rows[0].index("Title")
    for row in rows[1:]:
        row[title] += edit
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def retitled_workbook(data: bytes, edit: str) -> bytes:
    """The workbook with `edit` added to every milestone's title."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    ws = book["Milestones"]
    title = [c.value for c in ws[1]].index("Title") + 1
    for (cell,) in ws.iter_rows(min_row=2, min_col=title, max_col=title):
        cell.value = f"{cell.value}{edit}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def emptied(url: str, programme_slug: str) -> None:
    """Delete the programme's milestones and what hangs on them, in SQL (a benchmark's
    scratch database only: the app itself never deletes like this)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        pid = conn.execute(
            sa.text("SELECT id FROM programme WHERE slug = :s"), {"s": programme_slug}
        ).scalar_one()
        for statement in (
            "DELETE FROM baseline_item WHERE milestone_id IN "
            "(SELECT id FROM milestone WHERE programme_id = :p)",
            "DELETE FROM risk_milestone WHERE milestone_id IN "
            "(SELECT id FROM milestone WHERE programme_id = :p)",
            "DELETE FROM decision_milestone WHERE milestone_id IN "
            "(SELECT id FROM milestone WHERE programme_id = :p)",
            "DELETE FROM dependency WHERE programme_id = :p",
            "UPDATE programme SET current_baseline_id = NULL WHERE id = :p",
            "DELETE FROM baseline WHERE programme_id = :p",
            "DELETE FROM milestone WHERE programme_id = :p",
        ):
            conn.execute(sa.text(statement), {"p": pid})
        # As any change does, so that no worker keeps a schedule of the deleted plan.
        version = secrets.token_hex(8)
        conn.execute(
            sa.text("UPDATE programme SET plan_version = :v WHERE id = :p"),
            {"v": version, "p": pid},
        )
    engine.dispose()


def posted(client: Client, path: str, body: bytes, content_type: str) -> Response:
    """A POST with a body of its own (server.Client posts forms only)."""
    headers = {
        "Host": f"127.0.0.1:{client.port}",
        "Cookie": client.cookie,
        "Content-Type": content_type,
    }
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=120)
    try:
        conn.request("POST", path, body=body, headers=headers)
        reply = conn.getresponse()
        data = reply.read()
    finally:
        conn.close()
    ms = (time.perf_counter() - started) * 1000
    for value in reply.headers.get_all("Set-Cookie") or []:
        if value.startswith("session="):
            client.cookie = value.split(";", 1)[0]
    return Response(reply.status, data, dict(reply.headers.items()), ms)


def upload(client: Client, slug: str, name: str, data: bytes) -> Response:
    """The upload form posted as a browser posts it (multipart/form-data)."""
    page = client.get(f"/p/{slug}/import")
    fields = form_fields(page.body.decode())
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
        if key != "file"
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return posted(client, f"/p/{slug}/import", body, f"multipart/form-data; boundary={boundary}")


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(*marks: str) -> float:
    """CPU time (user and system) of every process whose command line holds one of `marks`:
    gunicorn's workers (by their port) and PostgreSQL's backends for the scratch database.
    Unlike the wall clock, it does not count the time other programs on a busy machine take."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if any(mark in command for mark in marks):
                # Fields 14 and 15 of stat, after the command name (which may hold spaces).
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                total += int(stat[11]) + int(stat[12])
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
    return total / TICKS


@dataclass
class Step:
    seconds: float  # the whole HTTP exchange
    cpu: float  # the server's CPU seconds for it (gunicorn, and PostgreSQL)


def timed(marks: tuple[str, ...], send: Callable[[], Response]) -> tuple[Response, Step]:
    before = cpu_seconds(*marks)
    response = send()
    return response, Step(response.ms / 1000, cpu_seconds(*marks) - before)


def steps(
    client: Client, name: str, data: bytes, marks: tuple[str, ...], *, confirm: bool = True
) -> tuple[Step, Step, Step, int]:
    """The upload, the preview and the confirm (or the cancel), and the preview's bytes."""
    checked, check = timed(marks, lambda: upload(client, SLUG, name, data))
    assert checked.status == 302, (checked.status, checked.body[-3000:])
    page, preview = timed(marks, lambda: client.get(f"/p/{SLUG}/import/preview"))
    assert page.status == 200, page.status
    fields = {"csrf_token": form_fields(page.body.decode())["csrf_token"]}  # any form
    step = "confirm" if confirm else "cancel"
    done, last = timed(marks, lambda: client.post(f"/p/{SLUG}/import/{step}", fields))
    assert done.status == 302, (done.status, done.body[-3000:])
    return check, preview, last, len(page.body)


def report(
    client: Client, marks: tuple[str, ...], where: tuple[str, int, str, str], data: bytes
) -> None:
    kind, size, fmt, plan = where
    check, preview, confirm, page = steps(client, f"plan.{fmt}", data, marks)
    print(
        f"{kind:10} {size:>5} {fmt:4} {plan:9} "
        + " ".join(f"{s.seconds:>6.2f} ({s.cpu:4.2f})" for s in (check, preview, confirm))
        + f" {page / 1024:>10,.0f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(machine())
    print(
        "seconds of each step's HTTP exchange, and (in brackets) the server's CPU seconds for it\n"
        f"{'database':10} {'rows':>5} {'file':4} {'plan':9} {'check':>13} {'preview':>13} "
        f"{'confirm':>13} {'preview KB':>10}"
    )
    for kind in args.databases:
        for size in args.sizes:
            with scratch_database(kind) as url, tempfile.TemporaryDirectory() as kept:
                ready = prepare(url, size)
                assert ready.slug == SLUG
                files = exports(url, ready.slug)
                env = {"PLAN_IMPORT_DIR": kept}
                with gunicorn(url, workers=args.workers, extra_env=env) as port:
                    marks = (f"127.0.0.1:{port}", make_url(url).database or "-")
                    client = Client(port).sign_in(ready.admin_email)
                    for _ in range(args.workers):  # every worker: modules and templates loaded
                        for fmt in args.formats:
                            steps(client, f"plan.{fmt}", files[fmt], marks, confirm=False)
                    for fmt in args.formats:
                        report(client, marks, (kind, size, fmt, "unchanged"), files[fmt])
                    for fmt in args.formats:
                        edit = f" (revised in {fmt})"
                        if fmt == "csv":
                            changed = retitled(files[fmt], edit)
                        else:
                            changed = retitled_workbook(files[fmt], edit)
                        report(client, marks, (kind, size, fmt, "changed"), changed)
                    for fmt in args.formats:
                        emptied(url, SLUG)
                        report(client, marks, (kind, size, fmt, "new"), files[fmt])


if __name__ == "__main__":
    main()
