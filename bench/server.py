"""What the HTTP benchmarks and the load test share: a scratch database holding a synthetic
programme, gunicorn serving it on 127.0.0.1, and a small HTTP client that signs in.

Nothing here is imported by the app or the tests. PostgreSQL scratch databases are made on
the server named by BENCH_POSTGRES_URL (default: TEST_DATABASE_URL, else the local
postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from pathlib import Path
from typing import IO
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2022, 4, 4)  # the synthetic programmes stand at the seed's Monday
PASSWORD = "bench-password-2022"  # noqa: S105 (scratch accounts on a scratch database)
SLUG = "synthetic-1"
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0.95 for p95) of a list of numbers."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):  # not Linux: the model stays unknown
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({cpu or 'CPU unknown'}), "
        f"Python {platform.python_version()}, {date.today().isoformat()}"
    )


# --- scratch databases ----------------------------------------------------------------------


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """A new, empty database for one run: a SQLite file, or a PostgreSQL database."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="tracker-bench-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import sqlalchemy as sa

    from config import database_url

    server = database_url(
        os.environ.get("BENCH_POSTGRES_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or LOCAL_POSTGRES
    )
    assert server is not None
    name = f"tracker_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(sa.make_url(server).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Prepared:
    url: str
    slug: str
    milestones: int
    dependencies: int
    admin_email: str
    board_email: str
    lead_emails: list[str]
    api_token: str
    seconds: float


def prepare(url: str, milestones: int, *, programmes: int = 1) -> Prepared:
    """Migrate the database and generate `programmes` synthetic programmes of `milestones`
    each (the first is the one measured), with accounts whose password is PASSWORD and an API
    token for the first programme's admin."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Dependency
    from tracker.services import api_tokens
    from tracker.services.accounts import user_by_email
    from tracker.services.synthetic import generate_programme

    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        reports = [
            generate_programme(
                slug=f"synthetic-{k}",
                milestones=milestones,
                today=TODAY,
                seed=k,
                password=PASSWORD,
            )
            for k in range(1, programmes + 1)
        ]
        db.session.commit()
        seconds = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))  # as autovacuum would after a bulk load
            db.session.commit()
        first = reports[0]
        links = db.session.scalar(
            select(func.count())
            .select_from(Dependency)
            .where(Dependency.programme_id == first.programme_id)
        )
        admin = next(email for email, role, _ in first.account_list if role == "admin")
        board = next(email for email, role, _ in first.account_list if role == "board")
        leads = [email for email, role, _ in first.account_list if role == "lead"]
        token = api_tokens.create_token(user_by_email(admin), "benchmark").secret
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return Prepared(url, first.slug, milestones, links or 0, admin, board, leads, token, seconds)


def raw_select_ms(url: str, slug: str, runs: int) -> list[float]:
    """Times of one plain SELECT of the programme's milestones with their dependencies (each
    milestone joined to the links into it), fetched in full through the DB-API driver."""
    import sqlalchemy as sa

    query = sa.text(
        "SELECT m.*, d.* FROM milestone m "
        "JOIN programme p ON p.id = m.programme_id "
        "LEFT JOIN dependency d ON d.successor_id = m.id "
        "WHERE p.slug = :slug"
    )
    engine = sa.create_engine(url)
    times = []
    with engine.connect() as conn:
        conn.execute(query, {"slug": slug}).fetchall()  # warm the cache, as the app's is
        for _ in range(runs):
            started = time.perf_counter()
            rows = conn.execute(query, {"slug": slug}).fetchall()
            times.append((time.perf_counter() - started) * 1000)
        assert rows
    engine.dispose()
    return times


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(
    url: str, *, workers: int = 4, extra_env: dict[str, str] | None = None
) -> Iterator[int]:
    """gunicorn serving the app on 127.0.0.1 (never another interface), as `make serve-prod`
    does; yields the port once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "TRACKER_ENV": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "TRACKER_TODAY": TODAY.isoformat(),
        "APP_BASE_URL": f"http://127.0.0.1:{port}",
        **(extra_env or {}),
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603 (our own command line)
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_for(process, port, log)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.seek(0)
            errors = [
                line
                for line in log.read().decode(errors="replace").splitlines()
                if "Traceback" in line or "[ERROR]" in line
            ]
            if errors:
                print("gunicorn logged errors:", *errors[:10], sep="\n  ", file=sys.stderr)


def _wait_for(process: subprocess.Popen[bytes], port: int, log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn stopped:\n{log.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start within 60 s") from None
            time.sleep(0.2)


# --- an HTTP client with a session -------------------------------------------------------------

HIDDEN_OR_FIELD = re.compile(r"<input\b[^>]*>", re.I)
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_fields(html: str, action: str | None = None) -> dict[str, str]:
    """The named inputs (with their values) of the form posting to `action`, or of the
    page's last form."""
    forms = re.findall(r"<form\b([^>]*)>(.*?)</form>", html, re.S | re.I)
    chosen = None
    for attributes, body in forms:
        if action is None or f'action="{action}"' in attributes:
            chosen = body
    assert chosen is not None, f"no form posting to {action}"
    fields = {}
    for tag in HIDDEN_OR_FIELD.findall(chosen):
        attrs = dict(ATTRIBUTE.findall(tag))
        if "name" in attrs and attrs.get("type") not in ("checkbox", "radio", "submit"):
            fields[attrs["name"]] = unescape(attrs.get("value", ""))
    return fields


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]
    ms: float


@dataclass
class Client:
    """One person's browser: a session cookie and (optionally) an API token. Opens a new
    connection per request, as gunicorn's sync workers close each one."""

    port: int
    cookie: str = ""
    token: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}", **self.extra}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
        finally:
            conn.close()
        ms = (time.perf_counter() - started) * 1000
        for value in reply.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return Response(reply.status, data, dict(reply.headers.items()), ms)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self.request("POST", path, form)

    def sign_in(self, email: str, password: str = PASSWORD) -> Client:
        page = self.get("/sign-in")
        fields = form_fields(page.body.decode())
        fields.update(email=email, password=password)
        done = self.post("/sign-in", fields)
        assert done.status == 302, (done.status, done.body[:300])
        location = urlsplit(done.headers.get("Location", "/")).path
        assert not location.startswith("/sign-in"), f"sign-in as {email} failed"
        return self
