"""Server-Sent Events as pre-encoded bytes: the feed's hot path.

FastAPI's ``ServerSentEvent`` path validates a model and runs a keep-alive timer per event;
at thousands of tokens a second that costs more than the rest of the server. Here each event
is formatted straight to bytes, and the keep-alive ping comes from the follower's own idle
timeout.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator

from fastapi.sse import EventSourceResponse

from interviewer.feed import FeedEvent
from web.render import render_markdown

__all__ = ["PING_SECONDS", "encode", "event_stream", "stream_response"]

PING_SECONDS = 15.0
PING = b": ping\n\n"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def encode(item: FeedEvent) -> bytes:
    if item.event == "token":  # the hot path: one small string
        text = _dumps(item.data["text"])
        return f'id: {item.id}\nevent: token\ndata: {{"text": {text}}}\n\n'.encode()
    data = item.data
    message = data.get("message")
    if message is not None and "html" not in message:
        # Finished messages travel with their sanitised HTML; tokens stay plain text.
        data = {**data, "message": {**message, "html": render_markdown(message["text"])}}
    return f"id: {item.id}\nevent: {item.event}\ndata: {_dumps(data)}\n\n".encode()


def encode_plain(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {_dumps(data)}\n\n".encode()


async def event_stream(
    items: AsyncIterable[FeedEvent | list[FeedEvent] | None], *, first: bytes = b""
) -> AsyncIterator[bytes]:
    """Bytes for a feed; ``None`` items (idle heartbeats) become pings, and a list of events
    ready together goes out in one write."""
    if first:
        yield first
    async for item in items:
        if item is None:
            yield PING
        elif isinstance(item, list):
            yield b"".join([encode(event) for event in item])
        else:
            yield encode(item)


def stream_response(body: AsyncIterable[bytes]) -> EventSourceResponse:
    return EventSourceResponse(
        body, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
