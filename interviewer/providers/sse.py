"""Reading a Server-Sent Events body: just the ``data`` of each event.

A provider's stream is one small event per token, so the parser is on the hot path. It splits
the body at blank lines and joins each event's ``data:`` lines (the SSE rules: an optional
space after the colon, several data lines joined by newlines, comments and other fields
ignored, CR, LF or CRLF line ends), without building an object per line.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterator

__all__ = ["SSEDataParser", "sse_data"]


class SSEDataParser:
    """Feed it bytes as they arrive; it yields the data of each complete event."""

    def __init__(self) -> None:
        self._pending = b""
        self._cr_seen = False

    def feed(self, chunk: bytes) -> Iterator[str]:
        if b"\r" in chunk or self._cr_seen:
            chunk = self._normalise(chunk)
        buffer = self._pending + chunk if self._pending else chunk
        start = 0
        while True:
            end = buffer.find(b"\n\n", start)
            if end < 0:
                break
            data = _event_data(buffer[start:end])
            if data is not None:
                yield data
            start = end + 2
        self._pending = buffer[start:]

    def _normalise(self, chunk: bytes) -> bytes:
        # A CR at the end of one chunk may be the first half of a CRLF split across two.
        if self._cr_seen and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        self._cr_seen = chunk.endswith(b"\r")
        return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    def finish(self) -> str | None:
        """The data of a last event the body ended without a blank line after (if any)."""
        pending, self._pending = self._pending, b""
        return _event_data(pending.rstrip(b"\n")) if pending.strip() else None


def _event_data(block: bytes) -> str | None:
    if block.startswith(b"data: ") and b"\n" not in block:  # the usual one-line event
        return block[6:].decode()
    lines = []
    for line in block.split(b"\n"):
        if line.startswith(b"data"):
            field, _, value = line.partition(b":")
            if field != b"data":
                continue
            lines.append(value[1:] if value.startswith(b" ") else value)
    if not lines:
        return None
    return b"\n".join(lines).decode()


async def sse_data(body: AsyncIterable[bytes]) -> AsyncIterator[str]:
    """The data of every event of an SSE body."""
    parser = SSEDataParser()
    async for chunk in body:
        for data in parser.feed(chunk):
            yield data
    last = parser.finish()
    if last is not None:
        yield last
