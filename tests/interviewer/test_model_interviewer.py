"""The interviewer on a model: the turn's prompt, notes kept from the candidate, the retry rule
over real SDK streams (respx through the httpx2 alias) for both providers, and usage counted
when a provider reports none."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx

from interviewer.base import InterviewerError, ReplyMeta
from interviewer.model_interviewer import ModelInterviewer
from interviewer.prompts import render_system_prompt, render_turn_prompt
from llm import Credentials, FakeModel, Scripted, Usage
from llm.anthropic_models import AnthropicModel
from llm.clients import anthropic_client, openai_client
from llm.openai_models import OpenAIModel
from tests.interviewer.factories import BANK, context
from tests.llm.wire import anthropic_error_event, anthropic_stream, openai_chunk, openai_stream, sse

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
    credentials = Credentials(openai_api_key="sk-test", openai_base_url="https://openai.test/v1")
    return ModelInterviewer(OpenAIModel("gpt-4.1-mini", openai_client(credentials)), sleep=sleeps)


@pytest.fixture
def anthropic_model(sleeps):
    credentials = Credentials(anthropic_api_key="k", anthropic_base_url="https://anthropic.test")
    model = AnthropicModel("claude-sonnet-4-6", anthropic_client(credentials))
    return ModelInterviewer(model, sleep=sleeps)


# -- The prompt of a turn ------------------------------------------------------------------


def test_a_turn_is_the_stable_prompt_the_conversation_then_the_step_and_time_left():
    fake = FakeModel()
    interviewer = ModelInterviewer(fake)
    text, meta = split(collect(interviewer))
    assert text and meta.usage.source == "counted"
    prompt = fake.prompts[0]
    assert prompt.system == render_system_prompt(ctx())
    assert prompt.now == render_turn_prompt(ctx())
    assert [m["role"] for m in prompt.history] == ["user", "assistant", "user"]
    assert prompt.history[-1]["content"] == "How many links in total?"
    assert prompt.cache_key == "interviewer.v2:url-shortener:neutral:senior:45"
    assert interviewer.model_id == "fake:scripted" and interviewer.price_key == "fake:scripted"


def test_notes_are_split_off_and_never_streamed():
    fake = FakeModel(script=[Scripted(("What is your ", "peak QPS?\n#NO", "TES# Vague.\nADVANCE"))])
    items = collect(ModelInterviewer(fake))
    text, meta = split(items)
    assert text == "What is your peak QPS?\n"
    assert not any("#" in piece for piece in items[:-1])
    assert meta.notes == "Vague.\nADVANCE" and meta.advance


def test_a_reply_cut_off_after_its_first_pieces_is_an_error_and_not_retried(sleeps):
    fake = FakeModel(script=[Scripted(("About ",), finished=False), "never asked"])
    items = []

    async def run():
        async for item in ModelInterviewer(fake, sleep=sleeps).stream_reply(ctx()):
            items.append(item)

    with pytest.raises(InterviewerError, match="ended before"):
        asyncio.run(run())
    assert items == ["About "] and len(fake.prompts) == 1 and sleeps == []


# -- OpenAI over HTTP ----------------------------------------------------------------------


@respx.mock
def test_openai_streams_deltas_and_reads_usage_with_cached_tokens(openai_model):
    route = respx.post(OPENAI_URL).respond(content=openai_stream("About ", "100B."), headers=STREAM)
    text, meta = split(collect(openai_model))
    assert text == "About 100B."
    assert meta.usage == Usage(1200, 1024, 42, "provider")
    sent = json.loads(route.calls.last.request.content)
    assert sent["messages"][0] == {"role": "system", "content": render_system_prompt(ctx())}
    assert sent["messages"][-1] == {"role": "system", "content": render_turn_prompt(ctx())}
    assert sent["messages"][-2]["content"] == "How many links in total?"


@respx.mock
def test_openai_429_honours_retry_after_then_succeeds(openai_model, sleeps):
    route = respx.post(OPENAI_URL)
    route.side_effect = [
        httpx.Response(429, headers={"retry-after": "7"}, json={"error": {"message": "slow down"}}),
        httpx.Response(200, content=openai_stream("Hi."), headers=STREAM),
    ]
    text, _ = split(collect(openai_model))
    assert text == "Hi." and sleeps == [7.0] and route.call_count == 2


@respx.mock
def test_openai_429_asking_for_longer_than_the_budget_fails_at_once(openai_model, sleeps):
    route = respx.post(OPENAI_URL).respond(
        429, headers={"retry-after": "120"}, json={"error": {"message": "slow down"}}
    )
    with pytest.raises(InterviewerError, match="asked to wait 120 s"):
        collect(openai_model)
    assert route.call_count == 1 and sleeps == []


@respx.mock
def test_openai_500_is_retried_twice_with_backoff_then_fails(openai_model, sleeps):
    route = respx.post(OPENAI_URL).respond(500, json={"error": {"message": "boom"}})
    with pytest.raises(InterviewerError, match="answered 500"):
        collect(openai_model)
    assert route.call_count == 3 and sleeps == [0.5, 1.0]


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
    assert items == ["About "] and route.call_count == 1


@respx.mock
def test_openai_error_event_inside_a_200_stream_fails_cleanly(openai_model, sleeps):
    body = sse(openai_chunk("Par"), 'data: {"error": {"message": "server overloaded"}}')
    route = respx.post(OPENAI_URL).respond(content=body, headers=STREAM)
    with pytest.raises(InterviewerError, match="overloaded"):
        collect(openai_model)
    assert route.call_count == 1 and sleeps == []


@respx.mock
def test_openai_without_usage_counts_tokens_offline(openai_model):
    body = sse(openai_chunk("Hi there."), openai_chunk(finish="stop"), "data: [DONE]")
    respx.post(OPENAI_URL).respond(content=body, headers=STREAM)
    _, meta = split(collect(openai_model))
    assert meta.usage.source == "counted"
    assert meta.usage.output_tokens == 3
    assert meta.usage.input_tokens > 500


# -- Anthropic over HTTP -------------------------------------------------------------------


@respx.mock
def test_anthropic_streams_text_and_reads_usage(anthropic_model):
    route = respx.post(ANTHROPIC_URL).respond(
        content=anthropic_stream("About ", "100B.", cache_write=200), headers=STREAM
    )
    text, meta = split(collect(anthropic_model))
    assert text == "About 100B."
    assert meta.usage == Usage(1450, 1100, 37, "provider")
    sent = json.loads(route.calls.last.request.content)
    assert sent["system"][0]["text"] == render_system_prompt(ctx())
    assert sent["messages"][-1]["content"][-1]["text"] == render_turn_prompt(ctx())


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
