"""The interviewer on Anthropic's Messages API, with the stable prompt prefix cached."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import anthropic
from anthropic import AsyncAnthropic

from interviewer.base import TurnContext
from interviewer.context_window import DEFAULT_CONTEXT_TOKENS, chat_messages
from interviewer.prompts import render_system_prompt, render_turn_prompt
from interviewer.providers.streaming import (
    DEFAULT_RETRY,
    ProviderFailure,
    ProviderInterviewer,
    RetryPolicy,
    StreamEnd,
    classify_sdk_error,
)
from interviewer.providers.transport import http_client
from interviewer.usage import Usage

__all__ = ["AnthropicInterviewer", "classify_anthropic_error"]

REPLY_MAX_TOKENS = 600


def classify_anthropic_error(exc: Exception) -> ProviderFailure:
    return classify_sdk_error(anthropic, exc, name="Anthropic")


class AnthropicInterviewer(ProviderInterviewer):
    def __init__(
        self,
        *,
        model: str,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        client: AsyncAnthropic | None = None,
    ) -> None:
        super().__init__(model=model, context_tokens=context_tokens, retry=retry, sleep=sleep)
        self.model_id = self.price_key = f"anthropic:{model}"
        self._client = client or AsyncAnthropic(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=0,
            http_client=http_client(timeout=timeout),
        )

    def _request(self, context: TurnContext) -> dict:
        return {
            "model": self.model,
            "max_tokens": REPLY_MAX_TOKENS,
            "stream": True,
            "system": [
                {
                    "type": "text",
                    "text": render_system_prompt(context),
                    "cache_control": {"type": "ephemeral"},
                },
                {"type": "text", "text": render_turn_prompt(context)},
            ],
            "messages": chat_messages(context, budget_tokens=self._context_tokens),
        }

    async def _attempt(self, request: dict) -> AsyncIterator[str | StreamEnd]:
        stream = await self._client.messages.create(**request)
        input_tokens = cached = output_tokens = 0
        stop_reason = None
        async for event in stream:
            if event.type == "message_start":
                usage = event.message.usage
                cached = usage.cache_read_input_tokens or 0
                written = usage.cache_creation_input_tokens or 0
                input_tokens = usage.input_tokens + cached + written
                output_tokens = usage.output_tokens or 0
            elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                yield event.delta.text
            elif event.type == "message_delta":
                stop_reason = event.delta.stop_reason or stop_reason
                output_tokens = event.usage.output_tokens or output_tokens
        if stop_reason is not None:
            yield StreamEnd(Usage(input_tokens, cached, output_tokens))

    def _prompt_text(self, request: dict) -> str:
        return "\n".join(
            [block["text"] for block in request["system"]]
            + [message["content"] for message in request["messages"]]
        )

    def _classify(self, exc: Exception) -> ProviderFailure:
        return classify_anthropic_error(exc)
