"""The interviewer interface: given the state of the interview, stream the next reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import ClassVar, Protocol

from interviewer.conversation import Conversation
from problems.models import Problem
from problems.phases import PhasePlan

__all__ = ["Interviewer", "InterviewerError", "TurnContext"]


class InterviewerError(RuntimeError):
    """The interviewer could not produce a reply (provider down, bad key, ...)."""


@dataclass(frozen=True)
class TurnContext:
    """Everything an interviewer needs for one reply."""

    problem: Problem
    plan: PhasePlan
    minutes: int
    conversation: Conversation
    phase_changed_from: str | None = None

    @property
    def phase(self) -> str:
        return self.conversation.phase


class Interviewer(Protocol):
    model_id: ClassVar[str] | str
    offline: bool

    def stream_reply(self, context: TurnContext) -> AsyncIterator[str]:
        """Yield the reply in pieces (tokens or words); their concatenation is the reply."""
        ...
