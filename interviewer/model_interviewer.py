"""The interviewer on a language model: any :class:`llm.Model`, OpenAI, Anthropic or fake.

One turn is one :class:`llm.ChatPrompt`: the stable system prompt, the conversation (kept under
a token budget), then the current step and the time left. The reply streams through the
provider layer's retry rule (:mod:`llm.retry`), the private notes are split off before anything
reaches the candidate, and usage the provider did not report is counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from interviewer.base import InterviewerError, ReplyMeta, TurnContext
from interviewer.context_window import DEFAULT_CONTEXT_TOKENS, chat_messages
from interviewer.notes import NotesSplitter, wants_to_advance
from interviewer.prompts import INTERVIEWER_PROMPT_VERSION, render_system_prompt, render_turn_prompt
from llm import (
    DEFAULT_RETRY,
    ChatPrompt,
    Model,
    ProviderError,
    RetryPolicy,
    StreamEnd,
    Usage,
    count_tokens,
    stream_with_retry,
)

__all__ = ["REPLY_MAX_TOKENS", "ModelInterviewer"]

REPLY_MAX_TOKENS = 600
TEMPERATURE = 0.4
CUT_OFF = "the provider's stream ended before the reply was finished"


class ModelInterviewer:
    offline = False

    def __init__(
        self,
        model: Model,
        *,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.model = model
        self.model_id = str(model.id)
        self.price_key = model.price_key
        self.context_tokens = context_tokens
        self.retry = retry
        self.sleep = sleep

    def prompt(self, context: TurnContext) -> ChatPrompt:
        # The stable prefix's identity: every turn of every session with these is alike.
        cache_key = ":".join(
            [INTERVIEWER_PROMPT_VERSION, context.problem.id, context.persona, context.level]
        )
        return ChatPrompt(
            system=render_system_prompt(context),
            history=tuple(chat_messages(context, budget_tokens=self.context_tokens)),
            now=render_turn_prompt(context),
            max_tokens=REPLY_MAX_TOKENS,
            temperature=TEMPERATURE,
            cache_key=f"{cache_key}:{context.minutes}",
        )

    async def stream_reply(self, context: TurnContext) -> AsyncIterator[str | ReplyMeta]:
        prompt = self.prompt(context)
        splitter = NotesSplitter()
        raw: list[str] = []
        end: StreamEnd | None = None
        try:
            async for item in stream_with_retry(
                lambda: self.model.stream(prompt), policy=self.retry, sleep=self.sleep
            ):
                if isinstance(item, StreamEnd):
                    end = item
                    continue
                raw.append(item)
                visible = splitter.feed(item)
                if visible:
                    yield visible
        except ProviderError as exc:
            raise InterviewerError(exc.message) from exc
        if end is None:
            raise InterviewerError(CUT_OFF)
        tail, notes = splitter.finish()
        if tail:
            yield tail
        usage = end.usage
        if usage is None:
            prompt_tokens, how = count_tokens(prompt.text())
            usage = Usage(prompt_tokens, 0, count_tokens("".join(raw))[0], source=how)
        yield ReplyMeta(usage=usage, notes=notes, advance=wants_to_advance(notes))
