"""Both providers over mocked HTTP (respx through the httpx2 alias), through the SDKs' public
streams: what is sent, what is read back, and what a failure raises."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx

from llm import ChatPrompt, Credentials, StreamEnd, StructuredPrompt, Usage, classify
from llm.anthropic_models import AnthropicModel
from llm.clients import anthropic_client, openai_client
from llm.openai_models import OpenAIModel
from tests.llm.wire import (
    anthropic_error_event,
    anthropic_stream,
    openai_chunk,
    openai_stream,
    sse,
)

OPENAI_URL = "https://openai.test/v1/chat/completions"
ANTHROPIC_URL = "https://anthropic.test/v1/messages"
STREAM = {"content-type": "text/event-stream"}
PROMPT = ChatPrompt(
    system="You are the interviewer.",
    history=(
        {"role": "user", "content": "(joined)"},
        {"role": "assistant", "content": "Design a URL shortener."},
        {"role": "user", "content": "How many links in total?"},
    ),
    now="Current step: Clarify. 3.5 minutes left.",
    cache_key="interviewer.v2:url-shortener:neutral:senior:45",
)


def openai_model() -> OpenAIModel:
    credentials = Credentials(openai_api_key="sk-test", openai_base_url="https://openai.test/v1")
    return OpenAIModel("gpt-4.1-mini", openai_client(credentials))


def anthropic_model() -> AnthropicModel:
    credentials = Credentials(
        anthropic_api_key="sk-ant", anthropic_base_url="https://anthropic.test"
    )
    return AnthropicModel("claude-sonnet-4-6", anthropic_client(credentials))


def drain(stream):
    async def run():
        return [item async for item in stream]

    return asyncio.run(run())


def failure(stream):
    """How the provider layer classifies the exception ``stream`` raises."""
    with pytest.raises(Exception) as caught:
        drain(stream)
    return classify(caught.value)


# -- OpenAI --------------------------------------------------------------------------------


@respx.mock
def test_openai_streams_pieces_then_the_usage_with_cached_tokens():
    route = respx.post(OPENAI_URL).respond(content=openai_stream("About ", "100B."), headers=STREAM)
    items = drain(openai_model().stream(PROMPT))
    assert items == ["About ", "100B.", StreamEnd(Usage(1200, 1024, 42))]
    sent = json.loads(route.calls.last.request.content)
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["prompt_cache_key"] == PROMPT.cache_key
    assert sent["max_tokens"] == 600 and sent["temperature"] == 0.4
    # The stable part first, the history, then this turn's part last: the prefix caches.
    assert [m["role"] for m in sent["messages"]] == [
        "system",
        "user",
        "assistant",
        "user",
        "system",
    ]
    assert sent["messages"][0]["content"] == PROMPT.system
    assert sent["messages"][-1]["content"] == PROMPT.now
    headers = route.calls.last.request.headers
    assert headers["authorization"] == "Bearer sk-test"
    assert headers["user-agent"].startswith("AsyncOpenAI/Python")


@respx.mock
def test_openai_a_stream_cut_before_its_finish_reason_has_no_end():
    respx.post(OPENAI_URL).respond(content=openai_stream("About ", finish=None), headers=STREAM)
    assert drain(openai_model().stream(PROMPT)) == ["About "]


@respx.mock
def test_openai_an_error_event_inside_a_200_stream_raises_and_is_not_retryable():
    body = sse(openai_chunk("Par"), 'data: {"error": {"message": "server overloaded"}}')
    respx.post(OPENAI_URL).respond(content=body, headers=STREAM)
    error = failure(openai_model().stream(PROMPT))
    assert "overloaded" in error.message and not error.retryable


@respx.mock
def test_openai_statuses_and_transport_failures_are_classified():
    route = respx.post(OPENAI_URL)
    cases = [
        (
            httpx.Response(429, headers={"retry-after": "7"}, json={"error": {"message": "slow"}}),
            True,
            7.0,
        ),
        (httpx.Response(500, json={"error": {"message": "boom"}}), True, None),
        (httpx.Response(401, json={"error": {"message": "bad key"}}), False, None),
        (httpx.ReadTimeout("slow"), True, None),
        (httpx.ConnectError("refused"), True, None),
    ]
    for response, retryable, retry_after in cases:
        route.side_effect = [response]
        error = failure(openai_model().stream(PROMPT))
        assert (error.retryable, error.retry_after) == (retryable, retry_after), error.message


@respx.mock
def test_openai_structured_asks_for_a_strict_schema_and_reads_refusals_and_cut_offs():
    def answer(content, finish="stop", refusal=None):
        message = {"role": "assistant", "content": content, "refusal": refusal}
        return httpx.Response(
            200,
            json={
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "finish_reason": finish, "message": message}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
            },
        )

    route = respx.post(OPENAI_URL)
    route.side_effect = [answer('{"a": 1}'), answer(None, refusal="no"), answer('{"a"', "length")]
    prompt = StructuredPrompt(
        system="rules",
        shared="material",
        messages=({"role": "user", "content": "grade"},),
        schema={"type": "object"},
        schema_name="record_grade",
        cache_key="k",
        temperature=0.0,
    )
    model = openai_model()
    first = asyncio.run(model.structured(prompt))
    assert (first.text, first.usage, first.refusal) == ('{"a": 1}', Usage(10, 0, 2), None)
    sent = json.loads(route.calls.last.request.content)
    assert sent["response_format"]["json_schema"] == {
        "name": "record_grade",
        "strict": True,
        "schema": {"type": "object"},
    }
    assert [m["content"] for m in sent["messages"]] == ["rules", "material", "grade"]
    assert sent["prompt_cache_key"] == "k"
    assert asyncio.run(model.structured(prompt)).refusal == "no"
    assert asyncio.run(model.structured(prompt)).refusal == "the answer was cut off"


# -- Anthropic -----------------------------------------------------------------------------


@respx.mock
def test_anthropic_streams_text_caches_two_breakpoints_and_reads_usage():
    route = respx.post(ANTHROPIC_URL).respond(
        content=anthropic_stream("About ", "100B.", cache_write=200), headers=STREAM
    )
    items = drain(anthropic_model().stream(PROMPT))
    # input = fresh 150 + cache read 1100 + cache write 200; output from message_delta.
    assert items == ["About ", "100B.", StreamEnd(Usage(1450, 1100, 37))]
    sent = json.loads(route.calls.last.request.content)
    assert sent["system"] == [
        {"type": "text", "text": PROMPT.system, "cache_control": {"type": "ephemeral"}}
    ]
    last = sent["messages"][-1]
    assert last["role"] == "user"
    assert last["content"][0] == {
        "type": "text",
        "text": "How many links in total?",
        "cache_control": {"type": "ephemeral"},
    }
    assert last["content"][1] == {"type": "text", "text": PROMPT.now}
    assert sent["messages"][0] == {"role": "user", "content": "(joined)"}
    assert "temperature" not in sent


@respx.mock
def test_anthropic_a_stream_cut_before_its_stop_reason_has_no_end():
    respx.post(ANTHROPIC_URL).respond(
        content=anthropic_stream("About ", stop_reason=None), headers=STREAM
    )
    assert drain(anthropic_model().stream(PROMPT)) == ["About "]


@respx.mock
def test_anthropic_an_error_event_inside_a_200_stream_is_not_retryable():
    body = anthropic_stream("Par", stop_reason=None) + sse(anthropic_error_event())
    respx.post(ANTHROPIC_URL).respond(content=body, headers=STREAM)
    error = failure(anthropic_model().stream(PROMPT))
    assert "Overloaded" in error.message and not error.retryable


@respx.mock
def test_anthropic_statuses_are_classified():
    error_body = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}
    route = respx.post(ANTHROPIC_URL)
    for status, retryable in [(429, True), (529, True), (400, False)]:
        route.side_effect = [
            httpx.Response(status, headers={"retry-after-ms": "250"}, json=error_body)
        ]
        error = failure(anthropic_model().stream(PROMPT))
        assert error.retryable is retryable and error.status == status
        assert error.retry_after == 0.25


@respx.mock
def test_an_answer_that_is_not_an_event_stream_is_a_clear_failure():
    respx.post(OPENAI_URL).respond(json={"unexpected": True})
    error = failure(openai_model().stream(PROMPT))
    assert "did not answer with an event stream" in error.message and not error.retryable


def test_transport_failures_while_reading_a_stream_are_retryable():
    import httpx2

    assert classify(httpx2.ReadTimeout("slow")).retryable
    lost = classify(httpx2.RemoteProtocolError("peer closed connection"))
    assert lost.retryable and "connection to the provider failed" in lost.message
