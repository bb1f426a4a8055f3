"""The interviewer on OpenAI chat completions, or any OpenAI-compatible server (vLLM, Ollama)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import openai
from openai import AsyncOpenAI

from interviewer.base import InterviewerError, TurnContext
from interviewer.prompts import chat_messages, render_system_prompt

__all__ = ["OpenAIChatInterviewer"]

REPLY_MAX_TOKENS = 400


class OpenAIChatInterviewer:
    offline = False

    def __init__(
        self,
        *,
        model: str,
        api_key: str | None,
        base_url: str | None = None,
        timeout: float = 60.0,
        client: AsyncOpenAI | None = None,
    ) -> None:
        self.model = model
        self.model_id = f"openai:{model}"
        self._client = client or AsyncOpenAI(
            # Local OpenAI-compatible servers accept any key.
            api_key=api_key or "not-needed",
            base_url=base_url,
            timeout=timeout,
            max_retries=1,
        )

    async def stream_reply(self, context: TurnContext) -> AsyncIterator[str]:
        messages = [{"role": "system", "content": render_system_prompt(context)}]
        messages += chat_messages(context)
        finished = False
        try:
            stream = await self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                stream=True,
                temperature=0.4,
                max_tokens=REPLY_MAX_TOKENS,
            )
            async for chunk in stream:
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
                    if choice.finish_reason:
                        finished = True
        except openai.APIError as exc:
            raise InterviewerError(f"the OpenAI-compatible provider failed: {exc}") from exc
        if not finished:
            raise InterviewerError("the provider's stream ended before the reply was finished")
