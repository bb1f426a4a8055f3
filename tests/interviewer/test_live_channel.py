"""The shared, cached log behind live followers stays exact under racing updates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

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


def test_appends_reported_during_the_first_read_are_fetched_by_the_next_read():
    """The first read's query ran before these appends committed; the report of them arrived
    before the read returned, while nothing was cached. The next read must fetch them."""

    async def scenario():
        channel = SessionChannel()
        gate = asyncio.Event()
        committed = [1, 2, 3]

        async def fetch(after):
            snapshot = [seq for seq in committed if seq > after]  # the query runs now...
            await gate.wait()  # ...and its rows come back later
            return events(*snapshot)

        first = asyncio.create_task(channel.read_log(fetch))
        await asyncio.sleep(0)
        committed += [4, 5]
        channel.take(events(4, 5))  # reported while the first read is in flight
        gate.set()
        assert [event.seq for event in await first] == [1, 2, 3]
        return [event.seq for event in await channel.read_log(fetch)]

    assert asyncio.run(scenario()) == [1, 2, 3, 4, 5]
