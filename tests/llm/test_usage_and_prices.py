"""Token counting offline, both providers' usage, and the price table with its keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm import usage as usage_module
from llm.prices import PriceTable, load_price_table, price_key
from llm.usage import Usage, count_tokens, usage_from_anthropic, usage_from_openai


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


def test_a_self_hosted_server_is_priced_apart_from_the_official_api():
    assert price_key("openai:llama3", base_url="http://127.0.0.1:11434/v1") == (
        "openai-compatible:llama3"
    )
    assert price_key("openai:gpt-4.1-mini") == "openai:gpt-4.1-mini"
    assert price_key("anthropic:claude-sonnet-4-6", base_url="https://proxy.test") == (
        "anthropic:claude-sonnet-4-6"
    )


def test_both_providers_usage_reads_the_same_way():
    from types import SimpleNamespace as NS

    openai = NS(
        prompt_tokens=1200, completion_tokens=42, prompt_tokens_details=NS(cached_tokens=1024)
    )
    assert usage_from_openai(openai) == Usage(1200, 1024, 42)
    anthropic = NS(
        input_tokens=150,
        cache_read_input_tokens=1100,
        cache_creation_input_tokens=200,
        output_tokens=37,
    )
    # The input is the uncached part, the cache reads and the cache writes together.
    assert usage_from_anthropic(anthropic) == Usage(1450, 1100, 37)
    assert Usage(1, 1, 1) + Usage(2, 0, 3, "counted") == Usage(3, 1, 4, "mixed")
