"""The one retry rule: before the first piece only, retryable failures only, the provider's wait
honoured exactly, and a wait longer than the budget fails at once, saying how long."""

from __future__ import annotations

import asyncio

import pytest

from llm import ProviderError, RetryPolicy, call_with_retry, stream_with_retry
from llm.errors import retry_after_seconds


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def failing(*errors, then="ok"):
    """A call that raises each of ``errors`` in turn, then returns ``then``."""
    queue = list(errors)
    calls = []

    async def call():
        calls.append(1)
        if queue:
            raise queue.pop(0)
        return then

    return call, calls


def busy(retry_after=None, status=429):
    return ProviderError("busy", retryable=True, retry_after=retry_after, status=status)


def test_backoff_doubles_without_a_retry_after_and_stops_after_the_retries():
    sleeps = Sleeps()
    call, calls = failing(busy(), busy(), busy())
    with pytest.raises(ProviderError, match="busy"):
        asyncio.run(call_with_retry(call, sleep=sleeps))
    assert len(calls) == 3 and sleeps == [0.5, 1.0]


def test_the_wait_the_provider_asks_for_is_honoured_exactly():
    sleeps = Sleeps()
    call, calls = failing(busy(retry_after=7.0))
    assert asyncio.run(call_with_retry(call, sleep=sleeps)) == "ok"
    assert sleeps == [7.0] and len(calls) == 2


def test_a_wait_longer_than_the_budget_fails_at_once_and_says_how_long():
    sleeps = Sleeps()
    call, calls = failing(busy(retry_after=90.0))
    with pytest.raises(ProviderError, match=r"asked to wait 90 s .* the 20 s this call may"):
        asyncio.run(call_with_retry(call, sleep=sleeps))
    assert sleeps == [] and len(calls) == 1  # no early retry


def test_the_budget_counts_every_wait_of_the_call():
    sleeps = Sleeps()
    call, _ = failing(busy(retry_after=15.0), busy(retry_after=10.0))
    with pytest.raises(ProviderError, match="asked to wait 10 s"):
        asyncio.run(call_with_retry(call, policy=RetryPolicy(budget=20), sleep=sleeps))
    assert sleeps == [15.0]


def test_a_failure_that_is_not_retryable_is_final():
    sleeps = Sleeps()
    call, calls = failing(ProviderError("bad key", status=401))
    with pytest.raises(ProviderError, match="bad key"):
        asyncio.run(call_with_retry(call, sleep=sleeps))
    assert len(calls) == 1 and sleeps == []


def test_a_stream_is_retried_only_before_its_first_piece():
    sleeps = Sleeps()
    attempts = []

    async def stream():
        attempts.append(1)
        if len(attempts) == 1:
            raise busy()
        yield "first"
        raise busy()

    seen = []

    async def collect():
        async for piece in stream_with_retry(stream, sleep=sleeps):
            seen.append(piece)

    with pytest.raises(ProviderError, match="busy"):
        asyncio.run(collect())
    assert seen == ["first"] and len(attempts) == 2 and sleeps == [0.5]


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "junk", "retry-after": "2"}, 2.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"retry-after": "not a date"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_in_milliseconds_seconds_or_as_a_date(headers, seconds):
    assert retry_after_seconds(headers) == seconds
