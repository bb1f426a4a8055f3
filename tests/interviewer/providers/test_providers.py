"""Real providers over mocked HTTP (respx, via the httpx2 alias): streaming and failures."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest
import respx

from interviewer.base import InterviewerError, TurnContext
from interviewer.conversation import Conversation, Message
from interviewer.prompts import render_system_prompt
from interviewer.providers.anthropic_messages import AnthropicInterviewer
from interviewer.providers.openai_chat import OpenAIChatInterviewer
from problems.loader import load_bank
from problems.phases import load_phase_plan

BANK = load_bank()
PLAN = load_phase_plan()
T0 = datetime(2026, 1, 1, tzinfo=UTC)
OPENAI_URL = "https://openai.test/v1/chat/completions"
ANTHROPIC_URL = "https://anthropic.test/v1/messages"


def context(problem_id="url-shortener") -> TurnContext:
    messages = (
        Message(2, "interviewer", "clarify", "Hello, the problem is ...", T0),
        Message(3, "candidate", "clarify", "How many links in total?", T0),
    )
    return TurnContext(BANK.get(problem_id), PLAN, 45, Conversation(T0, messages, "clarify", T0, 3))


def sse(*blocks: str) -> bytes:
    return "".join(f"{block}\n\n" for block in blocks).encode()


def openai_chunk(content=None, finish=None) -> str:
    delta = {"content": content} if content is not None else {}
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    body = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    return "data: " + json.dumps({**body, "choices": [choice]})


def anthropic_events(*texts: str, stop_reason: str | None = "end_turn") -> list[str]:
    def event(kind, data):
        return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}"

    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    blocks = [
        event("message_start", {"message": message}),
        event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
    ]
    blocks += [
        event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": text}})
        for text in texts
    ]
    if stop_reason:
        blocks += [
            event("content_block_stop", {"index": 0}),
            event(
                "message_delta",
                {
                    "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                    "usage": {"output_tokens": 5},
                },
            ),
            event("message_stop", {}),
        ]
    return blocks


def collect(interviewer, ctx=None) -> list[str]:
    async def run():
        return [piece async for piece in interviewer.stream_reply(ctx or context())]

    return asyncio.run(run())


def openai_interviewer():
    return OpenAIChatInterviewer(model="m", api_key="sk-test", base_url="https://openai.test/v1")


def anthropic_interviewer():
    return AnthropicInterviewer(model="m", api_key="sk-test", base_url="https://anthropic.test")


@respx.mock
def test_openai_stream_yields_the_deltas_and_sends_the_prompt():
    route = respx.post(OPENAI_URL).respond(
        content=sse(
            openai_chunk("About "),
            openai_chunk("100B."),
            openai_chunk(finish="stop"),
            "data: [DONE]",
        ),
        headers={"content-type": "text/event-stream"},
    )
    assert collect(openai_interviewer()) == ["About ", "100B."]
    sent = json.loads(route.calls.last.request.content)
    assert sent["stream"] is True
    assert sent["messages"][0]["role"] == "system"
    assert [m["role"] for m in sent["messages"][1:]] == ["user", "assistant", "user"]
    assert sent["messages"][-1]["content"] == "How many links in total?"


@respx.mock
def test_openai_stream_without_a_finish_reason_is_an_error():
    respx.post(OPENAI_URL).respond(
        content=sse(openai_chunk("About ")), headers={"content-type": "text/event-stream"}
    )
    with pytest.raises(InterviewerError, match="ended before"):
        collect(openai_interviewer())


@respx.mock
def test_openai_http_error_becomes_an_interviewer_error():
    respx.post(OPENAI_URL).respond(401, json={"error": {"message": "bad key"}})
    with pytest.raises(InterviewerError, match="failed"):
        collect(openai_interviewer())


@respx.mock
def test_openai_connection_failure_becomes_an_interviewer_error():
    respx.post(OPENAI_URL).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(InterviewerError, match="failed"):
        collect(openai_interviewer())


@respx.mock
def test_anthropic_stream_yields_the_text_and_sends_the_system_prompt():
    route = respx.post(ANTHROPIC_URL).respond(
        content=sse(*anthropic_events("About ", "100B.")),
        headers={"content-type": "text/event-stream"},
    )
    assert collect(anthropic_interviewer()) == ["About ", "100B."]
    sent = json.loads(route.calls.last.request.content)
    assert "Design a URL shortener" in sent["system"]
    assert sent["messages"][0]["role"] == "user"
    assert sent["messages"][-1] == {"role": "user", "content": "How many links in total?"}


@respx.mock
def test_anthropic_stream_cut_midway_is_an_error():
    respx.post(ANTHROPIC_URL).respond(
        content=sse(*anthropic_events("About ", stop_reason=None)),
        headers={"content-type": "text/event-stream"},
    )
    with pytest.raises(InterviewerError):
        collect(anthropic_interviewer())


@respx.mock
def test_anthropic_http_error_becomes_an_interviewer_error():
    respx.post(ANTHROPIC_URL).respond(
        400, json={"type": "error", "error": {"type": "x", "message": "no"}}
    )
    with pytest.raises(InterviewerError, match="failed"):
        collect(anthropic_interviewer())


@pytest.mark.parametrize("problem", list(BANK), ids=lambda p: p.id)
def test_the_prompt_never_contains_what_is_kept_for_the_judge(problem):
    prompt = render_system_prompt(context(problem.id))
    assert problem.statement in prompt
    for estimate in problem.reference_estimates:
        assert estimate.formula not in prompt
        assert not estimate.note or estimate.note not in prompt
    for points in problem.key_points.values():
        for point in points:
            assert point.point not in prompt
