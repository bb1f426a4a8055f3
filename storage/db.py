"""Engine creation: SQLite in WAL mode by default, PostgreSQL when the URL says so."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["IMMEDIATE", "is_sqlite", "make_engine"]

# Execution option that turns the next transaction into ``BEGIN IMMEDIATE`` on SQLite, so a
# writer takes the write lock up front instead of failing half-way with "database is locked".
IMMEDIATE = "sqlite_begin_immediate"
SQLITE_BUSY_TIMEOUT_MS = 15000


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _make_sqlite_engine(url, parsed.database)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", None):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def _make_sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed turn survives power loss too, not only a process kill.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        # Writers take the write lock up front. Readers issue single SELECTs, each atomic on
        # its own in WAL mode, so they skip BEGIN and its round trip.
        if connection.get_execution_options().get(IMMEDIATE, False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
