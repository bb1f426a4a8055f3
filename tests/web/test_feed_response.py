"""The event feeds' response: body pieces go straight to the server, the start and the end
still pass every middleware."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from web.app import InterviewApp
from web.sse import stream_response


class Recording:
    """A pure ASGI middleware noting every message it is asked to send."""

    def __init__(self, app, seen: list) -> None:
        self.app, self.seen = app, seen

    async def __call__(self, scope, receive, send):
        async def noting(message):
            if message["type"].startswith("http."):
                self.seen.append(message["type"])
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-seen", b"yes")]
            await send(message)

        await self.app(scope, receive, noting)


PIECES = [f"id: {number}\nevent: token\ndata: {{}}\n\n".encode() for number in range(5)]


def feed_app(app: FastAPI, seen: list) -> FastAPI:
    @app.get("/feed")
    async def feed():
        async def pieces():
            for piece in PIECES:
                yield piece

        return stream_response(pieces())

    app.add_middleware(Recording, seen=seen)
    return app


def test_feed_pieces_skip_the_middleware_but_its_headers_and_the_end_do_not():
    seen: list[str] = []
    app = feed_app(InterviewApp(), seen)
    with TestClient(app) as client, client.stream("GET", "/feed") as response:
        body = b"".join(response.iter_bytes())
        assert response.headers["x-seen"] == "yes"
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
    assert body == b"".join(PIECES)
    assert seen == ["http.response.start", "http.response.body"]  # the start and the end only


def test_without_the_apps_server_send_the_pieces_go_through_the_middleware():
    seen: list[str] = []
    app = feed_app(FastAPI(), seen)
    with TestClient(app) as client:
        assert client.get("/feed").content == b"".join(PIECES)
    assert seen.count("http.response.body") == len(PIECES) + 1
