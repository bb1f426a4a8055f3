"""What the interviewer's turn loop reports, and the errors of the interview service.

Plain data shared by the service, the live layer and the front ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interviewer.conversation import Conversation, Message

__all__ = [
    "IdempotencyConflictError",
    "InvalidMessageError",
    "PhaseChanged",
    "ReplyCompleted",
    "ReplyFailed",
    "ReplyInterrupted",
    "SessionEnded",
    "TokenStreamed",
    "TurnClaim",
    "TurnEvent",
    "TurnNotAllowedError",
]


class InvalidMessageError(ValueError):
    """A candidate message that is empty or too long."""


class TurnNotAllowedError(RuntimeError):
    """The action does not fit the state of the session (the interviewer owes a reply, ...)."""


@dataclass(frozen=True)
class TurnClaim:
    """What :meth:`InterviewService.begin_turn` found: ``started`` (with the turn's seq),
    ``running`` elsewhere, an ``orphan`` to close, ``failed`` (await a retry) or ``idle``."""

    status: str
    seq: int | None
    state: Conversation


class IdempotencyConflictError(ValueError):
    """A client_id that was already used for a different message."""


@dataclass(frozen=True)
class TokenStreamed:
    text: str


@dataclass(frozen=True)
class PhaseChanged:
    phase: str
    previous: str
    title: str
    reason: str = "candidate"


@dataclass(frozen=True)
class ReplyCompleted:
    message: Message
    usage: dict[str, Any] | None = None


@dataclass(frozen=True)
class ReplyFailed:
    detail: str


@dataclass(frozen=True)
class ReplyInterrupted:
    detail: str
    message: Message


@dataclass(frozen=True)
class SessionEnded:
    reason: str


TurnEvent = (
    TokenStreamed | PhaseChanged | ReplyCompleted | ReplyFailed | ReplyInterrupted | SessionEnded
)
