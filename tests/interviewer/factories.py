"""Build conversations from event logs, the way the service does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interviewer.base import TurnContext
from interviewer.conversation import Conversation
from problems.loader import load_bank
from problems.phases import PHASE_IDS, load_phase_plan
from storage.events import EventType, SessionEvent

BANK = load_bank()
PLAN = load_phase_plan()
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


class Log:
    """An event log written step by step, each event a few seconds after the last."""

    def __init__(self, minutes: int = 45) -> None:
        self.events: list[SessionEvent] = []
        self.at = T0
        self.add(EventType.SESSION_CREATED, {"minutes": minutes})

    def add(self, type_: EventType, data: dict, *, after: float = 5) -> Log:
        if self.events:
            self.at += timedelta(seconds=after)
        self.events.append(SessionEvent("s", len(self.events) + 1, type_, self.at, data))
        return self

    def interviewer(self, text: str, **extra) -> Log:
        return self.add(EventType.INTERVIEWER_MESSAGE, {"text": text, **extra})

    def candidate(self, text: str) -> Log:
        return self.add(EventType.CANDIDATE_MESSAGE, {"text": text})

    def phase(self, phase: str, reason: str = "candidate") -> Log:
        return self.add(EventType.PHASE_CHANGED, {"phase": phase, "reason": reason})

    def state(self) -> Conversation:
        return Conversation.from_events(self.events)


def context(
    problem_id: str = "url-shortener",
    phase: str = "clarify",
    said: tuple[str, ...] | list[str] = (),
    *,
    changed_from: str | None = None,
    reason: str | None = None,
) -> TurnContext:
    """A context in ``phase`` whose candidate/interviewer turns alternate, candidate first."""
    log = Log().interviewer("opening")
    for phase_id in PHASE_IDS[1 : PHASE_IDS.index(phase) + 1]:
        log.phase(phase_id)
    for index, text in enumerate(said):
        if index % 2 == 0:
            log.candidate(text)
        else:
            log.interviewer(text)
    return TurnContext(
        BANK.get(problem_id),
        PLAN,
        45,
        log.state(),
        phase_changed_from=changed_from,
        phase_change_reason=reason,
    )
