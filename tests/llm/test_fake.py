"""The scripted model: the shapes a provider returns, without a network."""

from __future__ import annotations

import asyncio
import json

import pytest

from llm import ChatPrompt, FakeModel, ProviderError, Scripted, StreamEnd, StructuredPrompt
from llm.fake import example_for

CHAT = ChatPrompt(system="s", history=({"role": "user", "content": "Hi"},))
ASK = StructuredPrompt(
    system="s",
    shared="m",
    messages=({"role": "user", "content": "grade"},),
    schema={
        "type": "object",
        "properties": {
            "score": {"type": "integer", "enum": [1, 2, 3, 4]},
            "evidence": {"type": "array", "items": {"type": "string"}},
            "reasoning": {"type": "string"},
        },
        "required": ["evidence", "reasoning", "score"],
    },
)


def stream(model, prompt=CHAT):
    async def run():
        return [item async for item in model.stream(prompt)]

    return asyncio.run(run())


def test_a_script_streams_in_order_and_records_each_prompt():
    model = FakeModel(script=["Hello there.", Scripted(("Cut ",), finished=False)])
    first = stream(model)
    assert "".join(first[:-1]) == "Hello there." and isinstance(first[-1], StreamEnd)
    assert first[-1].usage.source == "counted" and first[-1].usage.output_tokens > 0
    assert stream(model) == ["Cut "]  # no end: a provider cut off mid-reply
    assert model.prompts == [CHAT, CHAT]


def test_a_scripted_failure_is_raised_where_a_provider_would_raise_it():
    model = FakeModel(script=[Scripted(("Part",), error=ProviderError("boom")), ValueError("x")])
    with pytest.raises(ProviderError):
        stream(model)
    with pytest.raises(ValueError):
        stream(model)


def test_a_function_answers_once_the_script_is_spent():
    model = FakeModel(
        script=["one"], function=lambda prompt: f"echo {prompt.history[-1]['content']}"
    )
    assert "".join(stream(model)[:-1]) == "one"
    assert "".join(stream(model)[:-1]) == "echo Hi"


def test_structured_answers_default_to_the_smallest_object_the_schema_allows():
    reply = asyncio.run(FakeModel().structured(ASK))
    assert json.loads(reply.text) == {"evidence": [], "reasoning": "fake", "score": 2}
    assert reply.usage.input_tokens > 0 and reply.refusal is None
    scripted = asyncio.run(FakeModel(script=[{"score": 4}]).structured(ASK))
    assert json.loads(scripted.text) == {"score": 4}
    assert example_for({"type": ["null", "number"]}) == 0


def test_the_fake_is_priced_as_what_it_stands_in_for():
    assert FakeModel().price_key == "fake:scripted"
    assert FakeModel(price_key="openai:gpt-4.1-mini").price_key == "openai:gpt-4.1-mini"
