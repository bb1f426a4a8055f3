"""A lean HTTP/1.1 connection for httpcore2's connection pool.

httpcore2 drives every connection through h11's event state machine: a streamed reply of a
few thousand one-token chunks costs a parsed event, state transitions and several layers of
iteration per chunk. This connection frames the exchange itself: it writes the request
head and body, parses the status line and headers, then decodes the body (chunked,
content-length, or to the end of the connection) and hands over every complete piece a read
brought in one go. The pool around it (assignment, keep-alive expiry, limits) is httpcore2's
own, so respx, which patches the pool, intercepts exactly as before.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpcore2
from httpcore2._async.connection import AsyncHTTPConnection

__all__ = ["LeanConnection", "LeanConnectionPool", "raw_body"]

_READ_SIZE = 64 * 1024
_MAX_HEAD = 64 * 1024
_NO_BODY_STATUS = frozenset({204, 304})


class LeanHTTP11(httpcore2.AsyncConnectionInterface):
    """One HTTP/1.1 connection: a request at a time, kept alive when the reply allows it."""

    def __init__(self, origin, stream: httpcore2.AsyncNetworkStream, keepalive_expiry):
        self._origin = origin
        self._stream = stream
        self._keepalive_expiry = keepalive_expiry
        self._state = "idle"  # idle, active or closed
        self._expire_at: float | None = None
        self._requests = 0
        self._leftover = b""  # bytes read after an informational reply's head
        self._http10 = False

    # -- one exchange -----------------------------------------------------------------------

    async def handle_async_request(self, request: httpcore2.Request) -> httpcore2.Response:
        if self._state != "idle":
            raise httpcore2.ConnectionNotAvailable()
        self._state, self._expire_at = "active", None
        self._requests += 1
        timeouts = request.extensions.get("timeout", {})
        try:
            await self._send(request, timeouts.get("write"))
            while True:
                status, reason, headers, rest = await self._read_head(timeouts.get("read"))
                if status >= 200 or status == 101:
                    break
                self._leftover = rest  # an informational reply (100 Continue): skip it
        except BaseException:
            await self.aclose()
            raise
        body = _Body(self, request.method, status, headers, rest, timeouts.get("read"))
        return httpcore2.Response(
            status=status,
            headers=headers,
            content=body,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": reason,
                "network_stream": self._stream,
            },
        )

    async def _send(self, request: httpcore2.Request, timeout: float | None) -> None:
        url = request.url
        lines = [b"%s %s HTTP/1.1" % (request.method, url.target)]
        chunked = False
        for name, value in request.headers:
            if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name:
                raise httpcore2.LocalProtocolError("a header contains a line break")
            lines.append(name + b": " + value)
            if name.lower() == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        head = b"\r\n".join(lines) + b"\r\n\r\n"
        parts = [head]
        async for piece in request.stream:
            if chunked:
                if piece:
                    parts.append(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                parts.append(piece)
        if chunked:
            parts.append(b"0\r\n\r\n")
        await self._stream.write(b"".join(parts), timeout)

    async def _read_head(self, timeout: float | None):
        buffer, self._leftover = self._leftover, b""
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            if len(buffer) > _MAX_HEAD:
                raise httpcore2.RemoteProtocolError("the reply's headers are too long")
            data = await self._stream.read(_READ_SIZE, timeout)
            if not data:
                raise httpcore2.RemoteProtocolError(
                    "Server disconnected without sending a response."
                )
            buffer += data
        head, rest = buffer[:end], buffer[end + 4 :]
        status_line, *header_lines = head.split(b"\r\n")
        try:
            version, status_text, *reason = status_line.split(b" ", 2)
            status = int(status_text)
        except ValueError:
            message = f"malformed status line {status_line[:80]!r}"
            raise httpcore2.RemoteProtocolError(message) from None
        if not version.startswith(b"HTTP/1.") or not 100 <= status <= 999:
            raise httpcore2.RemoteProtocolError(f"malformed status line {status_line[:80]!r}")
        headers = []
        for line in header_lines:
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                raise httpcore2.RemoteProtocolError(f"malformed header line {line[:80]!r}")
            headers.append((name.lower(), value.strip()))
        self._http10 = version == b"HTTP/1.0"
        return status, (reason[0] if reason else b""), headers, rest

    async def _read(self, timeout: float | None) -> bytes:
        data = await self._stream.read(_READ_SIZE, timeout)
        if not data:
            raise httpcore2.RemoteProtocolError(
                "peer closed connection without sending complete message body"
            )
        return data

    async def _finished(self, reusable: bool) -> None:
        if self._state == "active" and reusable and not self._http10:
            self._state = "idle"
            if self._keepalive_expiry is not None:
                self._expire_at = time.monotonic() + self._keepalive_expiry
        else:
            await self.aclose()

    # -- what the pool asks ------------------------------------------------------------------

    async def aclose(self) -> None:
        if self._state != "closed":
            self._state = "closed"
            await self._stream.aclose()

    def can_handle_request(self, origin) -> bool:
        return origin == self._origin

    def is_available(self) -> bool:
        return self._state == "idle"

    def has_expired(self) -> bool:
        if self._state != "idle":
            return False
        if self._expire_at is not None and time.monotonic() > self._expire_at:
            return True
        return bool(self._stream.get_extra_info("is_readable"))  # closed by the server

    def is_idle(self) -> bool:
        return self._state == "idle"

    def is_closed(self) -> bool:
        return self._state == "closed"

    def info(self) -> str:
        return f"HTTP/1.1, {self._state.upper()}, Request Count: {self._requests}"


class _Body:
    """A reply's body, decoded by its framing; the connection is reusable once it is read
    to its end and the server did not ask to close."""

    def __init__(self, connection: LeanHTTP11, method, status, headers, rest, timeout):
        self._connection = connection
        self._rest = rest
        self._timeout = timeout
        self._complete = False
        values = {}
        for name, value in headers:
            values[name] = values[name] + b"," + value if name in values else value
        close = b"close" in values.get(b"connection", b"").lower()
        if method == b"HEAD" or status in _NO_BODY_STATUS or status < 200:
            self._framing, self._length = "none", 0
        elif b"chunked" in values.get(b"transfer-encoding", b"").lower():
            self._framing, self._length = "chunked", 0
        elif b"content-length" in values:
            try:
                self._length = int(values[b"content-length"].split(b",")[0])
            except ValueError:
                raise httpcore2.RemoteProtocolError("malformed content-length") from None
            self._framing = "length"
        else:
            self._framing, self._length, close = "close", 0, True
        self._reusable = not close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            if self._framing == "chunked":
                async for piece in self._chunked():
                    yield piece
            elif self._framing == "length":
                async for piece in self._counted():
                    yield piece
            elif self._framing == "close":
                async for piece in self._to_close():
                    yield piece
            self._complete = True
        except BaseException:
            await self._connection.aclose()
            raise

    async def _counted(self) -> AsyncIterator[bytes]:
        left = self._length
        data = self._rest[:left]
        self._rest = b""
        while True:
            if data:
                left -= len(data)
                yield data
            if left <= 0:
                return
            data = (await self._connection._read(self._timeout))[:left]

    async def _to_close(self) -> AsyncIterator[bytes]:
        if self._rest:
            yield self._rest
        while data := await self._connection._stream.read(_READ_SIZE, self._timeout):
            yield data

    async def _chunked(self) -> AsyncIterator[bytes]:
        buffer, self._rest = self._rest, b""
        read = self._connection._read
        timeout = self._timeout
        while True:
            pieces = []
            position = 0
            while True:  # every complete chunk in the buffer
                line_end = buffer.find(b"\r\n", position)
                if line_end < 0:
                    break
                try:
                    size = int(buffer[position:line_end].split(b";", 1)[0], 16)
                except ValueError:
                    raise httpcore2.RemoteProtocolError("malformed chunk size") from None
                if size == 0:
                    if pieces:
                        yield b"".join(pieces)
                    await self._trailers(buffer[line_end + 2 :])
                    return
                start = line_end + 2
                if len(buffer) < start + size + 2:
                    break
                if buffer[start + size : start + size + 2] != b"\r\n":
                    raise httpcore2.RemoteProtocolError("malformed chunk")
                pieces.append(buffer[start : start + size])
                position = start + size + 2
            if pieces:
                yield b"".join(pieces)
            buffer = buffer[position:] + await read(timeout)

    async def _trailers(self, buffer: bytes) -> None:
        while True:
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                buffer += await self._connection._read(self._timeout)
                continue
            if line_end == 0:
                if buffer[2:]:
                    self._reusable = False  # bytes after the reply: do not trust the stream
                return
            buffer = buffer[line_end + 2 :]

    async def aclose(self) -> None:
        await self._connection._finished(self._complete and self._reusable)


class LeanConnection(AsyncHTTPConnection):
    """httpcore2's connection (connecting, TLS, retries), speaking HTTP/1.1 through
    :class:`LeanHTTP11`."""

    async def handle_async_request(self, request: httpcore2.Request) -> httpcore2.Response:
        if not self.can_handle_request(request.url.origin):
            raise RuntimeError(
                f"a request to {request.url.origin} on a connection to {self._origin}"
            )
        try:
            async with self._request_lock:
                if self._connection is None:
                    stream = await self._connect(request)
                    self._connection = LeanHTTP11(self._origin, stream, self._keepalive_expiry)
        except BaseException:
            self._connect_failed = True
            raise
        return await self._connection.handle_async_request(request)

    # The pool asks every connection these at every request and every response's end;
    # answered here from the HTTP/1.1 state directly (one call each, not two).

    def is_available(self) -> bool:
        connection = self._connection
        return connection is not None and connection._state == "idle"

    def is_idle(self) -> bool:
        connection = self._connection
        return self._connect_failed if connection is None else connection._state == "idle"

    def is_closed(self) -> bool:
        connection = self._connection
        return self._connect_failed if connection is None else connection._state == "closed"

    def is_connected(self) -> bool:
        connection = self._connection
        return connection is not None and connection._state != "closed"

    def has_expired(self) -> bool:
        connection = self._connection
        return self._connect_failed if connection is None else connection.has_expired()

    def can_multiplex(self) -> bool:
        return False


class LeanConnectionPool(httpcore2.AsyncConnectionPool):
    """httpcore2's pool, opening :class:`LeanConnection`s (HTTP/1.1 only, no proxy)."""

    def _lean(self) -> bool:
        return self._proxy is None and not self._http2

    def create_connection(self, origin) -> httpcore2.AsyncConnectionInterface:
        if not self._lean():
            return super().create_connection(origin)
        return LeanConnection(
            origin=origin,
            ssl_context=self._ssl_context,
            keepalive_expiry=self._keepalive_expiry,
            http1=True,
            http2=False,
            retries=self._retries,
            local_address=self._local_address,
            uds=self._uds,
            network_backend=self._network_backend,
            socket_options=self._socket_options,
        )

    def _assign_requests_to_connections(self) -> list[httpcore2.AsyncConnectionInterface]:
        """httpcore2's pass over the pool (drop closed connections, close expired and surplus
        idle ones, hand queued requests an idle connection or a new one), in one loop that
        reads each lean connection's state once. The pool runs it at every request and every
        response's end: with a few hundred replies streaming, the stock pass asks each
        connection five questions through two method calls apiece."""
        if not self._lean():
            return super()._assign_requests_to_connections()
        requests = self._requests
        reserved = {request.connection for request in requests}
        closing: list = []
        retained: list = []
        idle: list = []  # idle and not reserved by a request: free to take one
        for connection in self._connections:
            http = connection._connection
            if http is None:  # still connecting, or failed to
                if not connection._connect_failed and connection in reserved:
                    retained.append(connection)
                continue  # a failed connection, or one whose request gave up before it
            state = http._state
            if state == "closed":
                continue
            if state == "idle" and connection not in reserved:
                if http.has_expired():
                    closing.append(connection)
                    continue
                idle.append(connection)
            retained.append(connection)
        surplus = len(idle) - self._max_keepalive_connections
        if surplus > 0:
            dropped, idle = idle[:surplus], idle[surplus:]
            closing += dropped
            gone = set(map(id, dropped))
            retained = [connection for connection in retained if id(connection) not in gone]
        self._connections = retained
        budget = self._max_connections - len(retained)
        for request in requests:
            if not idle and budget <= 0:
                break
            if not request.is_queued():
                continue
            origin = request.request.url.origin
            for index, connection in enumerate(idle):
                if connection.can_handle_request(origin):
                    del idle[index]
                    request.assign_to_connection(connection)
                    break
            else:
                if budget <= 0:  # no room: an idle connection elsewhere makes way
                    replaced = idle.pop(0)
                    retained.remove(replaced)
                    closing.append(replaced)
                    budget += 1
                connection = self.create_connection(origin)
                retained.append(connection)
                request.assign_to_connection(connection)
                budget -= 1
        return closing


def raw_body(response) -> AsyncIterator[bytes] | None:
    """The body of an httpx2 ``response`` read straight from its :class:`LeanHTTP11`
    connection, past httpx2's and the pool's per-chunk wrappers; ``None`` when the response
    did not come from one (a mock, a proxy) or needs decoding (a ``content-encoding``).

    What it raises is httpcore2's exceptions, not httpx2's; closing the response still goes
    through the whole chain (the connection returns to the pool).
    """
    if response.headers.get("content-encoding", "identity") != "identity":
        return None
    stream = response.stream
    for name in ("_stream", "_httpcore_stream", "_stream"):  # httpx2 -> transport -> pool
        stream = getattr(stream, name, None)
    return stream.__aiter__() if isinstance(stream, _Body) else None
