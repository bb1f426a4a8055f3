"""Sessions and their append-only event logs, on every available database."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from storage.db import make_engine
from storage.events import EventType, SessionRecord, SessionStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def record(session_id="a" * 32, owner="owner-1", at=T0) -> SessionRecord:
    return SessionRecord(session_id, owner, "url-shortener", 45, "offline", "active", at)


def test_create_session_stores_the_row_and_a_created_event(engine):
    store = SessionStore(engine)
    store.create_session(record(), created_event={"problem_id": "url-shortener"})
    assert store.get_session("a" * 32) == record()
    [event] = store.events("a" * 32)
    assert (event.seq, event.type, event.at, event.data) == (
        1,
        EventType.SESSION_CREATED,
        T0,
        {"problem_id": "url-shortener"},
    )


def test_events_come_back_in_order_with_timestamps_and_data(engine):
    store = SessionStore(engine)
    store.create_session(record(), created_event={})
    store.append(
        "a" * 32, EventType.CANDIDATE_MESSAGE, {"text": "héllo ✓"}, at=T0 + timedelta(seconds=3)
    )
    store.append(
        "a" * 32, EventType.PHASE_CHANGED, {"phase": "requirements"}, at=T0 + timedelta(seconds=9)
    )
    events = store.events("a" * 32)
    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.type for e in events] == [
        EventType.SESSION_CREATED,
        EventType.CANDIDATE_MESSAGE,
        EventType.PHASE_CHANGED,
    ]
    assert events[1].data == {"text": "héllo ✓"}
    assert events[2].at == T0 + timedelta(seconds=9)
    assert [e.seq for e in store.events("a" * 32, after_seq=2)] == [3]


def test_append_to_an_unknown_session_fails_and_stores_nothing(engine):
    store = SessionStore(engine)
    with pytest.raises(KeyError):
        store.append("b" * 32, EventType.CANDIDATE_MESSAGE, {"text": "x"}, at=T0)
    assert store.events("b" * 32) == []


def test_logs_of_different_sessions_are_independent(engine):
    store = SessionStore(engine)
    store.create_session(record("a" * 32), created_event={})
    store.create_session(record("b" * 32), created_event={})
    store.append("b" * 32, EventType.CANDIDATE_MESSAGE, {"text": "b"}, at=T0)
    assert [e.seq for e in store.events("a" * 32)] == [1]
    assert [e.seq for e in store.events("b" * 32)] == [1, 2]


def test_list_sessions_filters_by_owner_newest_first(engine):
    store = SessionStore(engine)
    store.create_session(record("a" * 32, "me", T0), created_event={})
    store.create_session(record("b" * 32, "me", T0 + timedelta(minutes=1)), created_event={})
    store.create_session(record("c" * 32, "someone-else"), created_event={})
    assert [r.id for r in store.list_sessions("me")] == ["b" * 32, "a" * 32]


def test_concurrent_appends_get_distinct_consecutive_seqs(engine, database_url):
    SessionStore(engine).create_session(record(), created_event={})
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        own_engine = make_engine(database_url)  # a separate pool, like another replica
        try:
            store = SessionStore(own_engine)
            for i in range(10):
                store.append("a" * 32, EventType.CANDIDATE_MESSAGE, {"text": f"{n}-{i}"}, at=T0)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own_engine.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [e.seq for e in SessionStore(engine).events("a" * 32)] == list(range(1, 42))


def test_data_survives_a_new_engine_on_the_same_database(engine, database_url):
    SessionStore(engine).create_session(record(), created_event={"x": 1})
    engine.dispose()
    reopened = make_engine(database_url)
    try:
        assert SessionStore(reopened).events("a" * 32)[0].data == {"x": 1}
    finally:
        reopened.dispose()


def test_sqlite_runs_in_wal_mode(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("WAL is a SQLite setting")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_a_guard_sees_what_another_process_appended_after_this_one_cached_the_log(engine):
    here, there = SessionStore(engine), SessionStore(engine)  # two replicas, one database
    here.create_session(record(), created_event={})
    seen: list[list[int]] = []

    def guard(log):
        seen.append([event.seq for event in log])
        return None

    here.append_many("a" * 32, [(EventType.PAUSED, {}, T0)], guard=guard)
    there.append("a" * 32, EventType.RESUMED, {}, at=T0)
    there.append("a" * 32, EventType.REPLY_DELTA, {"turn": 1, "from": 1, "texts": ["x"]}, at=T0)
    here.append_many("a" * 32, [(EventType.PAUSED, {}, T0)], guard=guard)
    assert seen == [[1], [1, 2, 3]]  # pieces (seq 4) are left out of guards
    assert [e.seq for e in here.events("a" * 32, with_pieces=False)] == [1, 2, 3, 5]
    assert [e.type for e in there.events("a" * 32, with_pieces=False)][-1] is EventType.PAUSED


def test_the_log_cache_keeps_a_bounded_number_of_sessions(engine):
    store = SessionStore(engine, cached_sessions=2)
    ids = [str(n) * 32 for n in range(1, 5)]
    for session_id in ids:
        store.create_session(record(session_id), created_event={})
        store.append(session_id, EventType.PAUSED, {}, at=T0)
    assert len(store._cache._entries) == 2
    for session_id in ids:  # evicted sessions are read from the database again
        assert [e.seq for e in store.events(session_id, with_pieces=False)] == [1, 2]


def test_appends_queued_behind_a_transaction_commit_together_and_a_refusal_stays_alone(engine):
    store = SessionStore(engine)
    store.create_session(record(), created_event={})
    announced: list[list[int]] = []
    store.add_listener(lambda _session, events: announced.append([e.seq for e in events]))
    results: dict[int, object] = {}

    def refuse(log):
        raise ValueError("not now")

    def writer(n: int) -> None:
        try:
            guard = refuse if n == 2 else (lambda log: None)
            item = (EventType.CANDIDATE_MESSAGE, {"text": str(n)}, T0)
            results[n] = [e.seq for e in store.append_many("a" * 32, [item], guard=guard)]
        except ValueError as exc:
            results[n] = exc

    lock = getattr(store, "_write_lock", None)
    with lock if isinstance(lock, type(threading.Lock())) else contextlib.nullcontext():
        # On SQLite all four queue up behind the held lock and go in one transaction.
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    assert isinstance(results.pop(2), ValueError)
    assert sorted(seq for seqs in results.values() for seq in seqs) == [2, 3, 4]
    assert sorted(seq for seqs in announced for seq in seqs) == [2, 3, 4]
    texts = [e.data["text"] for e in store.events("a" * 32)[1:]]
    assert sorted(texts) == ["0", "1", "3"]
    log = store.events("a" * 32, with_pieces=False)  # the cache agrees with the database
    assert [e.seq for e in log] == [1, 2, 3, 4]


def test_session_records_are_read_once_and_a_status_change_here_is_seen_at_once(engine):
    from sqlalchemy import event

    store = SessionStore(engine)
    store.create_session(record(), created_event={})
    selects = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT") and "sessions" in statement:
            selects.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert store.remembered_session("a" * 32) is None
        first = store.get_session("a" * 32)
        assert store.get_session("a" * 32) is first and len(selects) == 1
        assert store.remembered_session("a" * 32) is first
        store.set_status("a" * 32, "ended")
        assert store.get_session("a" * 32).status == "ended"
        assert store.get_session("b" * 32) is None  # an unknown id is not remembered
        assert store.get_session("b" * 32) is None and len(selects) == 4
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_appended_rows_are_exactly_what_sqlalchemys_insert_would_write(engine):
    from sqlalchemy import insert

    from storage import schema

    store = SessionStore(engine)
    store.create_session(record(), created_event={})
    times = [T0 + timedelta(seconds=1), T0 + timedelta(seconds=2, microseconds=123456)]
    items = [(EventType.WARNING, {"kind": "x", "text": "naïve “quotes” ✓"}, at) for at in times]
    store.append_many("a" * 32, items)
    store.create_session(record("b" * 32), created_event={})
    with engine.begin() as conn:  # the same events for another session, the SQLAlchemy way
        conn.execute(
            insert(schema.events),
            [
                {
                    "session_id": "b" * 32,
                    "seq": seq,
                    "type": str(type_),
                    "at": at,
                    "data": json.dumps(data, ensure_ascii=False),
                }
                for seq, (type_, data, at) in enumerate(items, start=2)
            ],
        )
        raw = {
            session_id: [
                row[1:]
                for row in conn.exec_driver_sql(
                    "SELECT session_id, seq, type, at, data FROM session_events "
                    f"WHERE session_id = '{session_id}' AND seq > 1 ORDER BY seq"
                )
            ]
            for session_id in ("a" * 32, "b" * 32)
        }
    assert raw["a" * 32] == raw["b" * 32] and len(raw["a" * 32]) == 2
    fresh = SessionStore(engine)  # no cached log: read back from the database
    assert [(e.data, e.at) for e in fresh.events("a" * 32)[1:]] == [
        (data, at) for _, data, at in items
    ]


def test_each_commit_notifies_every_session_it_appended_to_with_its_last_seq(engine, database_url):
    if engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is a PostgreSQL feature")
    import psycopg

    from storage.listener import libpq_url

    store = SessionStore(engine, origin="nt")
    a, b, c = "a" * 32, "b" * 32, "c" * 32
    for session_id in (a, b, c):
        store.create_session(record(session_id), created_event={})
    with psycopg.connect(libpq_url(database_url), autocommit=True) as listener:
        listener.execute("LISTEN interview_events")

        def heard() -> list[str]:
            payloads = [n.payload for n in listener.notifies(timeout=0.5)]
            return [payload for payload in payloads if payload.startswith("nt:")]

        store.append_many(a, [(EventType.CANDIDATE_MESSAGE, {"text": "x"}, T0)] * 2)
        assert heard() == [f"nt:{a}:3"]
        store.append_batches(
            {
                b: [(EventType.CANDIDATE_MESSAGE, {"text": "y"}, T0)],
                a: [(EventType.CANDIDATE_MESSAGE, {"text": "z"}, T0)] * 3,
            }
        )
        assert sorted(heard()) == sorted([f"nt:{a}:6", f"nt:{b}:2"])
        store.append_batches({})
        store.append_many(c, [])  # nothing appended: nothing to tell
        assert heard() == []
