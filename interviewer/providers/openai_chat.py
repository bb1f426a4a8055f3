"""The interviewer on OpenAI chat completions, or any OpenAI-compatible server (vLLM, Ollama)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import openai
from openai import AsyncOpenAI

from interviewer.base import TurnContext
from interviewer.context_window import DEFAULT_CONTEXT_TOKENS, chat_messages
from interviewer.prompts import INTERVIEWER_PROMPT_VERSION, render_system_prompt, render_turn_prompt
from interviewer.providers.streaming import (
    DEFAULT_RETRY,
    ProviderFailure,
    ProviderInterviewer,
    RetryPolicy,
    StreamEnd,
    classify_sdk_error,
)
from interviewer.usage import Usage, usage_from_openai

__all__ = ["OpenAIChatInterviewer", "classify_openai_error"]

REPLY_MAX_TOKENS = 600


def classify_openai_error(exc: Exception) -> ProviderFailure:
    return classify_sdk_error(openai, exc, name="OpenAI-compatible")


class OpenAIChatInterviewer(ProviderInterviewer):
    def __init__(
        self,
        *,
        model: str,
        api_key: str | None,
        base_url: str | None = None,
        timeout: float = 60.0,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        client: AsyncOpenAI | None = None,
    ) -> None:
        super().__init__(model=model, context_tokens=context_tokens, retry=retry, sleep=sleep)
        self.model_id = f"openai:{model}"
        # A self-hosted server has no token bill; the official API is priced by model.
        self.price_key = f"openai-compatible:{model}" if base_url else self.model_id
        self._client = client or AsyncOpenAI(
            api_key=api_key or "not-needed",  # local servers accept any key
            base_url=base_url,
            timeout=timeout,
            max_retries=0,  # one retry layer: ours, and only before the first token
        )

    def _request(self, context: TurnContext) -> dict:
        messages = [
            {"role": "system", "content": render_system_prompt(context)},
            {"role": "system", "content": render_turn_prompt(context)},
            *chat_messages(context, budget_tokens=self._context_tokens),
        ]
        cache_key = ":".join(
            [INTERVIEWER_PROMPT_VERSION, context.problem.id, context.persona, context.level]
        )
        return {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": REPLY_MAX_TOKENS,
            "temperature": 0.4,
            "prompt_cache_key": f"{cache_key}:{context.minutes}",
        }

    async def _attempt(self, request: dict) -> AsyncIterator[str | StreamEnd]:
        stream = await self._client.chat.completions.create(**request)
        finished = False
        usage: Usage | None = None
        async for chunk in stream:
            if chunk.usage is not None:
                usage = usage_from_openai(chunk.usage)
            for choice in chunk.choices:
                if choice.delta is not None and choice.delta.content:
                    yield choice.delta.content
                if choice.finish_reason:
                    finished = True
        if finished:
            yield StreamEnd(usage)

    def _prompt_text(self, request: dict) -> str:
        return "\n".join(message["content"] for message in request["messages"])

    def _classify(self, exc: Exception) -> ProviderFailure:
        return classify_openai_error(exc)
