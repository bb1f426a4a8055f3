"""Sessions and their append-only event logs.

Nothing here updates or deletes an event: a session's history is the ordered list of what
happened to it, each event with a per-session sequence number and a timestamp.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, insert, select, text, update

from storage import schema
from storage.db import IMMEDIATE

__all__ = ["NOTIFY_CHANNEL", "EventType", "SessionEvent", "SessionRecord", "SessionStore"]

NOTIFY_CHANNEL = "interview_events"


class EventType(StrEnum):
    SESSION_CREATED = "session_created"
    CANDIDATE_MESSAGE = "candidate_message"
    INTERVIEWER_MESSAGE = "interviewer_message"
    PHASE_CHANGED = "phase_changed"
    WARNING = "warning"
    PAUSED = "paused"
    RESUMED = "resumed"
    SESSION_ENDED = "session_ended"
    REPLY_INTERRUPTED = "reply_interrupted"
    TURN_USAGE = "turn_usage"
    PRIVATE_NOTE = "private_note"
    REPLY_STARTED = "reply_started"
    REPLY_DELTA = "reply_delta"
    REPLY_FAILED = "reply_failed"
    REPLY_CANCELLED = "reply_cancelled"
    CANCEL_REQUESTED = "cancel_requested"
    NOTES_SAVED = "notes_saved"


@dataclass(frozen=True)
class SessionRecord:
    id: str
    owner_id: str
    problem_id: str
    minutes: int
    interviewer_model: str
    status: str
    created_at: datetime
    persona: str = "neutral"
    level: str = "senior"
    prompt_version: str = ""


@dataclass(frozen=True)
class SessionEvent:
    session_id: str
    seq: int
    type: EventType
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)


Guard = Callable[[list["SessionEvent"]], list | None]


def aware_utc(value: datetime) -> datetime:
    # SQLite hands timestamps back naive; every timestamp we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _session_from_row(row: Any) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        owner_id=row.owner_id,
        problem_id=row.problem_id,
        minutes=row.minutes,
        interviewer_model=row.interviewer_model,
        status=row.status,
        created_at=aware_utc(row.created_at),
        persona=row.persona,
        level=row.level,
        prompt_version=row.prompt_version,
    )


def _event_from_row(row: Any) -> SessionEvent:
    return SessionEvent(
        session_id=row.session_id,
        seq=row.seq,
        type=EventType(row.type),
        at=aware_utc(row.at),
        data=json.loads(row.data),
    )


class SessionStore:
    """Reads and appends sessions and events; the engine is the only side effect."""

    def __init__(self, engine: Engine, *, origin: str = "") -> None:
        self._engine = engine
        # Names this process in change notifications, so it can ignore its own.
        self.origin = origin or uuid.uuid4().hex[:12]
        self._listeners: list[Callable[[str, list[SessionEvent]], None]] = []
        self._write_lock = (
            threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    def add_listener(self, listener: Callable[[str, list[SessionEvent]], None]) -> None:
        """Call ``listener(session_id, events)`` after every committed append (any thread)."""
        self._listeners.append(listener)

    def _announce(self, session_id: str, events: list[SessionEvent]) -> None:
        if events:
            for listener in self._listeners:
                listener(session_id, events)

    @contextmanager
    def _write(self):
        """A write transaction. On SQLite, writers of this process queue on a lock first, so
        they never meet SQLite's busy handler, which sleeps in steps of up to 100 ms."""
        with (
            self._write_lock,
            self._engine.connect().execution_options(**{IMMEDIATE: True}) as conn,
            conn.begin(),
        ):
            yield conn

    def create_session(
        self, record: SessionRecord, *, created_event: dict[str, Any]
    ) -> SessionEvent:
        """Insert the session row and its ``session_created`` event in one transaction."""
        with self._write() as conn:
            conn.execute(
                insert(schema.sessions).values(
                    id=record.id,
                    owner_id=record.owner_id,
                    problem_id=record.problem_id,
                    minutes=record.minutes,
                    interviewer_model=record.interviewer_model,
                    status=record.status,
                    created_at=record.created_at,
                    persona=record.persona,
                    level=record.level,
                    prompt_version=record.prompt_version,
                )
            )
            event = SessionEvent(
                record.id, 1, EventType.SESSION_CREATED, record.created_at, created_event
            )
            self._insert_event(conn, event)
        self._announce(record.id, [event])
        return event

    def append(
        self, session_id: str, type_: EventType, data: dict[str, Any], *, at: datetime
    ) -> SessionEvent:
        """Append one event with the next sequence number of its session."""
        return self.append_many(session_id, [(type_, data, at)])[-1]

    def append_many(
        self,
        session_id: str,
        items: list[tuple[EventType, dict[str, Any], datetime]],
        *,
        guard: Guard | None = None,
        guard_sees_pieces: bool = False,
    ) -> list[SessionEvent]:
        """Append events in one transaction, in order, with consecutive seqs.

        ``guard``, if given, sees the session's whole log inside the transaction, after the
        session is locked, and may raise to refuse the append (nothing is written then) or
        return a replacement list of items (an empty list appends nothing). The log it sees
        leaves out ``reply_delta`` pieces unless ``guard_sees_pieces``.
        """
        with self._write() as conn:
            last = self._lock_session(conn, session_id)
            if guard is not None:
                decided = guard(
                    self._read_events(conn, session_id, 0, with_pieces=guard_sees_pieces)
                )
                if decided is not None:
                    items = decided
            appended = self._insert_items(conn, session_id, last, items)
            self._notify(conn, session_id, appended)
        self._announce(session_id, appended)
        return appended

    def append_batches(
        self, batches: dict[str, list[tuple[EventType, dict[str, Any], datetime]]]
    ) -> dict[str, list[SessionEvent]]:
        """Append to several sessions in one transaction (one commit for many streams)."""
        appended: dict[str, list[SessionEvent]] = {}
        with self._write() as conn:
            for session_id in sorted(batches):  # a fixed lock order: no deadlocks
                last = self._lock_session(conn, session_id)
                events = self._insert_items(conn, session_id, last, batches[session_id])
                self._notify(conn, session_id, events)
                appended[session_id] = events
        for session_id, events in appended.items():
            self._announce(session_id, events)
        return appended

    @staticmethod
    def _lock_session(conn, session_id: str) -> int:
        """Lock the session (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already serialises
        writers) and return its last seq."""
        locked = conn.execute(
            select(schema.sessions.c.id).where(schema.sessions.c.id == session_id).with_for_update()
        ).first()
        if locked is None:
            raise KeyError(session_id)
        last = conn.execute(
            select(func.max(schema.events.c.seq)).where(schema.events.c.session_id == session_id)
        ).scalar_one()
        return last or 0

    def _insert_items(self, conn, session_id: str, last: int, items) -> list[SessionEvent]:
        appended = []
        for offset, (type_, data, at) in enumerate(items, start=1):
            event = SessionEvent(session_id, last + offset, type_, at, data)
            self._insert_event(conn, event)
            appended.append(event)
        return appended

    def _notify(self, conn, session_id: str, appended: list[SessionEvent]) -> None:
        # PostgreSQL delivers a NOTIFY at commit, so listeners never see an uncommitted seq.
        if appended and conn.dialect.name == "postgresql":
            payload = f"{self.origin}:{session_id}:{appended[-1].seq}"
            conn.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": NOTIFY_CHANNEL, "payload": payload},
            )

    @staticmethod
    def _insert_event(conn, event: SessionEvent) -> None:
        conn.execute(
            insert(schema.events).values(
                session_id=event.session_id,
                seq=event.seq,
                type=str(event.type),
                at=event.at,
                data=json.dumps(event.data, ensure_ascii=False),
            )
        )

    def set_status(self, session_id: str, status: str) -> None:
        with self._write() as conn:
            conn.execute(
                update(schema.sessions)
                .where(schema.sessions.c.id == session_id)
                .values(status=status)
            )

    def get_session(self, session_id: str) -> SessionRecord | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(schema.sessions).where(schema.sessions.c.id == session_id)
            ).first()
        return _session_from_row(row) if row else None

    def list_sessions(self, owner_id: str, *, limit: int = 100) -> list[SessionRecord]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(schema.sessions)
                .where(schema.sessions.c.owner_id == owner_id)
                .order_by(schema.sessions.c.created_at.desc())
                .limit(limit)
            ).all()
        return [_session_from_row(row) for row in rows]

    def events(
        self, session_id: str, *, after_seq: int = 0, with_pieces: bool = True
    ) -> list[SessionEvent]:
        """The log after ``after_seq``; ``with_pieces=False`` leaves out ``reply_delta`` rows,
        which only replaying a reply needs."""
        with self._engine.connect() as conn:
            return self._read_events(conn, session_id, after_seq, with_pieces=with_pieces)

    @staticmethod
    def _read_events(
        conn, session_id: str, after_seq: int, *, with_pieces: bool = True
    ) -> list[SessionEvent]:
        query = (
            select(schema.events)
            .where(schema.events.c.session_id == session_id)
            .where(schema.events.c.seq > after_seq)
        )
        if not with_pieces:
            query = query.where(schema.events.c.type != EventType.REPLY_DELTA.value)
        rows = conn.execute(query.order_by(schema.events.c.seq)).all()
        return [_event_from_row(row) for row in rows]
