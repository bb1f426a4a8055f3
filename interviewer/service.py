"""Running interviews: start a session, take the candidate's messages, play the interviewer's turns.

This is the one entry point the web app and the CLI share. Its side effects (the store, the
interviewer model, the clock) are passed in.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from interviewer.base import Interviewer, InterviewerError, TurnContext
from interviewer.clock import Clock
from interviewer.conversation import Conversation, Message
from interviewer.limits import MAX_MESSAGE_CHARS
from interviewer.phase_policy import next_phase
from problems.loader import ProblemBank
from problems.phases import SESSION_LENGTHS, PhasePlan
from storage.events import EventType, SessionRecord, SessionStore

__all__ = [
    "InterviewService",
    "InvalidMessageError",
    "PhaseChanged",
    "ReplyCompleted",
    "ReplyFailed",
    "TokenStreamed",
    "TurnEvent",
    "TurnNotAllowedError",
]


class InvalidMessageError(ValueError):
    """A candidate message that is empty or too long."""


class TurnNotAllowedError(RuntimeError):
    """The action does not fit the state of the conversation (e.g. the interviewer owes a reply)."""


@dataclass(frozen=True)
class TokenStreamed:
    text: str


@dataclass(frozen=True)
class PhaseChanged:
    phase: str
    previous: str
    title: str


@dataclass(frozen=True)
class ReplyCompleted:
    message: Message


@dataclass(frozen=True)
class ReplyFailed:
    detail: str


TurnEvent = TokenStreamed | PhaseChanged | ReplyCompleted | ReplyFailed


def validate_candidate_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidMessageError("message is empty")
    if len(cleaned) > MAX_MESSAGE_CHARS:
        raise InvalidMessageError(
            f"message has {len(cleaned)} characters; the limit is {MAX_MESSAGE_CHARS}"
        )
    return cleaned


class InterviewService:
    def __init__(
        self,
        *,
        store: SessionStore,
        bank: ProblemBank,
        plan: PhasePlan,
        interviewer: Interviewer,
        clock: Clock,
    ) -> None:
        self.store = store
        self.bank = bank
        self.plan = plan
        self.interviewer = interviewer
        self.clock = clock
        self._turn_locks: dict[str, asyncio.Lock] = {}

    def start(self, *, owner_id: str, problem_id: str, minutes: int) -> SessionRecord:
        problem = self.bank.get(problem_id)  # raises UnknownProblemError
        if minutes not in SESSION_LENGTHS:
            raise ValueError(f"minutes must be one of {SESSION_LENGTHS}")
        record = SessionRecord(
            id=uuid.uuid4().hex,
            owner_id=owner_id,
            problem_id=problem.id,
            minutes=minutes,
            interviewer_model=self.interviewer.model_id,
            status="active",
            created_at=self.clock.now(),
        )
        self.store.create_session(
            record,
            created_event={
                "problem_id": problem.id,
                "minutes": minutes,
                "interviewer_model": self.interviewer.model_id,
                "phase_plan_version": self.plan.version,
            },
        )
        return record

    def owned_session(self, session_id: str, owner_id: str) -> SessionRecord | None:
        """The session if it exists and belongs to ``owner_id``; otherwise ``None``."""
        record = self.store.get_session(session_id)
        if record is None or record.owner_id != owner_id:
            return None
        return record

    def conversation(self, session_id: str) -> Conversation:
        return Conversation.from_events(self.store.events(session_id))

    def turn_in_progress(self, session_id: str) -> bool:
        lock = self._turn_locks.get(session_id)
        return lock is not None and lock.locked()

    def post_candidate_message(self, session: SessionRecord, text: str) -> Message:
        cleaned = validate_candidate_text(text)
        conversation = self.conversation(session.id)
        if conversation.interviewer_turn_pending or self.turn_in_progress(session.id):
            raise TurnNotAllowedError("the interviewer has not replied yet; wait for the reply")
        event = self.store.append(
            session.id, EventType.CANDIDATE_MESSAGE, {"text": cleaned}, at=self.clock.now()
        )
        return Message(event.seq, "candidate", conversation.phase, cleaned, event.at)

    async def run_interviewer_turn(self, session: SessionRecord) -> AsyncIterator[TurnEvent]:
        """Play the interviewer's pending turn, streaming it; the reply is stored when complete.

        If the stream is abandoned before the end, nothing of the reply is stored and the turn
        stays pending, so the next call plays it again.
        """
        lock = self._turn_locks.setdefault(session.id, asyncio.Lock())
        if lock.locked():
            raise TurnNotAllowedError("a reply is already being streamed for this session")
        async with lock:
            conversation = self.conversation(session.id)
            if not conversation.interviewer_turn_pending:
                return
            problem = self.bank.get(session.problem_id)
            previous_phase = (
                conversation.previous_phase
                if conversation.phase_changed_since_candidate_spoke
                else None
            )
            moved_to = next_phase(
                conversation, self.plan, minutes=session.minutes, now=self.clock.now()
            )
            if moved_to is not None:
                previous_phase = conversation.phase
                self.store.append(
                    session.id,
                    EventType.PHASE_CHANGED,
                    {"phase": moved_to, "previous": previous_phase},
                    at=self.clock.now(),
                )
                conversation = self.conversation(session.id)
                yield PhaseChanged(moved_to, previous_phase, self.plan.phase(moved_to).title)
            context = TurnContext(
                problem=problem,
                plan=self.plan,
                minutes=session.minutes,
                conversation=conversation,
                phase_changed_from=previous_phase,
            )
            pieces: list[str] = []
            try:
                async for piece in self.interviewer.stream_reply(context):
                    pieces.append(piece)
                    yield TokenStreamed(piece)
            except InterviewerError as exc:
                yield ReplyFailed(str(exc))
                return
            text = "".join(pieces).strip()
            event = self.store.append(
                session.id, EventType.INTERVIEWER_MESSAGE, {"text": text}, at=self.clock.now()
            )
            yield ReplyCompleted(
                Message(event.seq, "interviewer", conversation.phase, text, event.at)
            )
