"""The storage suite runs on SQLite always and on PostgreSQL when 127.0.0.1:5432 answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from storage.db import make_engine
from storage.migrations import migrate
from tests.pg import SKIP_REASON, fresh_postgres_schema, postgres_answers


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    if not postgres_answers():
        pytest.skip(SKIP_REASON)
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def bare_engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(bare_engine) -> Engine:
    migrate(bare_engine)
    return bare_engine
