"""The SSE encoder: the token fast path writes exactly what the general path would."""

from __future__ import annotations

import asyncio

from interviewer.feed import EventId, FeedEvent
from web.sse import _dumps, encode, event_stream


def general(item: FeedEvent) -> bytes:
    return f"id: {item.id}\nevent: {item.event}\ndata: {_dumps(item.data)}\n\n".encode()


def test_token_events_encode_as_the_general_format():
    for text in ["plain ", 'a "quoted" \\ path', "é ☕ \n\t", "</script>", ""]:
        item = FeedEvent(EventId(12, 3), "token", {"text": text})
        assert encode(item) == general(item)


def test_a_batch_is_one_write_of_its_events_in_order_and_none_is_a_ping():
    tokens = [FeedEvent(EventId(5, i), "token", {"text": f"t{i} "}) for i in (1, 2, 3)]

    async def feed():
        yield tokens
        yield None
        yield FeedEvent(EventId(6), "warning", {"kind": "phase_ending"})

    async def collect():
        return [chunk async for chunk in event_stream(feed(), first=b": hi\n\n")]

    chunks = asyncio.run(collect())
    assert chunks[0] == b": hi\n\n"
    assert chunks[1] == b"".join(general(token) for token in tokens)
    assert chunks[2] == b": ping\n\n"
    assert chunks[3].startswith(b"id: 6\nevent: warning\n")
