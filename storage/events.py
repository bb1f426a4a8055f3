"""Sessions and their append-only event logs.

Nothing here updates or deletes an event: a session's history is the ordered list of what
happened to it, each event with a per-session sequence number and a timestamp.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from storage import schema
from storage.db import IMMEDIATE

__all__ = ["NOTIFY_CHANNEL", "EventType", "SessionEvent", "SessionRecord", "SessionStore"]

NOTIFY_CHANNEL = "interview_events"
_INSERT_EVENT_SQL = (
    f"INSERT INTO {schema.events.name} (session_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)"
)
# The statements of every append, run on the DB-API cursor: SQLAlchemy's per-execution work
# (cache keys, execution context, result metadata) costs more than SQLite's part of them.
_LOCK_SESSION_SQL = f"SELECT id FROM {schema.sessions.name} WHERE id = ? FOR UPDATE"
_LAST_SEQ_SQL = f"SELECT max(seq) FROM {schema.events.name} WHERE session_id = ?"
# One statement notifies every session of a commit, however many there are.
_NOTIFY_SQL = "SELECT pg_notify(?, payload) FROM unnest(?::text[]) AS payload"


@contextmanager
def _raw_cursor(conn, sql: str):
    """A DB-API cursor in ``conn``'s transaction and ``sql`` (written with ``?``) in the
    driver's parameter style."""
    if conn.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    cursor = conn.connection.cursor()
    try:
        yield cursor, sql
    finally:
        cursor.close()


def _raw_rows(conn, sql: str, params: tuple) -> list[tuple]:
    """Run a fixed statement in ``conn``'s transaction, straight on its DB-API cursor."""
    with _raw_cursor(conn, sql) as (cursor, sql):
        cursor.execute(sql, params)
        return cursor.fetchall()


def _raw_insert(conn, sql: str, rows: list[tuple]) -> None:
    """Insert ``rows`` with one fixed statement, straight on ``conn``'s DB-API cursor."""
    with _raw_cursor(conn, sql) as (cursor, sql):
        cursor.executemany(sql, rows)


@lru_cache(maxsize=8)
def _bind_at(dialect) -> Callable[[datetime], Any]:
    """How SQLAlchemy turns an event's time into ``dialect``'s form."""
    processor = schema.events.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    return processor or (lambda value: value)


def _last_seq(conn, session_id: str) -> int:
    """Lock one session (a PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already serialises
    writers) and return its last seq. A session without events does not exist."""
    if conn.dialect.name != "sqlite":
        _raw_rows(conn, _LOCK_SESSION_SQL, (session_id,))
    [(last,)] = _raw_rows(conn, _LAST_SEQ_SQL, (session_id,))
    if last is None:
        raise KeyError(session_id)
    return last


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


class _LogCache:
    """The recent sessions' logs without reply pieces, as far as this process has seen them.

    An entry ``(through, events)`` holds every event of the session up to seq ``through``
    except ``reply_delta`` rows. Entries are only ever filled from committed rows or extended
    with this process's own commits, and a reader tops one up from the database after
    ``through`` (another replica may have appended), so it never serves a stale log. The
    least recently used sessions are dropped beyond ``capacity``.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, tuple[int, list[SessionEvent]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> tuple[int, list[SessionEvent]] | None:
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is not None:
                self._entries.move_to_end(session_id)
            return entry

    def put(self, session_id: str, through: int, events: list[SessionEvent]) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is None or entry[0] <= through:
                self._entries[session_id] = (through, events)
                self._entries.move_to_end(session_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def extend(self, session_id: str, appended: list[SessionEvent]) -> None:
        """This process committed ``appended`` (consecutive seqs)."""
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is None or not appended:
                return
            through, events = entry
            if appended[-1].seq <= through:
                return  # a reader already fetched them
            if appended[0].seq != through + 1:
                del self._entries[session_id]  # a gap: the next reader fetches afresh
                return
            kept = [event for event in appended if event.type is not EventType.REPLY_DELTA]
            self._entries[session_id] = (appended[-1].seq, events + kept if kept else events)


class _Refused(Exception):
    """An append refused before it wrote anything (its guard raised, or no such session)."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


@dataclass(eq=False)
class _Queued:
    """A write waiting for its turn in a group commit."""

    work: Callable[[Any, list[Callable[[], None]]], Any]
    result: Any = None
    error: BaseException | None = None
    done: bool = False


class SessionStore:
    """Reads and appends sessions and events; the engine is the only side effect."""

    def __init__(self, engine: Engine, *, origin: str = "", cached_sessions: int = 1024) -> None:
        self._engine = engine
        self._cache = _LogCache(cached_sessions)
        self._records: dict[str, SessionRecord] = {}
        self._records_kept = cached_sessions * 8
        # Names this process in change notifications, so it can ignore its own.
        self.origin = origin or uuid.uuid4().hex[:12]
        self._listeners: list[Callable[[str, list[SessionEvent]], None]] = []
        sqlite = engine.dialect.name == "sqlite"
        self._write_lock = threading.Lock() if sqlite else contextlib.nullcontext()
        # Group commit (SQLite): appends that queue up behind a running transaction are done
        # together in the next one, so a busy server pays one commit for many of them.
        self._group_commit = sqlite
        self._queue: list[_Queued] = []
        self._queue_changed = threading.Condition()
        self._leading = False  # a thread is committing a group right now

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
            self._insert_events(conn, [event])
        self._cache.put(record.id, 1, [event])
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

        def work(conn, after_commit: list[Callable[[], None]]) -> list[SessionEvent]:
            try:
                last = self._lock_session(conn, session_id)
                decided = None
                if guard is not None:
                    if guard_sees_pieces:
                        log = self._read_events(conn, session_id, 0)
                    else:
                        log = self._log_through(conn, session_id, last, after_commit)
                    decided = guard(log)
            except Exception as exc:
                raise _Refused(exc) from exc  # nothing written for this append
            appended = self._insert_items(
                conn, session_id, last, items if decided is None else decided
            )
            self._notify(conn, {session_id: appended})
            after_commit.append(lambda: self._committed(session_id, appended))
            return appended

        return self._transact(work)

    def _committed(self, session_id: str, events: list[SessionEvent]) -> None:
        self._cache.extend(session_id, events)
        self._announce(session_id, events)

    def _transact(self, work: Callable[[Any, list[Callable[[], None]]], Any]) -> Any:
        """Run ``work(conn, after_commit)`` in a write transaction; then the callbacks it
        queued, in order. ``work`` raises :class:`_Refused` to refuse before writing anything.

        On SQLite, writers that find the lock taken leave their work in a queue; whoever gets
        the lock next does everything queued in one transaction (one commit). A refused work
        leaves the others be; any other failure fails every work of the transaction.
        """
        if not self._group_commit:
            after: list[Callable[[], None]] = []
            try:
                with self._write() as conn:
                    result = work(conn, after)
            except _Refused as refused:
                raise refused.cause from None
            for callback in after:
                callback()
            return result
        queued = _Queued(work)
        with self._queue_changed:
            self._queue.append(queued)
            # Wait while another thread commits; it may take this work along.
            while self._leading and not queued.done:
                self._queue_changed.wait()
            lead = not queued.done
            if lead:
                self._leading = True
        if lead:
            try:
                with self._write_lock:
                    with self._queue_changed:
                        group, self._queue = self._queue, []
                    self._commit_group(group)
            finally:
                with self._queue_changed:
                    self._leading = False
                    self._queue_changed.notify_all()
        if queued.error is not None:
            raise queued.error
        return queued.result

    def _commit_group(self, group: list[_Queued]) -> None:
        """Do ``group`` in one transaction; the caller holds the write lock."""
        after: list[Callable[[], None]] = []
        try:
            with (
                self._engine.connect().execution_options(**{IMMEDIATE: True}) as conn,
                conn.begin(),
            ):
                for queued in group:
                    try:
                        queued.result = queued.work(conn, after)
                    except _Refused as refused:
                        queued.error = refused.cause
        except BaseException as exc:
            for queued in group:
                queued.result, queued.error, queued.done = None, exc, True
            raise
        for queued in group:
            queued.done = True
        for callback in after:
            callback()

    def append_batches(
        self, batches: dict[str, list[tuple[EventType, dict[str, Any], datetime]]]
    ) -> dict[str, list[SessionEvent]]:
        """Append to several sessions in one transaction (one commit for many streams)."""
        appended: dict[str, list[SessionEvent]] = {}
        ids = sorted(batches)  # a fixed lock order: no deadlocks
        if not ids:
            return appended

        def work(conn, after_commit: list[Callable[[], None]]) -> dict[str, list[SessionEvent]]:
            try:
                lasts = self._lock_sessions(conn, ids)
            except Exception as exc:
                raise _Refused(exc) from exc
            for session_id in ids:
                appended[session_id] = _numbered(session_id, lasts[session_id], batches[session_id])
            self._insert_events(conn, [event for events in appended.values() for event in events])
            self._notify(conn, appended)
            for session_id, events in appended.items():
                after_commit.append(lambda s=session_id, e=events: self._committed(s, e))
            return appended

        return self._transact(work)

    def _lock_session(self, conn, session_id: str) -> int:
        """Lock the session (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already serialises
        writers) and return its last seq."""
        return self._lock_sessions(conn, [session_id])[session_id]

    @staticmethod
    def _lock_sessions(conn, session_ids: list[str]) -> dict[str, int]:
        """Lock the sessions (in the order given) and return each one's last seq, in two
        statements however many there are. A session without events does not exist (its
        ``session_created`` is written with it)."""
        events = schema.events
        if len(session_ids) == 1:  # every append but the flusher's
            return {session_ids[0]: _last_seq(conn, session_ids[0])}
        if conn.dialect.name != "sqlite":
            conn.execute(
                select(schema.sessions.c.id)
                .where(schema.sessions.c.id.in_(session_ids))
                .order_by(schema.sessions.c.id)
                .with_for_update()
            ).all()
        rows = conn.execute(
            select(events.c.session_id, func.max(events.c.seq))
            .where(events.c.session_id.in_(session_ids))
            .group_by(events.c.session_id)
        ).all()
        lasts = {session_id: last for session_id, last in rows if last is not None}
        for session_id in session_ids:
            if session_id not in lasts:
                raise KeyError(session_id)
        return lasts

    def _log_through(
        self, conn, session_id: str, last: int, after_commit: list | None = None
    ) -> list[SessionEvent]:
        """The log up to ``last``, pieces left out: from the cache, topped up from the
        database with whatever it lacks. Inside a write transaction (``after_commit``), what
        was read is cached only once it is committed."""
        entry = self._cache.get(session_id)
        if entry is not None and entry[0] <= last:
            through, cached = entry
            fresh = (
                self._read_events(conn, session_id, through, with_pieces=False, upto=last)
                if through < last
                else []
            )
            events = cached + fresh if fresh else cached
        else:
            events = self._read_events(conn, session_id, 0, with_pieces=False, upto=last)
        if after_commit is None:
            self._cache.put(session_id, last, events)
        else:
            after_commit.append(lambda: self._cache.put(session_id, last, events))
        return list(events)

    def _insert_items(self, conn, session_id: str, last: int, items) -> list[SessionEvent]:
        appended = _numbered(session_id, last, items)
        self._insert_events(conn, appended)
        return appended

    def _notify(self, conn, appended: dict[str, list[SessionEvent]]) -> None:
        """Tell other replicas which sessions this transaction appended to, and up to which
        seq: one ``origin:session:seq`` notification per session, all sent by one statement.
        PostgreSQL delivers them at commit, so listeners never see an uncommitted seq."""
        if conn.dialect.name != "postgresql":
            return
        payloads = [
            f"{self.origin}:{session_id}:{events[-1].seq}"
            for session_id, events in appended.items()
            if events
        ]
        if payloads:
            _raw_rows(conn, _NOTIFY_SQL, (NOTIFY_CHANNEL, payloads))

    @staticmethod
    def _insert_events(conn, events: list[SessionEvent]) -> None:
        if not events:
            return
        # One executemany of a fixed statement, with the times in the form SQLAlchemy
        # would have bound them (SQLite stores them as text): the same rows it would write.
        bind_at = _bind_at(conn.dialect)
        _raw_insert(
            conn,
            _INSERT_EVENT_SQL,
            [
                (
                    event.session_id,
                    event.seq,
                    str(event.type),
                    bind_at(event.at),
                    json.dumps(event.data, ensure_ascii=False),
                )
                for event in events
            ],
        )

    def set_status(self, session_id: str, status: str) -> None:
        with self._write() as conn:
            conn.execute(
                update(schema.sessions)
                .where(schema.sessions.c.id == session_id)
                .values(status=status)
            )
        self._records.pop(session_id, None)

    def remembered_session(self, session_id: str) -> SessionRecord | None:
        """The session's record if this store has it in memory (no database access)."""
        return self._records.get(session_id)

    def get_session(self, session_id: str) -> SessionRecord | None:
        """The session's record. Records are kept in memory once read: every request of a
        session looks its record up, and only ``status`` ever changes (another replica's
        change of it shows here only once the record is dropped; the log is the truth)."""
        record = self._records.get(session_id)
        if record is not None:
            return record
        with self._engine.connect() as conn:
            row = conn.execute(
                select(schema.sessions).where(schema.sessions.c.id == session_id)
            ).first()
        if row is None:
            return None
        record = _session_from_row(row)
        if len(self._records) >= self._records_kept:
            self._records.clear()
        self._records[session_id] = record
        return record

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
            if with_pieces or after_seq:
                return self._read_events(conn, session_id, after_seq, with_pieces=with_pieces)
            # Everything up to the last committed seq: the cache has most of it.
            [(last,)] = _raw_rows(conn, _LAST_SEQ_SQL, (session_id,))
            if last is None:
                return []
            return self._log_through(conn, session_id, last)

    @staticmethod
    def _read_events(
        conn,
        session_id: str,
        after_seq: int,
        *,
        with_pieces: bool = True,
        upto: int | None = None,
    ) -> list[SessionEvent]:
        query = (
            select(schema.events)
            .where(schema.events.c.session_id == session_id)
            .where(schema.events.c.seq > after_seq)
        )
        if upto is not None:
            query = query.where(schema.events.c.seq <= upto)
        if not with_pieces:
            query = query.where(schema.events.c.type != EventType.REPLY_DELTA.value)
        rows = conn.execute(query.order_by(schema.events.c.seq)).all()
        return [_event_from_row(row) for row in rows]


def _numbered(session_id: str, last: int, items) -> list[SessionEvent]:
    return [
        SessionEvent(session_id, last + offset, type_, at, data)
        for offset, (type_, data, at) in enumerate(items, start=1)
    ]
