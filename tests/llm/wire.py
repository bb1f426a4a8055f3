"""Wire-format fixtures: what the OpenAI and Anthropic streaming APIs send, and interviewers on
real SDK clients pointed at the mocked hosts."""

from __future__ import annotations

import json

OPENAI_BASE_URL = "https://openai.test/v1"
ANTHROPIC_BASE_URL = "https://anthropic.test"


async def no_wait(seconds: float) -> None:
    return None


def openai_model_interviewer(name: str = "m", **options):
    """The interviewer on a real OpenAI client for ``OPENAI_BASE_URL`` (mock it with respx)."""
    from interviewer.model_interviewer import ModelInterviewer
    from llm import Credentials
    from llm.clients import openai_client
    from llm.openai_models import OpenAIModel

    client = openai_client(Credentials(openai_api_key="k", openai_base_url=OPENAI_BASE_URL))
    return ModelInterviewer(OpenAIModel(name, client), sleep=no_wait, **options)


def anthropic_model_interviewer(name: str = "m", **options):
    from interviewer.model_interviewer import ModelInterviewer
    from llm import Credentials
    from llm.anthropic_models import AnthropicModel
    from llm.clients import anthropic_client

    credentials = Credentials(anthropic_api_key="k", anthropic_base_url=ANTHROPIC_BASE_URL)
    return ModelInterviewer(
        AnthropicModel(name, anthropic_client(credentials)), sleep=no_wait, **options
    )


def sse(*blocks: str) -> bytes:
    return "".join(f"{block}\n\n" for block in blocks).encode()


def openai_chunk(content=None, finish=None, usage=None, choices=True) -> str:
    body = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    delta = {"content": content} if content is not None else {}
    body["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}] if choices else []
    if usage is not None:
        body["usage"] = usage
    return "data: " + json.dumps(body)


def openai_usage(prompt=1200, cached=1024, completion=42) -> dict:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached},
    }


def openai_stream(*texts: str, finish="stop", usage=None) -> bytes:
    blocks = [openai_chunk(text) for text in texts]
    if finish:
        blocks.append(openai_chunk(finish=finish))
        blocks.append(openai_chunk(choices=False, usage=usage or openai_usage()))
        blocks.append("data: [DONE]")
    return sse(*blocks)


def _event(kind: str, data: dict) -> str:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}"


def anthropic_stream(
    *texts: str, stop_reason="end_turn", input_tokens=150, cache_read=1100, cache_write=0
) -> bytes:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_write,
            "output_tokens": 1,
        },
    }
    blocks = [
        _event("message_start", {"message": message}),
        _event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
    ]
    blocks += [
        _event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": t}})
        for t in texts
    ]
    if stop_reason:
        blocks += [
            _event("content_block_stop", {"index": 0}),
            _event(
                "message_delta",
                {
                    "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                    "usage": {"output_tokens": 37},
                },
            ),
            _event("message_stop", {}),
        ]
    return sse(*blocks)


def anthropic_error_event(kind="overloaded_error", message="Overloaded") -> str:
    payload = {"type": "error", "error": {"type": kind, "message": message}}
    return f"event: error\ndata: {json.dumps(payload)}"
