"""The floor: the upstream's SSE bytes piped straight through a minimal Starlette endpoint.

Run: python -m bench.bare_relay PORT UPSTREAM_URL
POST /relay streams what the upstream sends, byte for byte, with no parsing at all.
"""

from __future__ import annotations

import sys

import httpx2
import uvicorn
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route


def make_app(upstream: str) -> Starlette:
    client = httpx2.AsyncClient(timeout=60, limits=httpx2.Limits(max_connections=2000))

    async def relay(request):
        body = await request.body()

        async def pipe():
            async with client.stream("POST", upstream, content=body) as response:
                async for chunk in response.aiter_raw():
                    yield chunk

        return StreamingResponse(pipe(), media_type="text/event-stream")

    return Starlette(routes=[Route("/relay", relay, methods=["POST"])])


if __name__ == "__main__":
    uvicorn.run(
        make_app(sys.argv[2]),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        loop="uvloop",
        http="httptools",
        backlog=4096,
    )
