"""The one retry rule for model calls (the SDKs' own retries are switched off).

- A streamed call is retried only while nothing of it has arrived: once a piece has been
  shown to the candidate, a failure is final, and the caller stores the reply as interrupted.
- Only failures :func:`llm.errors.classify` calls retryable are retried: connection errors,
  timeouts, 408, 409, 429 and 5xx.
- ``retry-after-ms`` or ``retry-after`` is honoured exactly, never cut short. Without one,
  the waits double from ``base_delay``.
- A call may wait ``budget`` seconds in all. When the provider asks for a longer wait than
  what is left, the call fails at once, with a message that says how long it asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import TypeVar

from llm.errors import ProviderError, classify

__all__ = ["DEFAULT_RETRY", "RetryPolicy", "call_with_retry", "stream_with_retry"]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 0.5
    budget: float = 20.0  # seconds of waiting one call may spend in all


DEFAULT_RETRY = RetryPolicy()


class _Retries:
    """The retries of one call: how many so far, and how much waiting is left."""

    def __init__(self, policy: RetryPolicy, sleep: Sleep) -> None:
        self.policy, self.sleep = policy, sleep
        self.count = 0
        self.waited = 0.0

    async def wait_or_raise(self, error: ProviderError) -> None:
        """Wait before the next attempt, or raise ``error`` when there is none."""
        if not error.retryable or self.count >= self.policy.max_retries:
            raise error
        asked = error.retry_after
        wait = asked if asked is not None else self.policy.base_delay * 2**self.count
        left = self.policy.budget - self.waited
        if wait > left:
            raise ProviderError(
                f"{error.message}; it asked to wait {wait:.0f} s before trying again, more than "
                f"the {left:.0f} s this call may still wait",
                retry_after=asked,
                status=error.status,
            ) from error
        self.count += 1
        self.waited += wait
        await self.sleep(wait)


async def call_with_retry(
    call: Callable[[], Awaitable[T]], *, policy: RetryPolicy = DEFAULT_RETRY, sleep=asyncio.sleep
) -> T:
    """``await call()``, retried by the rule above; failures raise :class:`ProviderError`."""
    retries = _Retries(policy, sleep)
    while True:
        try:
            return await call()
        except Exception as exc:
            await retries.wait_or_raise(classify(exc))


async def stream_with_retry(
    open_stream: Callable[[], AsyncIterator[T]],
    *,
    policy: RetryPolicy = DEFAULT_RETRY,
    sleep=asyncio.sleep,
) -> AsyncIterator[T]:
    """The items of ``open_stream()``, retried by the rule above while none has arrived."""
    retries = _Retries(policy, sleep)
    while True:
        arrived = False
        try:
            async with aclosing(open_stream()) as items:
                async for item in items:
                    arrived = True
                    yield item
            return
        except Exception as exc:
            error = classify(exc)
            if arrived:
                raise error from exc
            await retries.wait_or_raise(error)
