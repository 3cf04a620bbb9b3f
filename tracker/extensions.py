"""Flask extensions, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from tracker.models import Base


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, except that an explicit bind wins.

    Tests bind the session to a connection with an open transaction and roll it back
    afterwards; Flask-SQLAlchemy's own get_bind would ignore that connection.
    """

    def get_bind(self, *args: Any, **kwargs: Any) -> Engine | Connection:
        if self.bind is not None and kwargs.get("bind") is None:
            return self.bind
        return super().get_bind(*args, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()


# How long a SQLite writer waits for another to finish before giving up ("database is
# locked"), in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Enforce foreign keys, and let SQLAlchemy (not pysqlite) begin transactions so
        # SAVEPOINT and rollback behave as on PostgreSQL.
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.isolation_level = None
        # Writers wait their turn rather than fail at once; with a write-ahead log, readers
        # and the one writer do not block each other (file databases only).
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if _is_file_database(dbapi_connection):
            # When another connection holds the database, it stays in its journal mode.
            with contextlib.suppress(sqlite3.OperationalError):
                dbapi_connection.execute("PRAGMA journal_mode=WAL")


def _is_file_database(dbapi_connection: sqlite3.Connection) -> bool:
    rows = dbapi_connection.execute("PRAGMA database_list").fetchall()
    return any(name == "main" and file for _, name, file in rows)


def _sqlite_on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # IMMEDIATE: take the write lock at the start, waiting (busy_timeout) while another
        # transaction holds it. A deferred transaction that has read and then writes cannot
        # wait: when another wrote meanwhile SQLite refuses at once ("database is locked"),
        # as waiting could deadlock. So requests take turns on SQLite (a small or local
        # database); PostgreSQL, the production database, keeps its own locking.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def configure_engines() -> None:
    """Install the SQLite fixes once per process (listeners on the Engine class)."""
    if not event.contains(Engine, "connect", _sqlite_on_connect):
        event.listen(Engine, "connect", _sqlite_on_connect)
        event.listen(Engine, "begin", _sqlite_on_begin)


def _client_address() -> str:
    from flask import request

    return request.remote_addr or "unknown"


login_manager = LoginManager()
csrf = CSRFProtect()
# Keys on the client's address as the app sees it; behind a proxy set TRUSTED_PROXIES so
# that address is the real client's, not the proxy's.
limiter = Limiter(key_func=_client_address, default_limits=[])
