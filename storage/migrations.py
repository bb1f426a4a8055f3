"""Versioned schema migrations, applied in order and recorded in ``schema_migrations``.

Each migration is a function of a connection inside a transaction, named and numbered once and
never edited after it ships: a new change is a new migration. Concurrent starters (several
replicas on one PostgreSQL) serialise on a lock, so each migration runs exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

from storage.db import IMMEDIATE, is_sqlite

__all__ = ["MIGRATIONS", "Migration", "applied_versions", "migrate"]

# Any constant works; it only has to be the same for every replica of this app.
_PG_ADVISORY_LOCK_KEY = 0x5D1A_7E11


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _identity_column(conn: Connection) -> str:
    if conn.dialect.name == "sqlite":
        return "id INTEGER PRIMARY KEY AUTOINCREMENT"
    return "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"


def _m001_sessions_and_events(conn: Connection) -> None:
    event_id = _identity_column(conn)
    conn.execute(
        text(
            """
            CREATE TABLE sessions (
                id VARCHAR(32) PRIMARY KEY,
                owner_id VARCHAR(64) NOT NULL,
                problem_id VARCHAR(64) NOT NULL,
                minutes INTEGER NOT NULL,
                interviewer_model VARCHAR(128) NOT NULL,
                status VARCHAR(16) NOT NULL,
                created_at TIMESTAMP WITH TIME ZONE NOT NULL
            )
            """
        )
    )
    conn.execute(text("CREATE INDEX ix_sessions_owner_id ON sessions (owner_id)"))
    conn.execute(
        text(
            f"""
            CREATE TABLE session_events (
                {event_id},
                session_id VARCHAR(32) NOT NULL REFERENCES sessions (id),
                seq INTEGER NOT NULL,
                type VARCHAR(32) NOT NULL,
                at TIMESTAMP WITH TIME ZONE NOT NULL,
                data TEXT NOT NULL,
                CONSTRAINT uq_session_events_session_seq UNIQUE (session_id, seq)
            )
            """
        )
    )


def _m002_session_setup(conn: Connection) -> None:
    for column, default in (("persona", "neutral"), ("level", "senior"), ("prompt_version", "")):
        length = 64 if column == "prompt_version" else 16
        conn.execute(
            text(
                f"ALTER TABLE sessions ADD COLUMN {column} VARCHAR({length}) "
                f"NOT NULL DEFAULT '{default}'"
            )
        )


def _m003_scorecards(conn: Connection) -> None:
    row_id = _identity_column(conn)
    conn.execute(
        text(
            f"""
            CREATE TABLE scorecards (
                {row_id},
                session_id VARCHAR(32) NOT NULL REFERENCES sessions (id),
                status VARCHAR(16) NOT NULL,
                judge VARCHAR(128) NOT NULL,
                done INTEGER NOT NULL DEFAULT 0,
                total INTEGER NOT NULL,
                started_at TIMESTAMP WITH TIME ZONE NOT NULL,
                finished_at TIMESTAMP WITH TIME ZONE,
                recommendation VARCHAR(16),
                score REAL,
                data TEXT,
                error TEXT
            )
            """
        )
    )
    conn.execute(text("CREATE INDEX ix_scorecards_session_id ON scorecards (session_id, id)"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sessions_and_events", _m001_sessions_and_events),
    Migration(2, "session_persona_level_prompt_version", _m002_session_setup),
    Migration(3, "scorecards", _m003_scorecards),
)


def _ensure_bookkeeping(conn: Connection) -> None:
    conn.execute(
        text(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name VARCHAR(128) NOT NULL,
                applied_at TIMESTAMP WITH TIME ZONE NOT NULL
            )
            """
        )
    )


def applied_versions(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        _ensure_bookkeeping(conn)
        conn.commit()
        rows = conn.execute(text("SELECT version FROM schema_migrations ORDER BY version"))
        return [row[0] for row in rows]


def migrate(engine: Engine, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Apply every migration not yet applied; returns the versions applied now."""
    applied_now: list[int] = []
    with engine.connect().execution_options(**{IMMEDIATE: True}) as conn, conn.begin():
        if not is_sqlite(engine):
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_ADVISORY_LOCK_KEY})
        _ensure_bookkeeping(conn)
        done = {row[0] for row in conn.execute(text("SELECT version FROM schema_migrations"))}
        for migration in sorted(migrations, key=lambda m: m.version):
            if migration.version in done:
                continue
            migration.apply(conn)
            conn.execute(
                text(
                    "INSERT INTO schema_migrations (version, name, applied_at) "
                    "VALUES (:version, :name, :applied_at)"
                ),
                {
                    "version": migration.version,
                    "name": migration.name,
                    "applied_at": datetime.now(UTC),
                },
            )
            applied_now.append(migration.version)
    return applied_now
