"""What every provider shares: one retry layer, private notes, and usage when none is reported.

A provider supplies ``attempt()``, an async generator of raw text pieces ending with one
:class:`StreamEnd`. This module retries an attempt only while nothing has been shown to the
candidate, honours ``Retry-After``, splits private notes off the text, and turns every failure
into an :class:`InterviewerError`.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass

from interviewer.base import InterviewerError, ReplyMeta
from interviewer.notes import NotesSplitter, wants_to_advance
from interviewer.usage import Usage, count_tokens

__all__ = [
    "DEFAULT_RETRY",
    "RETRYABLE_STATUS",
    "ProviderFailure",
    "ProviderInterviewer",
    "RetryPolicy",
    "StreamEnd",
    "classify_sdk_error",
    "retry_after_seconds",
    "run_provider_stream",
]

RETRYABLE_STATUS = frozenset({408, 409, 429})


@dataclass(frozen=True)
class StreamEnd:
    usage: Usage | None


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 20.0


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class ProviderFailure:
    """How a provider classifies one exception."""

    retryable: bool
    retry_after: float | None
    message: str


def classify_sdk_error(sdk, exc: Exception, *, name: str) -> ProviderFailure:
    """Classify an exception of the ``openai`` or ``anthropic`` SDK (same class names in both).

    An error event inside a 200 stream arrives as a status error with status 200: the stream
    had begun, so it is not retried.
    """
    if isinstance(exc, sdk.APIStatusError):
        status = exc.status_code
        return ProviderFailure(
            status != 200 and is_retryable_status(status),
            retry_after_seconds(exc.response.headers),
            f"the {name} provider answered {status}: {exc.message}",
        )
    if isinstance(exc, sdk.APITimeoutError):
        return ProviderFailure(True, None, f"the {name} provider timed out")
    if isinstance(exc, sdk.APIConnectionError):
        return ProviderFailure(True, None, f"could not reach the {name} provider")
    if isinstance(exc, sdk.APIError):
        return ProviderFailure(False, None, f"the {name} provider failed: {exc.message}")
    return ProviderFailure(False, None, f"the {name} provider failed: {exc}")


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


def retry_after_seconds(headers, *, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(raw) if raw else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - (now if now is not None else time.time()))


async def run_provider_stream(
    attempt: Callable[[], AsyncIterator[str | StreamEnd]],
    *,
    classify: Callable[[Exception], ProviderFailure],
    prompt_text: str | Callable[[], str],
    policy: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[str | ReplyMeta]:
    retries = 0
    while True:
        splitter = NotesSplitter()
        shown: list[str] = []
        raw: list[str] = []
        end: StreamEnd | None = None
        try:
            async with aclosing(attempt()) as items:
                async for item in items:
                    if isinstance(item, StreamEnd):
                        end = item
                        break
                    raw.append(item)
                    visible = splitter.feed(item)
                    if visible:
                        shown.append(visible)
                        yield visible
        except InterviewerError as exc:
            failure = ProviderFailure(False, None, str(exc))
        except Exception as exc:
            failure = classify(exc)
        else:
            failure = (
                None
                if end is not None
                else ProviderFailure(
                    False, None, "the provider's stream ended before the reply was finished"
                )
            )
        if failure is None:
            break
        if shown or not failure.retryable or retries >= policy.max_retries:
            # After text was shown, never retry: the caller stores the turn as interrupted.
            raise InterviewerError(failure.message)
        delay = failure.retry_after
        if delay is None:
            delay = policy.base_delay * (2**retries)
        retries += 1
        await sleep(min(delay, policy.max_delay))

    tail, notes = splitter.finish()
    if tail:
        yield tail
    usage = end.usage
    if usage is None:
        text = prompt_text() if callable(prompt_text) else prompt_text
        prompt_tokens, how = count_tokens(text)
        output_tokens, _ = count_tokens("".join(raw))
        usage = Usage(prompt_tokens, 0, output_tokens, source=how)
    yield ReplyMeta(usage=usage, notes=notes, advance=wants_to_advance(notes))


class ProviderInterviewer:
    """What the real-model interviewers share: their settings and the streaming loop.

    A subclass builds its provider's request (``_request``), streams one attempt of it
    (``_attempt``), says which text of the request is the prompt (``_prompt_text``, for
    counting tokens when the provider reports no usage) and classifies its SDK's errors.
    """

    offline = False

    def __init__(
        self,
        *,
        model: str,
        context_tokens: int,
        retry: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.model = model
        self._context_tokens = context_tokens
        self._retry = retry
        self._sleep = sleep

    def _request(self, context) -> dict:
        raise NotImplementedError

    def _attempt(self, request: dict) -> AsyncIterator[str | StreamEnd]:
        raise NotImplementedError

    def _prompt_text(self, request: dict) -> str:
        raise NotImplementedError

    def _classify(self, exc: Exception) -> ProviderFailure:
        raise NotImplementedError

    async def stream_reply(self, context) -> AsyncIterator[str | ReplyMeta]:
        request = self._request(context)
        async for item in run_provider_stream(
            lambda: self._attempt(request),
            classify=self._classify,
            prompt_text=lambda: self._prompt_text(request),  # only when usage is missing
            policy=self._retry,
            sleep=self._sleep,
        ):
            yield item
