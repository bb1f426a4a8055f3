"""Both providers over mocked HTTP (respx through the httpx2 alias): wire formats and failures."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx

from interviewer.base import InterviewerError, ReplyMeta
from interviewer.prompts import render_system_prompt, render_turn_prompt
from interviewer.providers.anthropic_messages import AnthropicInterviewer
from interviewer.providers.openai_chat import OpenAIChatInterviewer
from interviewer.usage import Usage
from tests.interviewer.factories import BANK, context
from tests.interviewer.providers.wire import (
    anthropic_error_event,
    anthropic_stream,
    openai_chunk,
    openai_stream,
    sse,
)

OPENAI_URL = "https://openai.test/v1/chat/completions"
ANTHROPIC_URL = "https://anthropic.test/v1/messages"
STREAM = {"content-type": "text/event-stream"}


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def ctx():
    return context(said=["How many links in total?"])


def collect(interviewer, turn_context=None):
    async def run():
        return [piece async for piece in interviewer.stream_reply(turn_context or ctx())]

    return asyncio.run(run())


def split(items):
    *pieces, meta = items
    assert isinstance(meta, ReplyMeta)
    return "".join(pieces), meta


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def openai_model(sleeps):
    return OpenAIChatInterviewer(
        model="gpt-4.1-mini", api_key="sk-test", base_url="https://openai.test/v1", sleep=sleeps
    )


@pytest.fixture
def anthropic_model(sleeps):
    return AnthropicInterviewer(
        model="claude-sonnet-4-6",
        api_key="sk-test",
        base_url="https://anthropic.test",
        sleep=sleeps,
    )


# -- OpenAI --------------------------------------------------------------------------------


@respx.mock
def test_openai_streams_deltas_and_reads_usage_with_cached_tokens(openai_model):
    route = respx.post(OPENAI_URL).respond(content=openai_stream("About ", "100B."), headers=STREAM)
    text, meta = split(collect(openai_model))
    assert text == "About 100B."
    assert meta.usage == Usage(1200, 1024, 42, "provider")
    sent = json.loads(route.calls.last.request.content)
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    assert sent["prompt_cache_key"].startswith("interviewer.v2:url-shortener:")
    assert sent["messages"][0] == {"role": "system", "content": render_system_prompt(ctx())}
    assert sent["messages"][1] == {"role": "system", "content": render_turn_prompt(ctx())}
    assert [m["role"] for m in sent["messages"][2:]] == ["user", "assistant", "user"]
    assert sent["messages"][-1]["content"] == "How many links in total?"
    headers = route.calls.last.request.headers
    assert headers["authorization"] == "Bearer sk-test"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("AsyncOpenAI/Python")


def test_openai_builds_its_request_as_the_http_clients_build_request_would(openai_model):
    http = openai_model._client._client
    openai_model._headers = {"Authorization": "Bearer sk-test", "X-Team": "interviews"}
    openai_model._url = OPENAI_URL
    built = openai_model._build(http, b'{"a":1}')
    expected = http.build_request(
        "POST", OPENAI_URL, content=b'{"a":1}', headers=openai_model._headers
    )
    assert (built.method, built.url, built.content) == (
        expected.method,
        expected.url,
        expected.content,
    )
    assert built.headers.multi_items() == expected.headers.multi_items()
    assert built.extensions == expected.extensions
    again = openai_model._build(http, b"{}")  # the merged parts are reused
    assert again.headers["content-length"] == "2" and again.url == expected.url


@respx.mock
def test_openai_sends_the_cookies_its_client_was_given_by_an_earlier_response(openai_model):
    route = respx.post(OPENAI_URL).respond(content=openai_stream("Ok."), headers=STREAM)
    openai_model._client._client.cookies.set("__cf_bm", "abc", domain="openai.test")
    split(collect(openai_model))
    assert route.calls.last.request.headers["cookie"] == "__cf_bm=abc"


@respx.mock
def test_openai_sends_the_organization_project_and_custom_headers_it_was_given():
    from openai import AsyncOpenAI

    client = AsyncOpenAI(
        api_key="sk-org",
        base_url="https://openai.test/v1",
        organization="org-1",
        project="proj-1",
        default_headers={"X-Team": "interviews"},
        max_retries=0,
    )
    model = OpenAIChatInterviewer(model="m", api_key="unused", client=client)
    route = respx.post(OPENAI_URL).respond(content=openai_stream("Ok."), headers=STREAM)
    assert split(collect(model))[0] == "Ok."
    headers = route.calls.last.request.headers
    assert headers["authorization"] == "Bearer sk-org"
    assert (headers["openai-organization"], headers["openai-project"]) == ("org-1", "proj-1")
    assert headers["x-team"] == "interviews"


@respx.mock
def test_openai_with_a_key_provider_goes_through_the_sdk():
    from openai import AsyncOpenAI

    async def fresh_key() -> str:
        return "sk-fresh"

    client = AsyncOpenAI(api_key=fresh_key, base_url="https://openai.test/v1", max_retries=0)
    model = OpenAIChatInterviewer(model="m", api_key="unused", client=client)
    route = respx.post(OPENAI_URL).respond(content=openai_stream("Ok."), headers=STREAM)
    assert split(collect(model))[0] == "Ok."
    assert route.calls.last.request.headers["authorization"] == "Bearer sk-fresh"


@respx.mock
def test_openai_notes_are_split_off_and_never_streamed(openai_model):
    respx.post(OPENAI_URL).respond(
        content=openai_stream("What is your ", "peak QPS?\n#NO", "TES# Vague on numbers.\nADVANCE"),
        headers=STREAM,
    )
    items = collect(openai_model)
    text, meta = split(items)
    assert text == "What is your peak QPS?\n"
    assert not any("#" in piece for piece in items[:-1])
    assert meta.notes == "Vague on numbers.\nADVANCE"
    assert meta.advance


@respx.mock
def test_openai_429_honours_retry_after_then_succeeds(openai_model, sleeps):
    route = respx.post(OPENAI_URL)
    route.side_effect = [
        httpx.Response(429, headers={"retry-after": "7"}, json={"error": {"message": "slow down"}}),
        httpx.Response(200, content=openai_stream("Hi."), headers=STREAM),
    ]
    text, _ = split(collect(openai_model))
    assert text == "Hi."
    assert sleeps == [7.0]
    assert route.call_count == 2


@respx.mock
def test_openai_500_is_retried_twice_with_backoff_then_fails(openai_model, sleeps):
    route = respx.post(OPENAI_URL).respond(500, json={"error": {"message": "boom"}})
    with pytest.raises(InterviewerError, match="answered 500"):
        collect(openai_model)
    assert route.call_count == 3
    assert sleeps == [0.5, 1.0]


@respx.mock
def test_openai_401_is_not_retried(openai_model, sleeps):
    route = respx.post(OPENAI_URL).respond(401, json={"error": {"message": "bad key"}})
    with pytest.raises(InterviewerError, match="answered 401"):
        collect(openai_model)
    assert route.call_count == 1 and sleeps == []


@respx.mock
def test_openai_timeout_is_retried_then_reported(openai_model, sleeps):
    route = respx.post(OPENAI_URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(InterviewerError, match="timed out"):
        collect(openai_model)
    assert route.call_count == 3


@respx.mock
def test_openai_stream_cut_midway_is_not_retried(openai_model, sleeps):
    route = respx.post(OPENAI_URL).respond(
        content=openai_stream("About ", finish=None), headers=STREAM
    )
    items = []

    async def run():
        async for item in openai_model.stream_reply(ctx()):
            items.append(item)

    with pytest.raises(InterviewerError, match="ended before"):
        asyncio.run(run())
    assert items == ["About "]
    assert route.call_count == 1


@respx.mock
def test_openai_error_event_inside_a_200_stream_fails_cleanly(openai_model):
    body = sse(openai_chunk("Par"), 'data: {"error": {"message": "server overloaded"}}')
    respx.post(OPENAI_URL).respond(content=body, headers=STREAM)
    with pytest.raises(InterviewerError, match="overloaded"):
        collect(openai_model)


@respx.mock
def test_openai_without_usage_counts_tokens_offline(openai_model):
    body = sse(openai_chunk("Hi there."), openai_chunk(finish="stop"), "data: [DONE]")
    respx.post(OPENAI_URL).respond(content=body, headers=STREAM)
    _, meta = split(collect(openai_model))
    assert meta.usage.source == "counted"
    assert meta.usage.output_tokens == 3
    assert meta.usage.input_tokens > 500


def test_a_local_server_is_priced_as_self_hosted():
    local = OpenAIChatInterviewer(model="llama3", api_key=None, base_url="http://127.0.0.1:1/v1")
    hosted = OpenAIChatInterviewer(model="gpt-4.1-mini", api_key="sk")
    assert local.price_key == "openai-compatible:llama3"
    assert hosted.price_key == "openai:gpt-4.1-mini"


# -- Anthropic -----------------------------------------------------------------------------


@respx.mock
def test_anthropic_streams_text_caches_the_prefix_and_reads_usage(anthropic_model):
    route = respx.post(ANTHROPIC_URL).respond(
        content=anthropic_stream("About ", "100B.", cache_write=200), headers=STREAM
    )
    text, meta = split(collect(anthropic_model))
    assert text == "About 100B."
    # input = fresh 150 + cache read 1100 + cache write 200; output from message_delta.
    assert meta.usage == Usage(1450, 1100, 37, "provider")
    sent = json.loads(route.calls.last.request.content)
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert sent["system"][0]["text"] == render_system_prompt(ctx())
    assert "cache_control" not in sent["system"][1]
    assert sent["messages"][0]["role"] == "user"
    assert sent["messages"][-1] == {"role": "user", "content": "How many links in total?"}


@respx.mock
def test_anthropic_429_honours_retry_after_then_succeeds(anthropic_model, sleeps):
    route = respx.post(ANTHROPIC_URL)
    route.side_effect = [
        httpx.Response(
            429,
            headers={"retry-after": "3"},
            json={"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}},
        ),
        httpx.Response(200, content=anthropic_stream("Hi."), headers=STREAM),
    ]
    text, _ = split(collect(anthropic_model))
    assert text == "Hi." and sleeps == [3.0]


@respx.mock
def test_anthropic_500_then_timeout_then_success(anthropic_model, sleeps):
    route = respx.post(ANTHROPIC_URL)
    route.side_effect = [
        httpx.Response(500, json={"type": "error", "error": {"type": "api_error", "message": "x"}}),
        httpx.ConnectTimeout("slow"),
        httpx.Response(200, content=anthropic_stream("Hi."), headers=STREAM),
    ]
    text, _ = split(collect(anthropic_model))
    assert text == "Hi." and route.call_count == 3 and sleeps == [0.5, 1.0]


@respx.mock
def test_anthropic_400_is_not_retried(anthropic_model, sleeps):
    body = {"type": "error", "error": {"type": "invalid_request_error", "message": "no"}}
    route = respx.post(ANTHROPIC_URL).respond(400, json=body)
    with pytest.raises(InterviewerError, match="answered 400"):
        collect(anthropic_model)
    assert route.call_count == 1 and sleeps == []


@respx.mock
def test_anthropic_stream_cut_midway_is_an_error(anthropic_model):
    route = respx.post(ANTHROPIC_URL).respond(
        content=anthropic_stream("About ", stop_reason=None), headers=STREAM
    )
    with pytest.raises(InterviewerError, match="ended before"):
        collect(anthropic_model)
    assert route.call_count == 1


@respx.mock
def test_anthropic_error_event_inside_a_200_stream_is_not_retried(anthropic_model, sleeps):
    body = anthropic_stream("Par", stop_reason=None) + sse(anthropic_error_event())
    route = respx.post(ANTHROPIC_URL).respond(content=body, headers=STREAM)
    with pytest.raises(InterviewerError, match="Overloaded"):
        collect(anthropic_model)
    assert route.call_count == 1 and sleeps == []


# -- What the model is told ----------------------------------------------------------------


@pytest.mark.parametrize("problem", list(BANK), ids=lambda p: p.id)
def test_the_prompt_never_contains_what_is_kept_for_the_judge(problem):
    turn_context = context(problem.id, said=["Hi"])
    prompt = render_system_prompt(turn_context) + render_turn_prompt(turn_context)
    assert problem.statement in prompt
    for estimate in problem.reference_estimates:
        assert estimate.formula not in prompt
        assert not estimate.note or estimate.note not in prompt
        low, high = estimate.expected_range
        assert f"[{low}, {high}]" not in prompt
    for points in problem.key_points.values():
        for point in points:
            assert point.point not in prompt
    for curveball in problem.curveballs:
        assert curveball.strong_response not in prompt


def test_the_prompt_carries_persona_level_phase_and_time_left():
    from dataclasses import replace

    base = replace(
        context(phase="deep_dive", said=["x"]),
        persona="adversarial",
        level="staff",
        phase_seconds_left=300,
        session_seconds_left=1200,
    )
    system, turn = render_system_prompt(base), render_turn_prompt(base)
    assert "staff-level" in system and "bar-raiser" in system
    assert "Current step: Deep dive." in turn
    assert "Time left in this step: 5.0 minutes" in turn
    assert "Time left in the interview: 20.0 minutes" in turn
