"""One structured-output call to a model, for the LLM judge.

OpenAI (and OpenAI-compatible servers) get ``response_format`` with a strict JSON schema;
Anthropic gets a forced tool whose input schema is the same. Both return the raw JSON text and
the token usage; validation and the repair retry live in :mod:`rubrics.llm_judge`.

Every call is ``system`` (instructions and rubric), then ``shared`` (the grading material and
the transcript, as a user message), then ``messages`` (the request for one dimension, and a
repair exchange if one was needed). The first two are the same for every call of a grading run:
OpenAI caches that prefix by itself (with a ``prompt_cache_key``); Anthropic gets a cache
breakpoint at the end of ``shared``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from interviewer.usage import Usage, usage_from_openai

__all__ = [
    "AnthropicJudgeClient",
    "JudgeClient",
    "JudgeReply",
    "OpenAIJudgeClient",
    "message_of",
]

MAX_OUTPUT_TOKENS = 900
TOOL_NAME = "record_grade"


@dataclass(frozen=True)
class JudgeReply:
    text: str  # the JSON the model produced, unvalidated
    usage: Usage
    refusal: str | None = None


class JudgeClient(Protocol):
    model_id: str  # provider:model, for the scorecard and the price table
    price_key: str

    async def structured(
        self,
        *,
        system: str,
        shared: str,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        timeout: float,
        temperature: float,
        cache_key: str,
    ) -> JudgeReply: ...


def message_of(exc: Exception) -> str:
    """A one-line reason for a failed call, without the SDK's request dump."""
    status = getattr(exc, "status_code", None)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return (
        f"{type(exc).__name__} {status}: {message}"
        if status
        else f"{type(exc).__name__}: {message}"
    )


class OpenAIJudgeClient:
    def __init__(
        self, *, model: str, api_key: str | None, base_url: str | None = None, max_retries: int = 1
    ) -> None:
        from openai import AsyncOpenAI

        self.model = model
        self.model_id = f"openai:{model}"
        self.price_key = f"openai-compatible:{model}" if base_url else self.model_id
        self._client = AsyncOpenAI(
            api_key=api_key or "not-needed", base_url=base_url, max_retries=max_retries
        )

    async def structured(
        self, *, system, shared, messages, schema, timeout, temperature, cache_key
    ):
        response = await self._client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": system},
                {"role": "user", "content": shared},
                *messages,
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "dimension_grade", "strict": True, "schema": schema},
            },
            temperature=temperature,
            max_tokens=MAX_OUTPUT_TOKENS,
            prompt_cache_key=cache_key,
            timeout=timeout,
        )
        usage = usage_from_openai(response.usage) if response.usage is not None else Usage()
        choice = response.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        if choice.finish_reason == "length":
            return JudgeReply(choice.message.content or "", usage, "the answer was cut off")
        return JudgeReply(choice.message.content or "", usage, refusal)


class AnthropicJudgeClient:
    def __init__(
        self, *, model: str, api_key: str, base_url: str | None = None, max_retries: int = 1
    ) -> None:
        from anthropic import AsyncAnthropic

        self.model = model
        self.model_id = self.price_key = f"anthropic:{model}"
        self._client = AsyncAnthropic(api_key=api_key, base_url=base_url, max_retries=max_retries)

    async def structured(
        self, *, system, shared, messages, schema, timeout, temperature, cache_key
    ):
        first, *rest = messages
        # The material and transcript close the part every dimension shares: the breakpoint
        # there caches the system prompt and them together.
        opening = {
            "role": "user",
            "content": [
                {"type": "text", "text": shared, "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": first["content"]},
            ],
        }
        response = await self._client.messages.create(
            model=self.model,
            max_tokens=MAX_OUTPUT_TOKENS,
            # This SDK's Messages API takes no temperature: samples vary by default.
            system=[{"type": "text", "text": system}],
            messages=[opening, *rest],
            tools=[
                {
                    "name": TOOL_NAME,
                    "description": "Record the grade of one rubric dimension.",
                    "input_schema": schema,
                }
            ],
            tool_choice={"type": "tool", "name": TOOL_NAME},
            timeout=timeout,
        )
        usage = Usage(
            input_tokens=(response.usage.input_tokens or 0)
            + (response.usage.cache_read_input_tokens or 0)
            + (response.usage.cache_creation_input_tokens or 0),
            cached_input_tokens=response.usage.cache_read_input_tokens or 0,
            output_tokens=response.usage.output_tokens or 0,
        )
        for block in response.content:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                return JudgeReply(json.dumps(block.input), usage)
        text = "".join(getattr(block, "text", "") for block in response.content)
        return JudgeReply(text, usage, None if text else "no tool call in the answer")
