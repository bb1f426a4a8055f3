"""The interviewer on Anthropic's Messages API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic
from anthropic import AsyncAnthropic

from interviewer.base import InterviewerError, TurnContext
from interviewer.prompts import chat_messages, render_system_prompt

__all__ = ["AnthropicInterviewer"]

REPLY_MAX_TOKENS = 400


class AnthropicInterviewer:
    offline = False

    def __init__(
        self,
        *,
        model: str,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        client: AsyncAnthropic | None = None,
    ) -> None:
        self.model = model
        self.model_id = f"anthropic:{model}"
        self._client = client or AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=1
        )

    async def stream_reply(self, context: TurnContext) -> AsyncIterator[str]:
        stop_reason = None
        try:
            async with self._client.messages.stream(
                model=self.model,
                system=render_system_prompt(context),
                messages=chat_messages(context),
                max_tokens=REPLY_MAX_TOKENS,
            ) as stream:
                async for text in stream.text_stream:
                    yield text
                final = await stream.get_final_message()
                stop_reason = final.stop_reason
        except anthropic.APIError as exc:
            raise InterviewerError(f"the Anthropic provider failed: {exc}") from exc
        if stop_reason is None:
            raise InterviewerError("the provider's stream ended before the reply was finished")
