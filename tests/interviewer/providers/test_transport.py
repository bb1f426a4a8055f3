"""The lean network layer under the provider SDKs, over real loopback sockets (no mocks)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import ssl
import subprocess
import time

import httpx2
import pytest

from interviewer.base import ReplyMeta
from interviewer.providers.http11 import LeanConnectionPool
from interviewer.providers.openai_chat import OpenAIChatInterviewer
from interviewer.providers.transport import AsyncioBackend, http_client, lean_transport
from tests.interviewer.factories import context
from tests.interviewer.providers.wire import openai_stream, openai_usage


class Server:
    """A tiny HTTP/1.1 server: keep-alive, chunked bodies sent piece by piece."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.connections = 0
        self.ssl_context = ssl_context
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.ssl_context)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), 1)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ")[1].decode()
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if length:
                    await reader.readexactly(length)
                if not await self._respond(path, writer):
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _respond(self, path: str, writer: asyncio.StreamWriter) -> bool:
        if path == "/silent":
            await asyncio.sleep(30)
            return False
        if path.endswith("/chat/completions") or path == "/cut/chat/completions":
            body = openai_stream("Hello ", "there.", usage=openai_usage())
            pieces = [body[i : i + 37] for i in range(0, len(body), 37)]
        else:
            pieces = [f"data: {n}\n\n".encode() for n in range(5)]
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        for index, piece in enumerate(pieces):
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
            await asyncio.sleep(0.001)
            if path.startswith("/cut") and index == 2:
                writer.transport.abort()
                return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True


def run(coroutine):
    return asyncio.run(coroutine)


def test_the_lean_transport_reads_through_the_asyncio_backend():
    transport = lean_transport()
    assert isinstance(transport._pool, LeanConnectionPool)
    assert isinstance(transport._pool._network_backend, AsyncioBackend)


def test_streamed_bodies_arrive_whole_in_order_on_one_kept_alive_connection():
    async def scenario():
        async with Server() as server:
            async with httpx2.AsyncClient(transport=lean_transport(), timeout=5) as client:
                bodies = []
                for _ in range(3):
                    async with client.stream("GET", f"http://127.0.0.1:{server.port}/s") as r:
                        bodies.append(b"".join([chunk async for chunk in r.aiter_raw()]))
            return bodies, server.connections

    bodies, connections = run(scenario())
    assert bodies == [b"".join(f"data: {n}\n\n".encode() for n in range(5))] * 3
    assert connections == 1


def test_a_silent_server_is_a_read_timeout():
    async def scenario():
        async with Server() as server:
            transport = lean_transport()
            async with httpx2.AsyncClient(transport=transport, timeout=0.2) as client:
                started = time.monotonic()
                with pytest.raises(httpx2.ReadTimeout):
                    await client.get(f"http://127.0.0.1:{server.port}/silent")
                return time.monotonic() - started

    assert run(scenario()) < 5


def test_a_body_cut_off_midway_is_a_transport_error():
    async def scenario():
        async with (
            Server() as server,
            httpx2.AsyncClient(transport=lean_transport(), timeout=5) as client,
        ):
            with pytest.raises(httpx2.TransportError):
                async with client.stream("GET", f"http://127.0.0.1:{server.port}/cut") as r:
                    async for _ in r.aiter_raw():
                        pass

    run(scenario())


def test_nothing_listening_is_a_connect_error():
    async def scenario():
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()
        async with httpx2.AsyncClient(transport=lean_transport(), timeout=5) as client:
            with pytest.raises(httpx2.ConnectError):
                await client.get(f"http://127.0.0.1:{port}/")

    run(scenario())


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_works_through_start_tls(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))

    async def scenario():
        async with Server(server_context) as server:
            transport = lean_transport(verify=client_context)
            async with httpx2.AsyncClient(transport=transport, timeout=5) as client:
                first = await client.get(f"https://127.0.0.1:{server.port}/s")
                second = await client.get(f"https://127.0.0.1:{server.port}/s")
            untrusted = lean_transport()  # the system's CAs do not know this certificate
            async with httpx2.AsyncClient(transport=untrusted, timeout=5) as client:
                with pytest.raises(httpx2.ConnectError):
                    await client.get(f"https://127.0.0.1:{server.port}/s")
            return first.text, second.text, server.connections

    first, second, connections = run(scenario())
    assert first == second == "".join(f"data: {n}\n\n" for n in range(5))
    assert connections == 1  # both requests on one connection (the refused one never got in)


def test_the_openai_interviewer_streams_over_real_sockets():
    async def scenario():
        async with Server() as server:
            model = OpenAIChatInterviewer(
                model="m", api_key="k", base_url=f"http://127.0.0.1:{server.port}/v1"
            )
            items = [item async for item in model.stream_reply(context(said=["Hi"]))]
            return items

    *pieces, meta = run(scenario())
    assert "".join(pieces) == "Hello there."
    assert isinstance(meta, ReplyMeta) and meta.usage.output_tokens == 42


def test_a_proxy_in_the_environment_leaves_the_sdk_its_own_client(monkeypatch):
    assert isinstance(http_client(timeout=5), httpx2.AsyncClient)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert http_client(timeout=5) is None


def test_requests_carry_their_json_body():
    async def scenario():
        received = {}

        async def serve(reader, writer):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            received["body"] = json.loads(await reader.readexactly(length))
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with httpx2.AsyncClient(transport=lean_transport(), timeout=5) as client:
            response = await client.post(f"http://127.0.0.1:{port}/", json={"a": "é" * 70000})
        server.close()
        return response.text, received["body"]

    text, body = run(scenario())
    assert text == "ok" and body == {"a": "é" * 70000}


def test_the_provider_reads_the_body_straight_from_the_lean_connection():
    from interviewer.providers.http11 import raw_body

    async def scenario():
        async with (
            Server() as server,
            httpx2.AsyncClient(transport=lean_transport(), timeout=5) as client,
        ):
            async with client.stream("GET", f"http://127.0.0.1:{server.port}/s") as response:
                body = raw_body(response)
                read = b"".join([chunk async for chunk in body])
            again = await client.get(f"http://127.0.0.1:{server.port}/s")  # the same connection
            return read, again.text, server.connections

    read, again, connections = run(scenario())
    assert read == again.encode() == b"".join(f"data: {n}\n\n".encode() for n in range(5))
    assert connections == 1


def test_a_reply_cut_off_midway_over_real_sockets_is_a_provider_error():
    from interviewer.base import InterviewerError

    async def scenario():
        async with Server() as server:
            model = OpenAIChatInterviewer(
                model="m", api_key="k", base_url=f"http://127.0.0.1:{server.port}/cut"
            )
            with pytest.raises(InterviewerError) as caught:
                async for _ in model.stream_reply(context(said=["Hi"])):
                    pass
            return str(caught.value)

    assert "could not reach" in run(scenario())
