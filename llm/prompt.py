"""What the application asks a model for, the same for every provider, and what comes back.

The cache policy is in the shape of the request. A provider reuses the longest byte-identical
prefix of the prompts it has seen, so a request goes from what never changes to what changes
every call:

1. ``system``: instructions (and for the judge, the rubric). The same for a whole session or
   grading run.
2. ``history`` (chat) or ``shared`` (structured): the conversation so far, which only grows, or
   the grading material and transcript, the same for every dimension.
3. ``now`` (chat) or ``messages`` (structured): this call's own part, last.

OpenAI caches prefixes of 1,024 tokens or more by itself; ``cache_key`` (the stable identity of
the prefix: prompt version, problem, persona, ...) routes requests that share one to the same
cache. Anthropic caches up to explicit breakpoints: one after ``system`` and one after the
history or the shared part (see the provider modules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llm.usage import Usage

__all__ = ["ChatPrompt", "StreamEnd", "StructuredPrompt", "StructuredReply"]


@dataclass(frozen=True)
class ChatPrompt:
    """A request for a streamed reply. ``history`` alternates ``user`` and ``assistant``
    messages (``{"role", "content"}``), starting and ending with ``user``."""

    system: str
    history: tuple[dict[str, str], ...]
    now: str = ""
    max_tokens: int = 600
    temperature: float | None = 0.4
    cache_key: str = ""

    def text(self) -> str:
        """Everything sent, as one text (for counting tokens when a provider reports none)."""
        parts = [self.system, *(message["content"] for message in self.history), self.now]
        return "\n".join(part for part in parts if part)


@dataclass(frozen=True)
class StructuredPrompt:
    """A request for one JSON object matching ``schema``: ``system``, then ``shared`` (as a
    user message), then ``messages`` (this call's request, and a repair exchange if any)."""

    system: str
    shared: str
    messages: tuple[dict[str, str], ...]
    schema: dict[str, Any] = field(default_factory=dict)
    schema_name: str = "answer"
    description: str = "Record the answer."
    max_tokens: int = 900
    temperature: float | None = None
    cache_key: str = ""
    timeout: float | None = None


@dataclass(frozen=True)
class StreamEnd:
    """The last item of a stream that finished (a provider stop reason was seen)."""

    usage: Usage | None


@dataclass(frozen=True)
class StructuredReply:
    text: str  # the JSON the model produced, unvalidated
    usage: Usage
    refusal: str | None = None  # why there is no usable answer (a refusal, a cut-off answer)
