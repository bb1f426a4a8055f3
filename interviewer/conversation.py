"""A session's conversation as the interviewer sees it, derived from the event log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.events import EventType, SessionEvent

__all__ = ["Conversation", "Message"]

Role = Literal["interviewer", "candidate"]
FIRST_PHASE = "clarify"


@dataclass(frozen=True)
class Message:
    seq: int
    role: Role
    phase: str
    text: str
    at: datetime


@dataclass(frozen=True)
class Conversation:
    started_at: datetime
    messages: tuple[Message, ...]
    phase: str
    phase_started_at: datetime
    last_seq: int
    phase_changed_seq: int = 0
    previous_phase: str | None = None

    @classmethod
    def from_events(cls, events: Iterable[SessionEvent]) -> Conversation:
        messages: list[Message] = []
        phase = FIRST_PHASE
        started_at: datetime | None = None
        phase_started_at: datetime | None = None
        last_seq = phase_changed_seq = 0
        previous_phase: str | None = None
        for event in events:
            last_seq = event.seq
            if event.type is EventType.SESSION_CREATED:
                started_at = phase_started_at = event.at
            elif event.type is EventType.PHASE_CHANGED:
                previous_phase = phase
                phase = event.data["phase"]
                phase_started_at = event.at
                phase_changed_seq = event.seq
            elif event.type in (EventType.CANDIDATE_MESSAGE, EventType.INTERVIEWER_MESSAGE):
                role: Role = (
                    "candidate" if event.type is EventType.CANDIDATE_MESSAGE else "interviewer"
                )
                messages.append(Message(event.seq, role, phase, event.data["text"], event.at))
        if started_at is None or phase_started_at is None:
            raise ValueError("event log does not start with session_created")
        return cls(
            started_at,
            tuple(messages),
            phase,
            phase_started_at,
            last_seq,
            phase_changed_seq,
            previous_phase,
        )

    @property
    def interviewer_turn_pending(self) -> bool:
        """The interviewer owes a reply: the opening, or an answer to the candidate."""
        return not self.messages or self.messages[-1].role == "candidate"

    @property
    def phase_changed_since_candidate_spoke(self) -> bool:
        """A phase change already answers the last candidate message (its reply is pending)."""
        return bool(self.messages) and self.phase_changed_seq > self.messages[-1].seq

    def messages_in_phase(self, phase: str | None = None) -> list[Message]:
        phase = phase or self.phase
        return [message for message in self.messages if message.phase == phase]

    def candidate_turns_in_phase(self, phase: str | None = None) -> int:
        return sum(1 for message in self.messages_in_phase(phase) if message.role == "candidate")

    def seconds_since_start(self, at: datetime) -> float:
        return (at - self.started_at).total_seconds()
