"""A fake OpenAI-compatible upstream: streams N tokens at a fixed rate, each carrying the
wall-clock time it was emitted, so a client can compute the latency added after it.

Run: python -m bench.fake_upstream PORT [TOKENS] [RATE]
Everything but the timestamp is pre-encoded, so the fake costs little CPU per token.
"""

from __future__ import annotations

import asyncio
import sys
import time

import uvicorn

TOKENS = 50
RATE = 50.0  # tokens per second per stream

_HEAD = (
    b'data: {"id":"b","object":"chat.completion.chunk","created":0,"model":"bench",'
    b'"choices":[{"index":0,"delta":{"content":"'
)
_TAIL = b' "},"finish_reason":null}]}\n\n'
_FINISH = (
    b'data: {"id":"b","object":"chat.completion.chunk","created":0,"model":"bench",'
    b'"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
    b'data: {"id":"b","object":"chat.completion.chunk","created":0,"model":"bench","choices":[],'
    b'"usage":{"prompt_tokens":900,"completion_tokens":50,"total_tokens":950,'
    b'"prompt_tokens_details":{"cached_tokens":768}}}\n\n'
    b"data: [DONE]\n\n"
)


def make_app(tokens: int = TOKENS, rate: float = RATE):
    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        # Drain the request body.
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        interval = 1.0 / rate
        start = time.monotonic()
        for index in range(tokens):
            delay = start + index * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            stamp = f"{time.time():.6f}".encode()
            await send(
                {"type": "http.response.body", "body": _HEAD + stamp + _TAIL, "more_body": True}
            )
        await send({"type": "http.response.body", "body": _FINISH, "more_body": False})

    return app


if __name__ == "__main__":
    port = int(sys.argv[1])
    tokens = int(sys.argv[2]) if len(sys.argv) > 2 else TOKENS
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else RATE
    uvicorn.run(
        make_app(tokens, rate),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        loop="uvloop",
        http="httptools",
        backlog=4096,
    )
