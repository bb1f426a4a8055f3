"""A scripted model: the real request and answer shapes, no network.

In the spirit of pydantic-ai's ``FunctionModel`` and llm's ``MockModel``: give it a script of
answers, or a function from the prompt to the answer, and it streams and answers as a provider
would, recording every prompt it was given. Tests, dry runs (``make eval --dry-run``) and demos
(``INTERVIEWER_MODEL=fake:scripted``) use it.

A script item is a reply's text, a :class:`Scripted` reply (pieces, then optionally a failure
or a stream cut off before its end), or an exception raised before anything arrives. When the
script runs out, ``function`` answers, and without one a built-in answer does: a short
interviewer follow-up for a chat, the smallest object the schema allows for a structured call.
Token usage is counted from the texts, so a dry run shows what a real run would spend.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from llm.model_ids import ModelId
from llm.prompt import ChatPrompt, StreamEnd, StructuredPrompt, StructuredReply
from llm.usage import Usage, count_tokens

__all__ = ["FakeModel", "Scripted", "example_for"]

_PIECE = re.compile(r"\S+\s*|\s+")
DEFAULT_REPLY = "Noted. Walk me through the next part: what would you do, and why?"


@dataclass(frozen=True)
class Scripted:
    """One scripted answer. ``pieces`` stream in order; then ``error`` is raised if given, or
    the stream simply stops if not ``finished`` (a provider cut off mid-reply)."""

    pieces: tuple[str, ...] = ()
    error: BaseException | None = None
    finished: bool = True
    usage: Usage | None = None
    refusal: str | None = None


def _as_scripted(item: Any) -> Scripted:
    if isinstance(item, Scripted):
        return item
    if isinstance(item, BaseException):
        return Scripted(error=item)
    if isinstance(item, dict):
        return Scripted(pieces=(json.dumps(item),))
    return Scripted(pieces=tuple(_PIECE.findall(str(item))))


def example_for(schema: dict[str, Any]) -> Any:
    """The smallest value ``schema`` allows (an enum's middle choice for a score)."""
    if "enum" in schema:
        choices = schema["enum"]
        return choices[(len(choices) - 1) // 2]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: example_for(properties[name]) for name in schema.get("required", [])}
    if kind == "array":
        return [example_for(schema.get("items", {}))] * schema.get("minItems", 0)
    return {"string": "fake", "integer": 0, "number": 0, "boolean": False}.get(kind)


@dataclass
class FakeModel:
    name: str = "scripted"
    script: Iterable[Any] = ()
    function: Callable[[ChatPrompt | StructuredPrompt], Any] | None = None
    price_key: str = ""
    prompts: list[ChatPrompt | StructuredPrompt] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.id = ModelId("fake", self.name)
        self.price_key = self.price_key or str(self.id)
        self._script = deque(self.script)

    def _next(self, prompt: ChatPrompt | StructuredPrompt) -> Scripted:
        self.prompts.append(prompt)
        if self._script:
            return _as_scripted(self._script.popleft())
        if self.function is not None:
            return _as_scripted(self.function(prompt))
        if isinstance(prompt, StructuredPrompt):
            return _as_scripted(example_for(prompt.schema))
        return _as_scripted(DEFAULT_REPLY)

    @staticmethod
    def _usage(prompt_text: str, answer: str) -> Usage:
        return Usage(count_tokens(prompt_text)[0], 0, count_tokens(answer)[0], source="counted")

    async def stream(self, prompt: ChatPrompt) -> AsyncIterator[str | StreamEnd]:
        answer = self._next(prompt)
        for piece in answer.pieces:
            yield piece
        if answer.error is not None:
            raise answer.error
        if answer.finished:
            text = "".join(answer.pieces)
            yield StreamEnd(answer.usage or self._usage(prompt.text(), text))

    async def structured(self, prompt: StructuredPrompt) -> StructuredReply:
        answer = self._next(prompt)
        if answer.error is not None:
            raise answer.error
        text = "".join(answer.pieces)
        sent = "\n".join([prompt.system, prompt.shared, *(m["content"] for m in prompt.messages)])
        return StructuredReply(text, answer.usage or self._usage(sent, text), answer.refusal)
