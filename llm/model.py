"""What every model offers the application: a streamed chat reply and a structured answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from llm.model_ids import ModelId
from llm.prompt import ChatPrompt, StreamEnd, StructuredPrompt, StructuredReply

__all__ = ["Model"]


class Model(Protocol):
    id: ModelId
    price_key: str  # its entry in the price table (see llm.prices.price_key)

    def stream(self, prompt: ChatPrompt) -> AsyncIterator[str | StreamEnd]:
        """One attempt: the reply's text pieces, then a :class:`StreamEnd` if the provider
        finished it. Failures raise the SDK's exceptions (see :mod:`llm.errors`)."""
        ...

    async def structured(self, prompt: StructuredPrompt) -> StructuredReply:
        """One attempt at a JSON answer matching ``prompt.schema``."""
        ...
