"""Canary: respx must intercept both provider SDKs; if the alias breaks, these fail loudly."""

from __future__ import annotations

import httpx
import httpx2
import pytest
import respx
from anthropic import Anthropic
from openai import OpenAI


def test_httpx_is_aliased_to_httpx2():
    assert httpx.Client is httpx2.Client


def test_openai_request_is_caught_by_respx():
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post("https://api.openai.test/v1/chat/completions").respond(
            json={
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": "hi"},
                    }
                ],
            }
        )
        client = OpenAI(api_key="sk-test", base_url="https://api.openai.test/v1", max_retries=0)
        reply = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )
    assert route.called
    assert reply.choices[0].message.content == "hi"


def test_anthropic_request_is_caught_by_respx():
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post("https://api.anthropic.test/v1/messages").respond(
            json={
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "m",
                "content": [{"type": "text", "text": "hi"}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 1, "output_tokens": 1},
            }
        )
        client = Anthropic(api_key="sk-test", base_url="https://api.anthropic.test", max_retries=0)
        reply = client.messages.create(
            model="m", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
    assert route.called
    assert reply.content[0].text == "hi"


def test_an_unmocked_request_does_not_escape():
    with respx.mock(assert_all_mocked=True), pytest.raises(Exception, match="not mocked"):
        OpenAI(api_key="sk-test", base_url="https://escape.test/v1", max_retries=0).models.list()
    with respx.mock(assert_all_mocked=True), pytest.raises(Exception) as caught:
        Anthropic(api_key="sk-test", base_url="https://escape.test", max_retries=0).models.list()
    # The Anthropic SDK wraps respx's refusal in its own connection error.
    assert isinstance(caught.value.__cause__, respx.models.AllMockedAssertionError)


def test_the_interviewers_real_clients_go_through_respx():
    import asyncio

    from interviewer.base import InterviewerError
    from tests.interviewer.factories import context
    from tests.llm.wire import anthropic_model_interviewer, openai_model_interviewer

    for model in [anthropic_model_interviewer(), openai_model_interviewer()]:

        async def run(model=model):
            return [piece async for piece in model.stream_reply(context(said=["Hi"]))]

        with respx.mock(assert_all_mocked=True) as mock:
            catch_all = mock.route().respond(418, json={"error": {"message": "caught"}})
            with pytest.raises(InterviewerError, match="418"):
                asyncio.run(run())
        assert catch_all.call_count == 1
