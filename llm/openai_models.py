"""Models on OpenAI chat completions, or on any OpenAI-compatible server (vLLM, Ollama).

A stream is ``chat.completions.with_streaming_response.create(stream=True)`` with
``stream_options={"include_usage": True}``, its events read by :mod:`llm.streams`; structured
answers use ``response_format`` with a strict JSON schema. The per-call part of a chat prompt
goes after the history as a last system message, so the prefix before it stays cacheable (see
:mod:`llm.prompt`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from openai import AsyncOpenAI

from llm.errors import ProviderError
from llm.model_ids import ModelId
from llm.prompt import ChatPrompt, StreamEnd, StructuredPrompt, StructuredReply
from llm.streams import events
from llm.usage import Usage, usage_from_openai

__all__ = ["OpenAIModel", "chat_messages_for"]


def chat_messages_for(prompt: ChatPrompt) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": prompt.system}, *prompt.history]
    if prompt.now:
        messages.append({"role": "system", "content": prompt.now})
    return messages


def _message(chunk: dict) -> str:
    error = chunk["error"]
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) and message else "an error in the stream"


def _strict(prompt: StructuredPrompt) -> dict:
    return {"name": prompt.schema_name, "strict": True, "schema": prompt.schema}


class OpenAIModel:
    def __init__(self, name: str, client: AsyncOpenAI, *, price_key: str | None = None) -> None:
        self.id = ModelId("openai", name)
        self.price_key = price_key or str(self.id)
        self.client = client

    async def stream(self, prompt: ChatPrompt) -> AsyncIterator[str | StreamEnd]:
        """The reply's text pieces, then :class:`StreamEnd` if the stream finished. Raises the
        SDK's (or the HTTP client's) exceptions; :mod:`llm.errors` classifies them."""
        options = {"prompt_cache_key": prompt.cache_key} if prompt.cache_key else {}
        if prompt.temperature is not None:
            options["temperature"] = prompt.temperature
        finished = False
        usage: Usage | None = None
        async with self.client.chat.completions.with_streaming_response.create(
            model=self.id.name,
            messages=chat_messages_for(prompt),
            stream=True,
            stream_options={"include_usage": True},
            max_tokens=prompt.max_tokens,
            **options,
        ) as response:
            async for _, chunk in events(response):
                if chunk.get("error"):
                    raise ProviderError(f"the OpenAI-compatible provider failed: {_message(chunk)}")
                if chunk.get("usage"):
                    usage = usage_from_openai(chunk["usage"])
                for choice in chunk.get("choices") or ():
                    content = (choice.get("delta") or {}).get("content")
                    if content:
                        yield content
                    if choice.get("finish_reason"):
                        finished = True
        if finished:  # a stream cut off before its finish reason raises nothing: check
            yield StreamEnd(usage)

    async def structured(self, prompt: StructuredPrompt) -> StructuredReply:
        options = {"prompt_cache_key": prompt.cache_key} if prompt.cache_key else {}
        if prompt.temperature is not None:
            options["temperature"] = prompt.temperature
        if prompt.timeout is not None:
            options["timeout"] = prompt.timeout
        response = await self.client.chat.completions.create(
            model=self.id.name,
            messages=[
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.shared},
                *prompt.messages,
            ],
            response_format={"type": "json_schema", "json_schema": _strict(prompt)},
            max_tokens=prompt.max_tokens,
            **options,
        )
        usage = usage_from_openai(response.usage) if response.usage is not None else Usage()
        choice = response.choices[0]
        text = choice.message.content or ""
        if choice.finish_reason == "length":
            return StructuredReply(text, usage, "the answer was cut off")
        return StructuredReply(text, usage, choice.message.refusal)
