"""Flask extensions, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
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
