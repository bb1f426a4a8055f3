"""Token counting offline and the price table."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer import usage as usage_module
from interviewer.usage import PriceTable, Usage, count_tokens, load_price_table


def test_tokens_are_counted_with_the_offline_cl100k_encoding():
    assert count_tokens("hello world, this is a test") == (7, "counted")


def test_without_tiktoken_the_count_is_a_labelled_estimate(monkeypatch):
    monkeypatch.setattr(usage_module, "_encoding", lambda: None)
    assert count_tokens("x" * 41) == (11, "estimated")
    assert usage_module.token_counter_name() == "estimate-4-chars-per-token"


def test_cost_uses_cached_and_fresh_input_prices():
    table = load_price_table()
    cost = table.cost_usd("openai:gpt-4.1-mini", Usage(10_000, 8_000, 1_000))
    assert cost == pytest.approx((2_000 * 0.40 + 8_000 * 0.10 + 1_000 * 1.60) / 1e6)


def test_unknown_models_fall_back_to_their_provider_and_offline_is_free():
    table = load_price_table()
    assert table.price_for("anthropic:claude-someday") == table.prices["anthropic:*"]
    assert table.cost_usd("offline", Usage(1000, 0, 1000)) == 0
    assert table.cost_usd("openai-compatible:llama3", Usage(1000, 0, 1000)) == 0
    assert table.cost_usd("mystery:model", Usage(1000, 0, 1000)) == 0


def test_a_custom_price_table_is_validated(tmp_path: Path):
    path = tmp_path / "prices.yaml"
    path.write_text("version: 1\nprices:\n  offline: {input: -1, cached_input: 0, output: 0}\n")
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        load_price_table(path)
    path.write_text("version: 2\nprices:\n  openai:x: {input: 1, cached_input: 0.5, output: 2}\n")
    assert isinstance(load_price_table(path), PriceTable)
