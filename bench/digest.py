"""Time to generate the weekly digest for 500 recipients of a 2,000-milestone programme.

    .venv/bin/python bench/digest.py [--milestones 2000] [--recipients 500] [--runs 3]
                                     [--database URL] [--sqlite-only]

On a scratch SQLite file, and on PostgreSQL too when --database, TEST_DATABASE_URL or
DATABASE_URL names one (in a scratch schema, dropped afterwards): migrates, generates one
synthetic programme (tracker.services.synthetic, as `flask seed synthetic` does), leaves last
week's digest snapshot (so "forecasts that moved" has something to say), and bulk-inserts
accounts until the programme has --recipients people due a digest: a fifth of the new ones
lead a workstream (their digest is personalised), the rest are board members.

Then, --runs times after one warm-up, it does what `send_week` does before it talks to the
relay: `recipients()`, `programme_week()` once, and `for_person()` (personalise, render HTML
and text, inline the CSS) for each recipient. SMTP time is excluded. It also times one whole
`send_week` with a relay that accepts at once, which adds building each message (MIME,
quoted-printable) and the ledger's two commits per person.
Target (the digest issue): the 500 digests in under 20 s.
"""

from __future__ import annotations

import argparse
import email.policy
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2022, 4, 4)  # a Monday; the digest for this week is "as at" today
TARGET_SECONDS = 20.0
SMTP_POLICY = email.policy.SMTP


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class NullRelay:
    """smtplib.SMTP that accepts every message at once: it turns it into bytes, as smtplib
    does before sending, and throws them away."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def starttls(self) -> None:
        pass

    def login(self, *args: Any) -> None:
        pass

    def send_message(self, msg: Any) -> dict[str, Any]:
        msg.as_bytes(policy=SMTP_POLICY)
        return {}

    def quit(self) -> None:
        pass

    def close(self) -> None:
        pass


def add_recipients(programme: Any, wanted: int) -> int:
    """Bulk-insert people and accounts (no password) until `wanted` people get the digest."""
    from sqlalchemy import insert, select

    from tracker.extensions import db
    from tracker.models import Person, User, Workstream, WorkstreamLead
    from tracker.models.base import utcnow
    from tracker.services.digest_content import recipients

    missing = wanted - len(recipients(programme))
    if missing <= 0:
        return 0
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    tag = programme.slug
    people = [
        {"name": f"Reader {k:04d}", "email": f"reader-{k:04d}-{tag}@example.org", **stamp}
        for k in range(missing)
    ]
    db.session.execute(insert(Person), people)
    ids = dict(
        db.session.execute(
            select(Person.email, Person.id).where(Person.email.like(f"reader-%-{tag}@example.org"))
        ).all()
    )
    person_ids = [ids[p["email"]] for p in people]
    leads = set(person_ids[::5])
    db.session.execute(
        insert(User),
        [
            {
                "person_id": pid,
                "role": "lead" if pid in leads else "board",
                "password_hash": None,
                **stamp,
            }
            for pid in person_ids
        ],
    )
    workstream_ids = list(
        db.session.scalars(
            select(Workstream.id)
            .where(Workstream.programme_id == programme.id)
            .order_by(Workstream.id)
        )
    )
    db.session.execute(
        insert(WorkstreamLead),
        [
            {
                "workstream_id": workstream_ids[k % len(workstream_ids)],
                "person_id": pid,
                "position": 2,
            }
            for k, pid in enumerate(sorted(leads))
        ],
    )
    db.session.commit()
    return missing


def bench(url: str, label: str, args: argparse.Namespace) -> dict[str, Any]:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import DigestSnapshot, Programme
    from tracker.services import digest_delivery
    from tracker.services.digest_content import for_person, programme_week, recipients
    from tracker.services.digest_delivery import send_week
    from tracker.services.synthetic import generate_programme

    app = create_app(
        {"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "TRACKER_TODAY": TODAY}
    )
    figures: dict[str, Any] = {"database": label}
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        slug = f"bench-digest-{args.milestones}"
        report = generate_programme(slug=slug, milestones=args.milestones, today=TODAY)
        db.session.commit()
        programme = db.session.get(Programme, report.programme_id)
        assert programme is not None
        added = add_recipients(programme, args.recipients)
        # Last week's digest, so this week's compares with something, as it would in use.
        last_week = programme_week(programme, TODAY - timedelta(days=7))
        assert last_week is not None
        db.session.add(
            DigestSnapshot(
                programme_id=programme.id,
                week_start=TODAY - timedelta(days=7),
                data=last_week.snapshot,
            )
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))  # as autovacuum would after a bulk load
            db.session.commit()
        print(
            f"{label}: generated {args.milestones:,} milestones, added {added} accounts "
            f"in {time.perf_counter() - started:.1f} s"
        )

        totals, weeks, people_times, per_recipient = [], [], [], []
        html_sizes, text_sizes = [], []
        lists = ""
        for run in range(args.runs + 1):  # run 0 warms up: templates compiled
            db.session.expire_all()
            began = time.perf_counter()
            people = recipients(programme)
            found = time.perf_counter()
            week = programme_week(programme, TODAY)
            assert week is not None
            worked_out = time.perf_counter()
            each = []
            for person in people:
                t = time.perf_counter()
                rendered = for_person(week, person)
                each.append(time.perf_counter() - t)
                if run == 0:
                    html_sizes.append(len(rendered.html.encode()))
                    text_sizes.append(len(rendered.text.encode()))
            finished = time.perf_counter()
            assert len(people) == args.recipients, (len(people), args.recipients)
            d = week.digest
            lists = (
                f"{len(d.overdue)} overdue, {len(d.due_next_two_weeks)} due in two weeks, "
                f"{len(d.completed_last_week)} completed last week, "
                f"{len(d.forecast_moved)} forecasts moved, {len(d.workstreams)} workstreams"
            )
            if run == 0:
                continue
            totals.append(finished - began)
            people_times.append(found - began)
            weeks.append(worked_out - found)
            per_recipient.extend(each)

        # One whole send with a relay that accepts at once: the ledger's writes included.
        with mock.patch.object(digest_delivery.smtplib, "SMTP", NullRelay):
            began = time.perf_counter()
            sent = send_week(programme, TODAY)
            send_seconds = time.perf_counter() - began
        assert sent.ok and len(sent.sent) == args.recipients, sent.summary()
        db.session.remove()
    with app.app_context():
        db.engine.dispose()

    figures.update(
        recipients=args.recipients,
        total=statistics.median(totals),
        total_max=max(totals),
        recipients_query=statistics.median(people_times),
        programme_week=statistics.median(weeks),
        per_median=statistics.median(per_recipient),
        per_p95=percentile(per_recipient, 0.95),
        html_kb=statistics.mean(html_sizes) / 1024,
        text_kb=statistics.mean(text_sizes) / 1024,
        lists=lists,
        send_week=send_seconds,
    )
    return figures


def scratch_schema(url: str) -> tuple[str, Any]:
    """A fresh schema on the PostgreSQL server at `url`, and a function that drops it."""
    import sqlalchemy as sa

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    schema = f"bench_digest_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--milestones", type=int, default=2000)
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="timed runs after one warm-up")
    parser.add_argument(
        "--database", help="PostgreSQL URL (default: TEST_DATABASE_URL, DATABASE_URL)"
    )
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()

    from config import database_url

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        results.append(bench(f"sqlite:///{os.path.join(scratch, 'bench.sqlite')}", "SQLite", args))
    postgres = database_url(
        args.database or os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    )
    if postgres and not args.sqlite_only:
        url, drop = scratch_schema(postgres)
        try:
            results.append(bench(url, "PostgreSQL", args))
        finally:
            drop()

    print(
        f"\n{'database':<12}{'total s':>9}{'max s':>8}{'recipients() s':>16}"
        f"{'programme_week s':>18}{'per person ms':>15}{'p95 ms':>8}{'send_week s':>13}"
    )
    for r in results:
        print(
            f"{r['database']:<12}{r['total']:>9.2f}{r['total_max']:>8.2f}"
            f"{r['recipients_query']:>16.3f}{r['programme_week']:>18.3f}"
            f"{r['per_median'] * 1000:>15.1f}{r['per_p95'] * 1000:>8.1f}{r['send_week']:>13.2f}"
        )
    first = results[0]
    print(
        f"\nEach email: HTML {first['html_kb']:.0f} KB, text {first['text_kb']:.0f} KB on "
        f"average; it lists {first['lists']}."
    )
    worst = max(r["total"] for r in results)
    verdict = "met" if worst < TARGET_SECONDS else "MISSED"
    print(
        f"Target {verdict}: {args.recipients} digests in {worst:.1f} s "
        f"(target {TARGET_SECONDS:.0f} s)."
    )


if __name__ == "__main__":
    main()
