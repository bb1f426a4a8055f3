"""The SSE data parser behind the provider streams."""

from __future__ import annotations

import asyncio

import pytest

from interviewer.providers.sse import SSEDataParser, sse_data

BODY = (
    b": a comment\n\n"
    b"data: one\n\n"
    b"event: update\ndata: two\nid: 7\n\n"
    b"data:three\n\n"
    b"data: four, line 1\ndata: four, line 2\n\n"
    b"retry: 100\n\n"
    b"data: [DONE]\n\n"
)
EXPECTED = ["one", "two", "three", "four, line 1\nfour, line 2", "[DONE]"]


def parse(chunks):
    parser = SSEDataParser()
    out = [data for chunk in chunks for data in parser.feed(chunk)]
    last = parser.finish()
    return out + ([last] if last is not None else [])


def test_events_fields_comments_and_multiline_data():
    assert parse([BODY]) == EXPECTED


@pytest.mark.parametrize("line_end", [b"\r\n", b"\r"])
def test_cr_and_crlf_line_ends(line_end):
    assert parse([BODY.replace(b"\n", line_end)]) == EXPECTED


def test_any_split_of_the_body_gives_the_same_events():
    crlf = BODY.replace(b"\n", b"\r\n")
    for body in (BODY, crlf):
        for cut in range(1, len(body)):
            assert parse([body[:cut], body[cut:]]) == EXPECTED, cut
    assert parse([bytes([byte]) for byte in crlf]) == EXPECTED


def test_a_last_event_without_a_blank_line_is_kept_and_utf8_is_decoded():
    assert parse(["data: café ☕\n\ndata: tail".encode()]) == ["café ☕", "tail"]


def test_the_async_reader():
    async def body():
        for index in range(0, len(BODY), 5):
            yield BODY[index : index + 5]

    async def collect():
        return [data async for data in sse_data(body())]

    assert asyncio.run(collect()) == EXPECTED
