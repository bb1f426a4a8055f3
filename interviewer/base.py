"""The interviewer interface: given the state of the interview, stream the next reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from interviewer.conversation import Conversation
from llm.usage import Usage
from problems.models import Problem
from problems.phases import PhasePlan

__all__ = ["Interviewer", "InterviewerError", "ReplyMeta", "TurnContext"]


class InterviewerError(RuntimeError):
    """The interviewer could not produce a reply (provider down, bad key, cut stream, ...)."""


@dataclass(frozen=True)
class TurnContext:
    """Everything an interviewer needs for one reply."""

    problem: Problem
    plan: PhasePlan
    minutes: int
    conversation: Conversation
    phase_changed_from: str | None = None
    phase_change_reason: str | None = None
    persona: str = "neutral"
    level: str = "senior"
    phase_seconds_left: float | None = None
    session_seconds_left: float | None = None
    session_id: str = ""

    @property
    def phase(self) -> str:
        return self.conversation.phase

    @property
    def is_last_phase(self) -> bool:
        return self.plan.next_phase_id(self.phase) is None


@dataclass(frozen=True)
class ReplyMeta:
    """Yielded once, after the text: what the reply cost and what the interviewer decided."""

    usage: Usage | None = None
    notes: str = ""
    advance: bool = False
    extra: dict = field(default_factory=dict)


class Interviewer(Protocol):
    model_id: str
    price_key: str
    offline: bool

    def stream_reply(self, context: TurnContext) -> AsyncIterator[str | ReplyMeta]:
        """Yield the visible reply in pieces, then at most one :class:`ReplyMeta`."""
        ...
