"""Flask extensions, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

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


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Enforce foreign keys, and let SQLAlchemy (not pysqlite) begin transactions so
        # SAVEPOINT and rollback behave as on PostgreSQL.
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.isolation_level = None


def _sqlite_on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")


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
