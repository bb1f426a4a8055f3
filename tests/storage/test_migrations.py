"""Versioned migrations: applied once, in order, and matching the schema the queries use."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from storage import schema
from storage.migrations import MIGRATIONS, Migration, applied_versions, migrate


def test_first_run_applies_every_migration_and_records_it(bare_engine):
    assert migrate(bare_engine) == [m.version for m in MIGRATIONS]
    assert applied_versions(bare_engine) == [m.version for m in MIGRATIONS]


def test_second_run_applies_nothing(bare_engine):
    migrate(bare_engine)
    assert migrate(bare_engine) == []


def test_a_new_migration_runs_once_on_an_existing_database(bare_engine):
    migrate(bare_engine)

    def add_notes_table(conn):
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))

    extended = (*MIGRATIONS, Migration(999, "notes", add_notes_table))
    assert migrate(bare_engine, extended) == [999]
    assert migrate(bare_engine, extended) == []
    assert "notes" in inspect(bare_engine).get_table_names()


def test_a_failing_migration_leaves_the_database_unchanged(bare_engine):
    migrate(bare_engine)

    def broken(conn):
        conn.execute(text("CREATE TABLE half_done (id INTEGER PRIMARY KEY)"))
        conn.execute(text("THIS IS NOT SQL"))

    with pytest.raises(DBAPIError):
        migrate(bare_engine, (*MIGRATIONS, Migration(998, "broken", broken)))
    assert 998 not in applied_versions(bare_engine)
    assert "half_done" not in inspect(bare_engine).get_table_names()


def test_migrated_tables_have_the_columns_the_queries_expect(engine):
    inspector = inspect(engine)
    for table in schema.metadata.sorted_tables:
        found = {column["name"] for column in inspector.get_columns(table.name)}
        assert found == {column.name for column in table.columns}, table.name


def test_concurrent_starters_migrate_exactly_once(bare_engine):
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def run():
        try:
            results.append(migrate(bare_engine))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results, key=len) == [[], [], [], [m.version for m in MIGRATIONS]]


def test_migration_2_keeps_sessions_made_before_it(bare_engine):
    from datetime import UTC, datetime

    migrate(bare_engine, MIGRATIONS[:1])
    with bare_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sessions (id, owner_id, problem_id, minutes, interviewer_model, "
                "status, created_at) VALUES ('s1', 'o', 'url-shortener', 45, 'offline', "
                "'active', :at)"
            ),
            {"at": datetime(2026, 1, 1, tzinfo=UTC)},
        )
    assert migrate(bare_engine, MIGRATIONS[:2]) == [2]
    from storage.events import SessionStore

    record = SessionStore(bare_engine).get_session("s1")
    assert (record.persona, record.level, record.prompt_version) == ("neutral", "senior", "")
