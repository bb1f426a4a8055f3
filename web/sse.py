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
from starlette.types import Receive, Scope, Send

from interviewer.feed import FeedEvent
from web.render import render_markdown

__all__ = [
    "PING_SECONDS",
    "SERVER_SEND",
    "FeedResponse",
    "encode",
    "event_stream",
    "stream_response",
]

# The scope key under which the app keeps the server's own ``send`` (see web/app.py).
SERVER_SEND = "interview.server_send"

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


class FeedResponse(EventSourceResponse):
    """An SSE response whose body pieces go straight to the server's ``send``.

    The response start and end still travel through every middleware (security headers,
    the identity cookie, error tracking: all of them act on the start only); the pieces in
    between, one per token at full load, skip five layers of ``send`` wrappers. A middleware
    that rewrote bodies (compression) would have to be left out of this path, and an event
    stream is not one to compress anyway.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._server_send = scope.get(SERVER_SEND)
        await super().__call__(scope, receive, send)

    async def stream_response(self, send: Send) -> None:
        start = {"type": "http.response.start", "status": self.status_code}
        await send({**start, "headers": self.raw_headers})
        direct = self._server_send or send
        async for chunk in self.body_iterator:
            await direct({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def stream_response(body: AsyncIterable[bytes]) -> EventSourceResponse:
    return FeedResponse(body, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
