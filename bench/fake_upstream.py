"""A fake model provider for the benchmarks: streams N tokens at a fixed rate, each carrying the
wall-clock time it was emitted, so a client can compute the latency added after it.

    python -m bench.fake_upstream PORT [TOKENS] [RATE]

``POST /v1/chat/completions`` answers in OpenAI's streaming format, ``POST /v1/messages`` in
Anthropic's. Everything but the timestamp is pre-encoded, so the fake costs little CPU per
token. The usage it reports is what it saw: the prompt's size (about four bytes a token) and the
tokens it sent; no cache, so no cached tokens.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import uvicorn

TOKENS = 50
RATE = 50.0  # tokens per second per stream

_OPENAI_HEAD = (
    b'data: {"id":"b","object":"chat.completion.chunk","created":0,"model":"bench",'
    b'"choices":[{"index":0,"delta":{"content":"'
)
_OPENAI_TAIL = b' "},"finish_reason":null}]}\n\n'
_OPENAI_FINISH = (
    b'data: {"id":"b","object":"chat.completion.chunk","created":0,"model":"bench",'
    b'"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
)
_ANTHROPIC_HEAD = (
    b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
    b'"delta":{"type":"text_delta","text":"'
)
_ANTHROPIC_TAIL = b' "}}\n\n'


def _openai_usage(prompt_tokens: int, tokens: int) -> bytes:
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": tokens}
    usage |= {"total_tokens": prompt_tokens + tokens, "prompt_tokens_details": {"cached_tokens": 0}}
    chunk = {"id": "b", "object": "chat.completion.chunk", "created": 0, "model": "bench"}
    chunk |= {"choices": [], "usage": usage}
    return b"data: " + json.dumps(chunk).encode() + b"\n\ndata: [DONE]\n\n"


def _anthropic_start(prompt_tokens: int) -> bytes:
    message = {"id": "msg_b", "type": "message", "role": "assistant", "model": "bench"}
    message |= {"content": [], "stop_reason": None, "stop_sequence": None}
    message["usage"] = {"input_tokens": prompt_tokens, "output_tokens": 1}
    start = {"type": "message_start", "message": message}
    block = {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "text", "text": ""},
    }
    return (
        b"event: message_start\ndata: " + json.dumps(start).encode() + b"\n\n"
        b"event: content_block_start\ndata: " + json.dumps(block).encode() + b"\n\n"
    )


def _anthropic_finish(tokens: int) -> bytes:
    delta = {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}}
    delta["usage"] = {"output_tokens": tokens}
    return (
        b'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
        b"event: message_delta\ndata: " + json.dumps(delta).encode() + b"\n\n"
        b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
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
        size = 0
        more = True
        while more:  # drain the request body
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        prompt_tokens = max(1, size // 4)
        anthropic = scope["path"].endswith("/messages")
        head, tail = (
            (_ANTHROPIC_HEAD, _ANTHROPIC_TAIL) if anthropic else (_OPENAI_HEAD, _OPENAI_TAIL)
        )
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        if anthropic:
            await send(
                {
                    "type": "http.response.body",
                    "body": _anthropic_start(prompt_tokens),
                    "more_body": True,
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
                {"type": "http.response.body", "body": head + stamp + tail, "more_body": True}
            )
        finish = (
            _anthropic_finish(tokens)
            if anthropic
            else _OPENAI_FINISH + _openai_usage(prompt_tokens, tokens)
        )
        await send({"type": "http.response.body", "body": finish, "more_body": False})

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
