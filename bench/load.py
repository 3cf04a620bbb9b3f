"""Load test: gunicorn with 4 workers on PostgreSQL, a 2,000-milestone programme, 127.0.0.1 only.

    .venv/bin/python bench/load.py                  # needs wrk (Debian: apt-get install wrk)
    .venv/bin/python bench/load.py --seconds 20 --clients 50

1. Readers: wrk keeps --clients connections busy for --seconds over the dashboard, the Gantt
   chart and the API's milestone list (bench/load.lua), each page as a signed-in board member,
   the API with a bearer token. Target: no errors (anything but a 200, a failed connection or
   a timeout) and a 99th percentile under one second.
2. Writers: --writers leads, each signed in with their own session, complete a different
   milestone at the same moment (a barrier releases the POSTs together). Then --pairs pairs
   of leads try to complete the same milestone at the same moment. Target: every milestone
   completed once, with exactly one completion in the milestones table and in the audit
   trail; of each pair, one is stored and the other is shown the conflict.

Exits non-zero when a target is missed. The database is a scratch one, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import (  # noqa: E402  (bench/ is not a package)
    TODAY,
    Client,
    Response,
    form_fields,
    gunicorn,
    machine,
    prepare,
    scratch_database,
)

HERE = Path(__file__).resolve().parent
API_LIST = "/api/v1/programmes/{}/milestones?per_page=50"


def readers(port: int, slug: str, cookie: str, token: str, clients: int, seconds: int) -> dict:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is missing: apt-get install wrk")
    command = [
        wrk,
        f"--threads={min(4, clients)}",
        f"--connections={clients}",
        f"--duration={seconds}s",
        "--timeout=10s",  # a slow answer is measured, not dropped; p99 judges it
        "--latency",
        f"--script={HERE / 'load.lua'}",
        f"http://127.0.0.1:{port}",
    ]
    env = {**os.environ, "SLUG": slug, "COOKIE": cookie, "TOKEN": token}
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    print(output)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def open_milestones(url: str, slug: str, wanted: int) -> list[tuple[int, str, str]]:
    """Open milestones (id, ref, the email of a lead who may complete it), spread over the
    workstreams, none of them the go-live milestone."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT m.id, m.ref, min(p.email) FROM milestone m "
                "JOIN programme g ON g.id = m.programme_id "
                "JOIN workstream_lead wl ON wl.workstream_id = m.workstream_id "
                "JOIN person p ON p.id = wl.person_id "
                "WHERE g.slug = :slug AND m.status != 'complete' AND m.ref != g.go_live_ref "
                "GROUP BY m.id, m.ref ORDER BY m.due_date, m.ref"
            ),
            {"slug": slug},
        ).all()
    engine.dispose()
    chosen = rows[:: max(1, len(rows) // wanted)][:wanted]
    assert len(chosen) == wanted, f"only {len(chosen)} open milestones"
    return [(r[0], r[1], r[2]) for r in chosen]


def complete_together(port: int, slug: str, jobs: list[tuple[str, str]]) -> list[Response]:
    """Each job (ref, lead's email) in its own session: open the form, then all POST at once."""
    barrier = threading.Barrier(len(jobs))

    def one(job: tuple[str, str]) -> Response:
        ref, email = job
        client = Client(port).sign_in(email)
        path = f"/p/{slug}/milestones/{ref}/complete"
        page = client.get(path)
        assert page.status == 200, (path, page.status)
        fields = form_fields(page.body.decode(), action=None)
        fields["completed_on"] = TODAY.isoformat()
        fields["evidence_text"] = f"Load test: {ref} signed off by {email}."
        barrier.wait(timeout=120)
        return client.post(path, fields)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))


def stored(url: str, ids: list[int]) -> tuple[dict[int, str], Counter[int]]:
    """Each milestone's status, and how many completions the audit trail holds for each."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        status = dict(
            conn.execute(
                sa.select(sa.column("id"), sa.column("status"))
                .select_from(sa.table("milestone"))
                .where(sa.column("id").in_(ids))
            ).all()
        )
        audited = Counter(
            row[0]
            for row in conn.execute(
                sa.text(
                    "SELECT entity_id FROM audit_event WHERE entity_type = 'Milestone' "
                    "AND field = 'status' AND new_value LIKE '%complete%'"
                )
            )
            if row[0] in ids
        )
    engine.dispose()
    return status, audited


def writers(url: str, port: int, slug: str, count: int, pairs: int) -> bool:
    chosen = open_milestones(url, slug, count + pairs)
    different, contested = chosen[:count], chosen[count:]
    ok = True

    responses = complete_together(port, slug, [(ref, email) for _, ref, email in different])
    ids = [i for i, _, _ in different]
    status, audited = stored(url, ids)
    saved = sum(r.status == 302 for r in responses)
    once = all(status[i] == "complete" and audited[i] == 1 for i in ids)
    print(
        f"{count} leads completing {count} different milestones at once: {saved} saved "
        f"(302), {sum(status[i] == 'complete' for i in ids)} complete in the milestones table, "
        f"audit completions per milestone {sorted(Counter(audited[i] for i in ids).items())}"
        f" -> {'PASS' if saved == count and once else 'FAIL'}"
    )
    ok &= saved == count and once

    if pairs:
        jobs = [(ref, email) for _, ref, email in contested for _ in range(2)]
        responses = complete_together(port, slug, jobs)
        ids = [i for i, _, _ in contested]
        status, audited = stored(url, ids)
        outcomes = Counter(
            "saved"
            if r.status == 302
            else "shown the conflict"
            if b"Someone else changed" in r.body or b"changed it since" in r.body
            else f"other ({r.status})"
            for r in responses
        )
        once = all(status[i] == "complete" and audited[i] == 1 for i in ids)
        good = outcomes["saved"] == pairs and outcomes["shown the conflict"] == pairs and once
        print(
            f"{pairs} pairs of leads completing the same milestone at once: {dict(outcomes)}; "
            f"audit completions per milestone {sorted(Counter(audited[i] for i in ids).items())}"
            f" -> {'PASS' if good else 'FAIL'}"
        )
        ok &= good
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--milestones", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with scratch_database("postgresql") as url:
        ready = prepare(url, args.milestones)
        print(
            f"{ready.milestones:,} milestones, {ready.dependencies:,} dependencies; "
            f"gunicorn with {args.workers} workers"
        )
        # The writers sign in 40 times from one address within a minute.
        limits = {
            "SIGN_IN_RATE_LIMIT": "1000 per minute",
            "SIGN_IN_ACCOUNT_RATE_LIMIT": "1000 per hour",
        }
        with gunicorn(url, workers=args.workers, extra_env=limits) as port:
            board = Client(port, token=ready.api_token).sign_in(ready.board_email)
            # As a server that has been up a while: every worker has compiled its templates
            # and worked out today's schedule before the clock starts.
            for path in (
                f"/p/{ready.slug}/",
                f"/p/{ready.slug}/gantt",
                API_LIST.format(ready.slug),
            ):
                for _ in range(5 * args.workers):
                    assert board.get(path).status == 200, path
            result = readers(
                port, ready.slug, board.cookie, ready.api_token, args.clients, args.seconds
            )
            errors = (
                result["not_200"]
                + result["connect"]
                + result["read"]
                + result["write"]
                + result["timeout"]
            )
            read_ok = errors == 0 and result["p99_ms"] < 1000
            print(
                f"{args.clients} clients for {args.seconds} s: {result['requests']:,} requests "
                f"({result['requests'] / result['seconds']:.0f}/s), {errors} errors, "
                f"p50 {result['p50_ms']:.0f} ms, p90 {result['p90_ms']:.0f} ms, "
                f"p99 {result['p99_ms']:.0f} ms, max {result['max_ms']:.0f} ms "
                f"-> {'PASS' if read_ok else 'FAIL'}"
            )
            write_ok = writers(url, port, ready.slug, args.writers, args.pairs)
    sys.exit(0 if read_ok and write_ok else 1)


if __name__ == "__main__":
    main()
