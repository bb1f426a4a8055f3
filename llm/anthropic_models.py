"""Models on Anthropic's Messages API.

A stream is ``messages.with_streaming_response.create(stream=True)``, its events read by
:mod:`llm.streams`; a structured answer is a forced tool call whose input schema is the
answer's. Two cache breakpoints: after the system prompt, and after
the history (chat) or the shared material (structured), so the next call of the session or
grading run reads both from the cache. The per-call part goes after the history, as a last text
block of the last user message. This SDK's Messages API takes no temperature, so a prompt's
``temperature`` is not sent: samples vary by default.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace

from anthropic import AsyncAnthropic

from llm.errors import ProviderError
from llm.model_ids import ModelId
from llm.prompt import ChatPrompt, StreamEnd, StructuredPrompt, StructuredReply
from llm.streams import events
from llm.usage import Usage, usage_from_anthropic

__all__ = ["AnthropicModel", "chat_request_for"]

CACHED = {"type": "ephemeral"}


def _blocks(text: str, *, cached: bool = False) -> list[dict]:
    block = {"type": "text", "text": text}
    return [{**block, "cache_control": CACHED} if cached else block]


def chat_request_for(prompt: ChatPrompt) -> dict:
    """``system`` and ``messages`` for the Messages API."""
    history = [dict(message) for message in prompt.history]
    last = history[-1]
    content = _blocks(last["content"], cached=True)
    if prompt.now:
        content += _blocks(prompt.now)
    history[-1] = {"role": last["role"], "content": content}
    return {"system": _blocks(prompt.system, cached=True), "messages": history}


class AnthropicModel:
    def __init__(self, name: str, client: AsyncAnthropic) -> None:
        self.id = ModelId("anthropic", name)
        self.price_key = str(self.id)
        self.client = client

    async def stream(self, prompt: ChatPrompt) -> AsyncIterator[str | StreamEnd]:
        usage = Usage()
        stop_reason = None
        request = chat_request_for(prompt)
        async with self.client.messages.with_streaming_response.create(
            model=self.id.name, max_tokens=prompt.max_tokens, stream=True, **request
        ) as response:
            async for kind, data in events(response):
                kind = data.get("type", kind)
                if kind == "content_block_delta":
                    delta = data.get("delta") or {}
                    if delta.get("type") == "text_delta" and delta.get("text"):
                        yield delta["text"]
                elif kind == "message_start":
                    usage = usage_from_anthropic((data.get("message") or {}).get("usage") or {})
                elif kind == "message_delta":
                    stop_reason = (data.get("delta") or {}).get("stop_reason") or stop_reason
                    output = (data.get("usage") or {}).get("output_tokens")
                    if output is not None:
                        usage = replace(usage, output_tokens=output)
                elif kind == "error":
                    error = data.get("error") or {}
                    message = error.get("message") if isinstance(error, dict) else None
                    raise ProviderError(f"the Anthropic provider failed: {message or error}")
        if stop_reason is not None:  # a stream cut off raises nothing: check
            yield StreamEnd(usage)

    async def structured(self, prompt: StructuredPrompt) -> StructuredReply:
        first, *rest = prompt.messages
        # The shared material closes the part every call shares: a breakpoint there caches
        # the system prompt and it together.
        opening = {
            "role": "user",
            "content": _blocks(prompt.shared, cached=True) + _blocks(first["content"]),
        }
        options = {} if prompt.timeout is None else {"timeout": prompt.timeout}
        response = await self.client.messages.create(
            model=self.id.name,
            max_tokens=prompt.max_tokens,
            system=_blocks(prompt.system),
            messages=[opening, *rest],
            tools=[
                {
                    "name": prompt.schema_name,
                    "description": prompt.description,
                    "input_schema": prompt.schema,
                }
            ],
            tool_choice={"type": "tool", "name": prompt.schema_name},
            **options,
        )
        usage = usage_from_anthropic(response.usage)
        for block in response.content:
            if block.type == "tool_use" and block.name == prompt.schema_name:
                return StructuredReply(json.dumps(block.input), usage)
        text = "".join(getattr(block, "text", "") for block in response.content)
        return StructuredReply(text, usage, None if text else "no tool call in the answer")
