"""A lean network layer under the provider SDKs' HTTP client.

The SDKs send their requests through httpx2 and httpcore2, which read the socket through
anyio: every read of a streamed reply opens and closes a cancel scope with its own deadline
(``fail_after``), and that bookkeeping costs more than parsing the chunk it reads. This module
gives httpcore2 a network backend on plain asyncio protocols instead: a read returns data
already received without any timer, and only a read that has to wait arms one
(``loop.call_later``). Everything above the socket (HTTP parsing, the connection pool,
keep-alive, TLS through ``loop.start_tls``, the SDK's errors and retries) is unchanged, and
respx, which patches the connection pool, still intercepts every request in tests.

On top of it the pool opens :class:`~interviewer.providers.http11.LeanHTTP11` connections,
which frame HTTP/1.1 themselves instead of through h11's event machine.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import socket
import ssl
import urllib.request
from collections.abc import Iterable
from typing import Any

import httpcore2
import httpx2

from interviewer.providers.http11 import LeanConnectionPool

__all__ = ["AsyncioBackend", "AsyncioStream", "http_client", "lean_transport"]

_HIGH_WATER = 1 << 18  # stop reading the socket while this much is received and unread
_DEFAULT_LIMITS = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)


class _StreamProtocol(asyncio.Protocol):
    """Buffers what the socket receives until ``read`` takes it; tracks write pressure."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._eof = False
        self._error: BaseException | None = None
        self._reader: asyncio.Future | None = None
        self._writing_paused = False
        self._drainer: asyncio.Future | None = None
        self._reading_paused = False

    # -- asyncio callbacks ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered > _HIGH_WATER and not self._reading_paused and self.transport:
            with contextlib.suppress(RuntimeError, AttributeError):
                self.transport.pause_reading()
                self._reading_paused = True
        self._wake_reader()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake_reader()
        return False  # close the transport

    def connection_lost(self, exc: BaseException | None) -> None:
        self._eof = True
        self._error = exc
        self._wake_reader()
        drainer, self._drainer = self._drainer, None
        if drainer is not None and not drainer.done():
            drainer.set_result(None)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        drainer, self._drainer = self._drainer, None
        if drainer is not None and not drainer.done():
            drainer.set_result(None)

    def _wake_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None and not reader.done():
            reader.set_result(None)

    # -- what the stream uses ---------------------------------------------------------------

    @property
    def readable(self) -> bool:
        """Data or an end is waiting: an idle pooled connection in this state is unusable."""
        return bool(self._chunks) or self._eof

    def _take(self, max_bytes: int) -> bytes:
        first = self._chunks[0]
        if len(first) <= max_bytes:  # the common case: hand over the chunk as received
            self._chunks.popleft()
            data = first
        else:
            data, self._chunks[0] = first[:max_bytes], first[max_bytes:]
        self._buffered -= len(data)
        if self._reading_paused and self._buffered <= _HIGH_WATER // 4 and self.transport:
            self._reading_paused = False
            with contextlib.suppress(RuntimeError, AttributeError):
                self.transport.resume_reading()
        return data

    async def read(self, max_bytes: int, timeout: float | None) -> bytes:
        if not self._chunks and not self._eof:
            loop = asyncio.get_running_loop()
            waiter = self._reader = loop.create_future()
            timer = None if timeout is None else loop.call_later(timeout, _expire, waiter)
            try:
                await waiter
            finally:
                if timer is not None:
                    timer.cancel()
                if self._reader is waiter:
                    self._reader = None
        if self._chunks:
            return self._take(max_bytes)
        if self._error is not None:
            raise httpcore2.ReadError(str(self._error) or type(self._error).__name__)
        return b""

    async def drain(self, timeout: float | None) -> None:
        if not self._writing_paused:
            return
        loop = asyncio.get_running_loop()
        waiter = self._drainer = loop.create_future()
        timer = None if timeout is None else loop.call_later(timeout, _expire_write, waiter)
        try:
            await waiter
        finally:
            if timer is not None:
                timer.cancel()


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(httpcore2.ReadTimeout("timed out waiting for the server"))


def _expire_write(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(httpcore2.WriteTimeout("timed out sending to the server"))


class AsyncioStream(httpcore2.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _StreamProtocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._protocol.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._transport.is_closing():
            raise httpcore2.WriteError("the connection is closed")
        self._transport.write(buffer)
        await self._protocol.drain(timeout)
        if self._protocol._error is not None:
            raise httpcore2.WriteError(str(self._protocol._error))

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport,
                    self._protocol,
                    ssl_context,
                    server_side=False,
                    server_hostname=server_hostname,
                )
        except TimeoutError as exc:
            self._transport.close()
            raise httpcore2.ConnectTimeout("timed out during the TLS handshake") from exc
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._transport.close()
            raise httpcore2.ConnectError(str(exc)) from exc
        if transport is None:  # the connection went away during the handshake
            raise httpcore2.ConnectError("the connection closed during the TLS handshake")
        self._protocol.transport = transport
        return AsyncioStream(transport, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self._protocol.readable
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info in ("ssl_object", "socket"):
            return self._transport.get_extra_info(info)
        return None


class AsyncioBackend(httpcore2.AsyncNetworkBackend):
    """httpcore2's network backend on asyncio transports (uvloop's, under uvicorn)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        return await self._connect(
            lambda: loop.create_connection(_StreamProtocol, host, port, local_addr=local),
            timeout,
            socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        return await self._connect(
            lambda: loop.create_unix_connection(_StreamProtocol, path), timeout, socket_options
        )

    @staticmethod
    async def _connect(open_connection, timeout, socket_options) -> AsyncioStream:
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await open_connection()
        except TimeoutError as exc:
            raise httpcore2.ConnectTimeout("timed out connecting to the server") from exc
        except OSError as exc:
            raise httpcore2.ConnectError(str(exc)) from exc
        sock: socket.socket | None = transport.get_extra_info("socket")
        for option in socket_options or ():
            if sock is not None:
                sock.setsockopt(*option)
        return AsyncioStream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def lean_transport(
    *, verify: ssl.SSLContext | str | bool = True, limits: httpx2.Limits = _DEFAULT_LIMITS
) -> httpx2.AsyncHTTPTransport:
    """httpx2's own transport (pool, keep-alive, TLS settings), reading through asyncio."""
    transport = httpx2.AsyncHTTPTransport(verify=verify, limits=limits)
    pool = transport._pool  # httpx2 built it from the settings; rebuild it leaner
    transport._pool = LeanConnectionPool(
        ssl_context=pool._ssl_context,
        max_connections=pool._max_connections,
        max_keepalive_connections=pool._max_keepalive_connections,
        keepalive_expiry=pool._keepalive_expiry,
        http1=True,
        http2=False,
        retries=pool._retries,
        local_address=pool._local_address,
        uds=pool._uds,
        network_backend=AsyncioBackend(),
        socket_options=pool._socket_options,
    )
    return transport


def http_client(*, timeout: float | httpx2.Timeout) -> httpx2.AsyncClient | None:
    """An HTTP client for a provider SDK: the SDKs' own defaults (limits, redirects) on the
    lean transport. ``None`` (the SDK's own client) when the environment names a proxy: a
    client given its own transport would not route through it."""
    if any(urllib.request.getproxies().values()):
        return None
    return httpx2.AsyncClient(
        timeout=timeout,
        limits=_DEFAULT_LIMITS,
        follow_redirects=True,
        transport=lean_transport(),
    )
