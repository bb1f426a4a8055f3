"""Dollars: a price table by model, and which entry a model is priced by.

A model served by the official API is priced by its id (``openai:gpt-4.1-mini``); one served by
a self-hosted OpenAI-compatible server (``OPENAI_BASE_URL``) has no token bill and is priced
as ``openai-compatible:MODEL``. ``provider:*`` is a provider's fallback.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from llm.usage import Usage

__all__ = ["DEFAULT_PRICE_TABLE", "ModelPrice", "PriceTable", "load_price_table", "price_key"]

DEFAULT_PRICE_TABLE = Path(__file__).with_name("prices.yaml")
SELF_HOSTED = "openai-compatible"


def price_key(model_id: str, *, base_url: str | None = None) -> str:
    """The price-table entry of ``model_id`` served at ``base_url`` (None: the provider's
    own API)."""
    provider, _, name = model_id.partition(":")
    if provider == "openai" and base_url:
        return f"{SELF_HOSTED}:{name}"
    return model_id


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

    def price_for(self, key: str) -> ModelPrice | None:
        if key in self.prices:
            return self.prices[key]
        provider = key.split(":", 1)[0]
        return self.prices.get(f"{provider}:*")

    def cost_usd(self, key: str, usage: Usage) -> float:
        price = self.price_for(key)
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
