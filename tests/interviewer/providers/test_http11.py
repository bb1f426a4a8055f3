"""The lean HTTP/1.1 connection's framing, against a server that sends canned raw replies."""

from __future__ import annotations

import asyncio
import random

import httpcore2
import httpx2
import pytest
from httpcore2._async.connection_pool import AsyncPoolRequest

from interviewer.providers.http11 import LeanConnectionPool, LeanHTTP11
from interviewer.providers.transport import lean_transport

REPLIES = {
    "/length": b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
    "/chunked-ext": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Multi: a\r\nX-Multi: b\r\n\r\n"
        b"5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
    ),
    "/continue": (
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
    ),
    "/no-content": b"HTTP/1.1 204 No Content\r\n\r\n",
    "/close": b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye",
    "/to-close": b"HTTP/1.1 200 OK\r\n\r\nuntil the end",
    "/garbage": b"SPDY/9 what\r\n\r\n",
    "/bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    "/short": b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nnot fifty",
    "/hangup": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
}
CLOSES_AFTER = {"/close", "/to-close", "/garbage", "/bad-chunk", "/short", "/hangup"}


class RawServer:
    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[bytes] = []

    async def __aenter__(self) -> RawServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.base = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()

    async def _serve(self, reader, writer) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests.append(head)
                method, path = head.split(b" ")[:2]
                body = b""
                if b"transfer-encoding: chunked" in head.lower():
                    while (size := int((await reader.readuntil(b"\r\n")).strip(), 16)) != 0:
                        body += (await reader.readexactly(size + 2))[:-2]
                    await reader.readuntil(b"\r\n")
                    self.requests.append(body)
                reply = REPLIES[path.decode()]
                if method == b"HEAD":
                    reply = reply.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
                writer.write(reply)
                await writer.drain()
                if path.decode() in CLOSES_AFTER:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def run(scenario):
    async def wrapped():
        async with (
            RawServer() as server,
            httpx2.AsyncClient(transport=lean_transport(), timeout=5) as client,
        ):
            return await scenario(server, client), server

    return asyncio.run(wrapped())


def test_each_framing_is_decoded_and_the_connection_kept_when_allowed():
    async def scenario(server, client):
        results = []
        for path in ("/length", "/chunked-ext", "/continue", "/no-content", "/length"):
            response = await client.get(server.base + path)
            results.append((response.status_code, response.text))
        head = await client.head(server.base + "/length")
        results.append((head.status_code, head.text, head.headers["content-length"]))
        multi = await client.get(server.base + "/chunked-ext")
        results.append(multi.headers.get_list("x-multi"))
        return results

    results, server = run(scenario)
    assert results == [
        (200, "hello world"),
        (200, "hello world"),
        (201, "ok"),
        (204, ""),
        (200, "hello world"),
        (200, "", "11"),
        ["a", "b"],
    ]
    assert server.connections == 1


def test_a_reply_that_closes_is_read_whole_and_the_next_request_reconnects():
    async def scenario(server, client):
        first = await client.get(server.base + "/close")
        to_close = await client.get(server.base + "/to-close")
        after = await client.get(server.base + "/length")
        return first.text, to_close.text, after.text

    texts, server = run(scenario)
    assert texts == ("bye", "until the end", "hello world")
    assert server.connections == 3


@pytest.mark.parametrize("path", ["/garbage", "/bad-chunk", "/short"])
def test_malformed_or_cut_replies_are_protocol_errors_and_the_pool_recovers(path):
    async def scenario(server, client):
        with pytest.raises(httpx2.RemoteProtocolError):
            await client.get(server.base + path)
        return (await client.get(server.base + "/length")).text

    text, _ = run(scenario)
    assert text == "hello world"


def test_a_streamed_request_body_is_sent_chunked():
    async def scenario(server, client):
        async def body():
            yield b"part one, "
            yield b""
            yield b"part two"

        response = await client.post(server.base + "/length", content=body())
        return response.text

    text, server = run(scenario)
    assert text == "hello world"
    assert server.requests[-1] == b"part one, part two"


def test_an_idle_connection_the_server_hung_up_on_is_not_reused():
    async def scenario(server, client):
        await client.get(server.base + "/hangup")
        await asyncio.sleep(0.05)  # the server's FIN arrives while the connection is idle
        return (await client.get(server.base + "/length")).text

    text, server = run(scenario)
    assert text == "hello world" and server.connections == 2


def test_a_header_value_with_a_line_break_is_refused_before_sending():
    async def scenario(server, client):
        with pytest.raises((httpx2.LocalProtocolError, ValueError)):
            await client.get(server.base + "/length", headers={"x-evil": "a\r\nInjected: 1"})
        return server.requests

    requests, _ = run(scenario)
    assert not any(b"Injected" in request for request in requests)


# -- the pool's pass over its connections --------------------------------------------------------


class _FakeStream:
    def __init__(self, readable: bool) -> None:
        self.readable = readable

    def get_extra_info(self, info):
        return self.readable if info == "is_readable" else None


def _random_pool(seed: int):
    """A pool in a random state: connections connecting, failed, active, idle (fresh, expired
    by time or hung up on), closed; requests queued or holding a connection; two origins."""
    rng = random.Random(seed)
    origins = [httpcore2.URL(f"http://{host}:80/").origin for host in ("a.test", "b.test")]
    pool = LeanConnectionPool(
        max_connections=rng.randint(1, 12), max_keepalive_connections=rng.randint(0, 6)
    )
    connections = []
    for _ in range(rng.randint(0, 12)):
        origin = rng.choice(origins)
        connection = pool.create_connection(origin)
        kind = rng.choice(["connecting", "failed", "active", "idle", "expired", "closed"])
        if kind == "failed":
            connection._connect_failed = True
        elif kind != "connecting":
            http = LeanHTTP11(origin, _FakeStream(kind == "expired" and rng.random() < 0.5), 5.0)
            http._state = {"expired": "idle"}.get(kind, kind)
            if kind == "expired" and not http._stream.readable:
                http._expire_at = 0.0  # long past
            connection._connection = http
        connections.append(connection)
    pool._connections = list(connections)
    for _ in range(rng.randint(0, 10)):
        origin = rng.choice(origins)
        request = AsyncPoolRequest(httpcore2.Request("GET", f"http://{origin.host.decode()}/"))
        if connections and rng.random() < 0.4:
            request.connection = rng.choice(connections)
        pool._requests.append(request)
    return pool, connections


def _outcome(pool, connections, closing):
    def name(connection):
        if connection in connections:
            return connections.index(connection)
        return ("new", connection._origin.host)

    return (
        [name(c) for c in pool._connections],
        [name(c) for c in closing],
        [None if r.connection is None else name(r.connection) for r in pool._requests],
    )


@pytest.mark.parametrize("seed", range(400))
def test_the_lean_pass_over_the_pool_decides_exactly_what_httpcores_own_pass_decides(seed):
    async def compare():  # a request's "connection acquired" event wants a running loop
        stock_pool, stock_connections = _random_pool(seed)
        closing = httpcore2.AsyncConnectionPool._assign_requests_to_connections(stock_pool)
        expected = _outcome(stock_pool, stock_connections, closing)
        lean_pool, lean_connections = _random_pool(seed)
        closing = lean_pool._assign_requests_to_connections()
        assert _outcome(lean_pool, lean_connections, closing) == expected

    asyncio.run(compare())
