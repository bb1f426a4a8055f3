"""Scorecards stored with their session: one row per grading run, the newest one current.

A row starts as ``grading`` with a progress count, and ends ``done`` (with the scorecard JSON)
or ``failed`` (with the reason). Earlier runs stay, so regrading never loses a scorecard. A run
left ``grading`` by a process that died is treated as failed once it is older than
``stale_after`` seconds, so it cannot block regrading forever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from storage import schema
from storage.db import IMMEDIATE
from storage.events import aware_utc

__all__ = ["AlreadyGradingError", "ScorecardRecord", "ScorecardStore"]

STALE_AFTER_SECONDS = 600


class AlreadyGradingError(Exception):
    """A grading run for this session is still going."""


@dataclass(frozen=True)
class ScorecardRecord:
    id: int
    session_id: str
    status: str  # grading | done | failed
    judge: str
    done: int
    total: int
    started_at: datetime
    finished_at: datetime | None
    recommendation: str | None
    score: float | None
    data: dict[str, Any] | None
    error: str | None


def _record(row: Any) -> ScorecardRecord:
    return ScorecardRecord(
        id=row.id,
        session_id=row.session_id,
        status=row.status,
        judge=row.judge,
        done=row.done,
        total=row.total,
        started_at=aware_utc(row.started_at),
        finished_at=aware_utc(row.finished_at) if row.finished_at else None,
        recommendation=row.recommendation,
        score=row.score,
        data=json.loads(row.data) if row.data else None,
        error=row.error,
    )


class ScorecardStore:
    def __init__(self, engine: Engine, *, stale_after: float = STALE_AFTER_SECONDS) -> None:
        self._engine = engine
        self._stale_after = timedelta(seconds=stale_after)

    def _write(self):
        return self._engine.connect().execution_options(**{IMMEDIATE: True})

    def start(self, session_id: str, *, judge: str, total: int, at: datetime) -> int:
        """Open a grading run; raises :class:`AlreadyGradingError` if a fresh one is open."""
        table = schema.scorecards
        with self._write() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(
                    select(schema.sessions.c.id)
                    .where(schema.sessions.c.id == session_id)
                    .with_for_update()
                )
            running = conn.execute(
                select(table.c.id, table.c.started_at).where(
                    table.c.session_id == session_id, table.c.status == "grading"
                )
            ).all()
            for row in running:
                if at - aware_utc(row.started_at) < self._stale_after:
                    raise AlreadyGradingError(session_id)
                conn.execute(
                    update(table)
                    .where(table.c.id == row.id)
                    .values(status="failed", error="abandoned: the grading process stopped")
                )
            result = conn.execute(
                insert(table).values(
                    session_id=session_id,
                    status="grading",
                    judge=judge,
                    done=0,
                    total=total,
                    started_at=at,
                )
            )
            return int(result.inserted_primary_key[0])

    def progress(self, grading_id: int, done: int) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(
                update(schema.scorecards)
                .where(schema.scorecards.c.id == grading_id)
                .values(done=done)
            )

    def finish(self, grading_id: int, card: dict[str, Any], *, at: datetime) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(
                update(schema.scorecards)
                .where(schema.scorecards.c.id == grading_id)
                .values(
                    status="done",
                    done=schema.scorecards.c.total,
                    finished_at=at,
                    recommendation=card["recommendation"],
                    score=card["score"],
                    data=json.dumps(card),
                )
            )

    def fail(self, grading_id: int, error: str, *, at: datetime) -> None:
        with self._write() as conn, conn.begin():
            conn.execute(
                update(schema.scorecards)
                .where(schema.scorecards.c.id == grading_id)
                .values(status="failed", finished_at=at, error=error[:2000])
            )

    def latest(self, session_id: str) -> ScorecardRecord | None:
        table = schema.scorecards
        with self._engine.connect() as conn:
            row = conn.execute(
                select(table)
                .where(table.c.session_id == session_id)
                .order_by(table.c.id.desc())
                .limit(1)
            ).first()
        return _record(row) if row is not None else None

    def latest_done(self, session_ids: list[str]) -> dict[str, ScorecardRecord]:
        """The newest finished scorecard of each session that has one."""
        if not session_ids:
            return {}
        table = schema.scorecards
        newest = (
            select(func.max(table.c.id))
            .where(table.c.session_id.in_(session_ids), table.c.status == "done")
            .group_by(table.c.session_id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(select(table).where(table.c.id.in_(newest))).all()
        return {row.session_id: _record(row) for row in rows}
