"""The shared, cached log behind live followers stays exact under racing updates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from interviewer.feed import EventId, feed_from_log
from interviewer.live import SessionChannel
from storage.events import EventType, SessionEvent

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def events(*seqs):
    return [SessionEvent("s", seq, EventType.WARNING, T0, {"kind": "x"}) for seq in seqs]


def test_appends_reported_while_a_read_is_in_flight_are_not_duplicated():
    async def scenario():
        channel = SessionChannel()
        gate = asyncio.Event()

        async def slow_fetch(after):
            await gate.wait()
            return events(*range(after + 1, 7))

        channel.log = events(1, 2, 3, 4)
        channel.stale = True
        reading = asyncio.create_task(channel.read_log(slow_fetch))
        await asyncio.sleep(0)
        channel.take(events(5, 6))  # this process's own appends land meanwhile
        gate.set()
        log = await reading
        return [event.seq for event in log]

    assert asyncio.run(scenario()) == [1, 2, 3, 4, 5, 6]


def test_out_of_order_reports_mark_the_cache_stale_instead_of_leaving_a_gap():
    async def scenario():
        channel = SessionChannel()
        channel.log = events(1, 2)
        channel.stale = False
        channel.take(events(4))  # 3 was committed by another thread, reported later
        assert channel.stale
        channel.take(events(3))

        async def fetch(after):
            return events(*range(after + 1, 5))

        return [event.seq for event in await channel.read_log(fetch)]

    assert asyncio.run(scenario()) == [1, 2, 3, 4]


def test_the_feed_after_any_id_matches_a_full_rebuild_of_the_log():
    def event(seq, type_, **data):
        return SessionEvent("s", seq, type_, T0, data)

    log = [
        event(1, EventType.SESSION_CREATED, minutes=45),
        event(2, EventType.REPLY_STARTED),
        event(3, EventType.REPLY_DELTA, turn=2, **{"from": 1, "texts": ["Hi ", "there"]}),
        event(4, EventType.WARNING, kind="phase_ending", phase="clarify"),
        # Pieces of reply 2 logged after the warning: their ids (2.3, 2.4) sort before it.
        event(5, EventType.REPLY_DELTA, turn=2, **{"from": 3, "texts": ["! ", "Go."]}),
        event(6, EventType.INTERVIEWER_MESSAGE, text="Hi there! Go."),
        event(7, EventType.PHASE_CHANGED, phase="requirements", reason="candidate"),
        event(8, EventType.CANDIDATE_MESSAGE, text="ok"),
        event(9, EventType.REPLY_STARTED),
        event(10, EventType.REPLY_DELTA, turn=9, **{"from": 1, "texts": ["Sure"]}),
    ]
    titles = {"requirements": "Requirements"}
    channel = SessionChannel(titles)
    full = feed_from_log(log, phase_titles=titles)
    cursors = [EventId(0), *(item.id for item in full)]
    for upto in (4, 7, len(log)):  # the cache is extended in steps, as appends arrive
        channel.log = log[:upto]
        for cursor in cursors:
            expected = feed_from_log(log[:upto], after=cursor, phase_titles=titles)
            assert channel.feed_after(cursor) == expected, (upto, cursor)
    assert channel.open_turn() == 9
    assert [str(item.id) for item in channel.feed_after(EventId(2, 2))][:3] == ["2.3", "2.4", "4"]


def test_appends_reported_during_the_first_read_are_not_lost():
    async def scenario():
        channel = SessionChannel()
        gate = asyncio.Event()

        async def first_fetch(after):
            await gate.wait()
            return events(1, 2)  # its query ran before 3 was committed

        reading = asyncio.create_task(channel.read_log(first_fetch))
        await asyncio.sleep(0)
        channel.take(events(3))  # committed and reported while the read is in flight
        gate.set()
        await reading

        async def fetch(after):
            return events(*range(after + 1, 4))

        return [event.seq for event in await channel.read_log(fetch)]

    assert asyncio.run(scenario()) == [1, 2, 3]


def test_appends_reported_after_the_loop_closed_are_ignored():
    """A write committed by another thread during shutdown must not raise in that thread."""
    from interviewer.live import TurnManager

    class Store:
        def add_listener(self, listener):
            self.listener = listener

    class Service:
        store = Store()
        plan = type("Plan", (), {"phases": []})()

    manager = TurnManager(Service())
    loop = asyncio.new_event_loop()
    manager._loop = loop
    manager._channels["s"] = SessionChannel()
    loop.close()
    Service.store.listener("s", events(1))  # would raise "Event loop is closed"


def test_an_idle_follower_gets_heartbeats_from_the_ticker_and_news_at_once():
    """Followers wait without a timer each; the manager's ticker wakes them for heartbeats."""
    from types import SimpleNamespace

    from interviewer.live import TurnManager

    log = events(1, 2)

    class Store:
        def add_listener(self, listener):
            self.listener = listener

        def events(self, session_id, after_seq=0):
            return [event for event in log if event.seq > after_seq]

    service = SimpleNamespace(
        store=Store(),
        plan=SimpleNamespace(phases=[]),
        clock=SimpleNamespace(now=lambda: T0),
    )

    async def scenario():
        manager = TurnManager(service, tick_seconds=0.01, run_sync=_inline)
        await manager.start()
        received = []
        try:
            feed = manager.follow(SimpleNamespace(id="s"), after=EventId(0), heartbeat=0.05)
            async with asyncio.timeout(5):
                async for item in feed:
                    received.append(None if item is None else str(item.id))
                    if received.count(None) == 2 and len(received) == 4:
                        log.append(events(3)[0])
                        service.store.listener("s", events(3))  # news wakes it at once
                    if "3" in received:
                        break
        finally:
            await manager.stop()
        return received

    assert asyncio.run(scenario()) == ["1", "2", None, None, "3"]


async def _inline(function, *args, **kwargs):
    return function(*args, **kwargs)


def test_a_wake_reaches_every_waiting_follower_and_one_that_left_does_not_matter():
    async def scenario():
        channel = SessionChannel()
        channel.wake(log_changed=False)  # nobody waiting: nothing is remembered
        staying = [asyncio.create_task(channel.wait()) for _ in range(3)]
        leaving = asyncio.create_task(channel.wait())
        await asyncio.sleep(0)
        assert not any(task.done() for task in [*staying, leaving])
        leaving.cancel()
        await asyncio.sleep(0)
        assert not any(task.done() for task in staying)
        channel.wake(log_changed=True)
        await asyncio.wait_for(asyncio.gather(*staying), 1)
        later = asyncio.create_task(channel.wait())  # waits for the next change, not the last
        await asyncio.sleep(0)
        assert not later.done()
        channel.wake(log_changed=False)
        await asyncio.wait_for(later, 1)
        return channel.log_version

    assert asyncio.run(scenario()) == 1
