"""Provider failures, classified once for every caller: what went wrong in a sentence, whether
it is worth retrying, and how long the provider asked to wait.

Retryable: connection errors, timeouts, and the statuses 408, 409, 429 and 5xx. An error event
inside a 200 stream (both SDKs raise it with the stream already under way) is not.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping

import anthropic
import httpx2
import openai
from httpx_sse import SSEError

__all__ = ["RETRYABLE_STATUS", "ProviderError", "classify", "retry_after_seconds"]

RETRYABLE_STATUS = frozenset({408, 409, 429})
_SDKS = ((openai, "OpenAI-compatible"), (anthropic, "Anthropic"))


class ProviderError(RuntimeError):
    """A call to a model failed. ``retry_after``: seconds the provider asked to wait."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


def retry_after_seconds(headers: Mapping[str, str] | None, *, now: float | None = None):
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
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        return max(0.0, parsed.timestamp() - (now if now is not None else time.time()))


def classify(exc: BaseException) -> ProviderError:
    """The :class:`ProviderError` for an exception raised by either SDK (or by us)."""
    if isinstance(exc, ProviderError):
        return exc
    for sdk, name in _SDKS:
        if isinstance(exc, sdk.APIStatusError):
            status = exc.status_code
            return ProviderError(
                f"the {name} provider answered {status}: {exc.message}",
                retryable=status != 200 and is_retryable_status(status),
                retry_after=retry_after_seconds(exc.response.headers),
                status=status,
            )
        if isinstance(exc, sdk.APITimeoutError):
            return ProviderError(f"the {name} provider timed out", retryable=True)
        if isinstance(exc, sdk.APIConnectionError):
            return ProviderError(f"could not reach the {name} provider", retryable=True)
        if isinstance(exc, sdk.APIError):
            return ProviderError(f"the {name} provider failed: {exc.message}")
    # A stream read past the SDK (see llm.streams) fails with the HTTP client's own errors.
    if isinstance(exc, SSEError):  # before TransportError, which it extends
        return ProviderError(f"the provider did not answer with an event stream: {exc}")
    if isinstance(exc, httpx2.TimeoutException):
        return ProviderError("the provider timed out", retryable=True)
    if isinstance(exc, httpx2.TransportError):
        return ProviderError(f"the connection to the provider failed: {exc}", retryable=True)
    return ProviderError(f"the provider failed: {type(exc).__name__}: {exc}")
