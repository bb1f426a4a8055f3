"""A session's state, folded from its event log: messages, phase, clock, pauses and ending.

Time on the interview clock is *active* time: seconds since the session started, less the time
spent paused. Every number here is derived from event timestamps, so the server's clock is the
only truth and a replay of the log gives the same state.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from storage.events import EventType, SessionEvent

__all__ = ["Conversation", "FoldCache", "Message", "PhaseSpan", "active_times"]

Role = Literal["interviewer", "candidate"]
FIRST_PHASE = "clarify"


@dataclass(frozen=True)
class Message:
    seq: int
    role: Role
    phase: str
    text: str
    at: datetime
    kind: str = "reply"  # reply | closing | sign_off | interrupted


@dataclass
class RunningTurn:
    """An interviewer reply in progress, as far as the log knows (deltas are flushed in batches)."""

    seq: int
    started_at: datetime
    last_activity: datetime
    texts: list[str] = field(default_factory=list)
    cancel_requested: bool = False

    @property
    def text(self) -> str:
        return "".join(self.texts)


@dataclass(frozen=True)
class PhaseSpan:
    phase: str
    started_active: float
    ended_active: float | None  # None while the phase is running
    reason: str  # why the phase began: start | candidate | timeout | goals_met


@dataclass
class Conversation:
    started_at: datetime
    minutes: int = 45
    messages: list[Message] = field(default_factory=list)
    spans: list[PhaseSpan] = field(default_factory=list)
    paused_since: datetime | None = None
    paused_seconds: float = 0.0
    ended_reason: str | None = None
    ended_at: datetime | None = None
    closing_asked: bool = False
    warnings: set[tuple[str, str]] = field(default_factory=set)
    last_seq: int = 0
    phase_changed_seq: int = 0
    previous_phase: str | None = None
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    running_turn: RunningTurn | None = None
    # The last attempt at the interviewer's turn failed: wait for an explicit retry.
    attempt_failed: bool = False
    client_ids: dict[str, tuple[int, str]] = field(default_factory=dict)
    notes: str = ""  # the candidate's design notes (text or Mermaid), latest version

    @classmethod
    def from_events(cls, events: Iterable[SessionEvent]) -> Conversation:
        state: Conversation | None = None
        for event in events:
            if event.type is EventType.SESSION_CREATED:
                state = cls(started_at=event.at, minutes=int(event.data.get("minutes", 45)))
                state.spans.append(PhaseSpan(FIRST_PHASE, 0.0, None, "start"))
            elif state is None:
                raise ValueError("event log does not start with session_created")
            else:
                state.apply(event)
            state.last_seq = event.seq
        if state is None:
            raise ValueError("event log is empty")
        return state

    def copy(self) -> Conversation:
        """An independent copy: applying events to it leaves this state as it is."""
        turn = self.running_turn
        return replace(
            self,
            messages=list(self.messages),
            spans=list(self.spans),
            warnings=set(self.warnings),
            client_ids=dict(self.client_ids),
            running_turn=None if turn is None else replace(turn, texts=list(turn.texts)),
        )

    def extend(self, events: Iterable[SessionEvent]) -> None:
        """Apply events that follow on from this state's log."""
        for event in events:
            self.apply(event)
            self.last_seq = event.seq

    def apply(self, event: SessionEvent) -> None:
        data = event.data
        match event.type:
            case EventType.CANDIDATE_MESSAGE:
                self.messages.append(
                    Message(event.seq, "candidate", self.phase, data["text"], event.at)
                )
                if data.get("client_id"):
                    self.client_ids[data["client_id"]] = (event.seq, data["text"])
                self.attempt_failed = False
            case EventType.INTERVIEWER_MESSAGE:
                kind = data.get("kind", "reply")
                self.messages.append(
                    Message(event.seq, "interviewer", self.phase, data["text"], event.at, kind)
                )
                if kind == "closing":
                    self.closing_asked = True
                self.running_turn = None
                self.attempt_failed = False
            case EventType.REPLY_INTERRUPTED | EventType.REPLY_CANCELLED:
                kind = "interrupted" if event.type is EventType.REPLY_INTERRUPTED else "cancelled"
                self.messages.append(
                    Message(event.seq, "interviewer", self.phase, data["text"], event.at, kind)
                )
                self.running_turn = None
                self.attempt_failed = kind == "interrupted"
            case EventType.REPLY_FAILED:
                self.running_turn = None
                self.attempt_failed = True
            case EventType.REPLY_STARTED:
                self.running_turn = RunningTurn(event.seq, event.at, event.at)
                self.attempt_failed = False
            case EventType.REPLY_DELTA:
                turn = self.running_turn
                if turn is not None and turn.seq == data["turn"]:
                    start = data["from"] - 1
                    turn.texts[start:] = data["texts"]
                    turn.last_activity = event.at
            case EventType.CANCEL_REQUESTED:
                if self.running_turn is not None:
                    self.running_turn.cancel_requested = True
            case EventType.PHASE_CHANGED:
                active = self.active_seconds(event.at)
                last = self.spans[-1]
                self.spans[-1] = PhaseSpan(last.phase, last.started_active, active, last.reason)
                self.spans.append(PhaseSpan(data["phase"], active, None, data.get("reason", "")))
                self.previous_phase = last.phase
                self.phase_changed_seq = event.seq
                if data.get("reason") == "timeout":
                    self.attempt_failed = False
            case EventType.PAUSED:
                self.paused_since = event.at
            case EventType.RESUMED:
                if self.paused_since is not None:
                    self.paused_seconds += (event.at - self.paused_since).total_seconds()
                self.paused_since = None
            case EventType.WARNING:
                self.warnings.add((data["kind"], data.get("phase", "")))
            case EventType.SESSION_ENDED:
                self.ended_reason = data["reason"]
                self.ended_at = event.at
                self.closing_asked = self.closing_asked or bool(data.get("closing_asked"))
                self.attempt_failed = False
                last = self.spans[-1]
                self.spans[-1] = PhaseSpan(
                    last.phase, last.started_active, self.active_seconds(event.at), last.reason
                )
            case EventType.NOTES_SAVED:
                self.notes = data["text"]
            case EventType.TURN_USAGE:
                self.input_tokens += data.get("input_tokens", 0)
                self.cached_input_tokens += data.get("cached_input_tokens", 0)
                self.output_tokens += data.get("output_tokens", 0)
                self.cost_usd += data.get("cost_usd", 0.0)
            case _:
                pass

    # -- the clock -------------------------------------------------------------------------

    @property
    def phase(self) -> str:
        return self.spans[-1].phase

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

    @property
    def ended(self) -> bool:
        return self.ended_reason is not None

    @property
    def total_seconds(self) -> float:
        return self.minutes * 60.0

    def active_seconds(self, at: datetime) -> float:
        """Seconds on the interview clock at wall time ``at`` (paused time does not count)."""
        paused = self.paused_seconds
        if self.paused_since is not None and at > self.paused_since:
            paused += (at - self.paused_since).total_seconds()
        return max(0.0, (at - self.started_at).total_seconds() - paused)

    def wall_time(self, active: float) -> datetime:
        """The wall time at which the running (unpaused) clock shows ``active`` seconds."""
        return self.started_at + timedelta(seconds=active + self.paused_seconds)

    @property
    def phase_started_active(self) -> float:
        return self.spans[-1].started_active

    def phase_seconds_used(self, at: datetime) -> dict[str, float]:
        """Measured time per phase, for grading (a phase entered twice adds up)."""
        used: dict[str, float] = {}
        now = self.active_seconds(at) if not self.ended else None
        for span in self.spans:
            end = span.ended_active if span.ended_active is not None else now
            if end is None:
                end = span.started_active
            used[span.phase] = round(used.get(span.phase, 0.0) + end - span.started_active, 3)
        return used

    # -- turns -----------------------------------------------------------------------------

    @property
    def replies(self) -> list[Message]:
        """Messages that count as said: interrupted partial replies are left out."""
        return [message for message in self.messages if message.kind != "interrupted"]

    @property
    def last_said(self) -> Message | None:
        """The last of :attr:`replies`, found from the end (the guards ask at every post)."""
        for message in reversed(self.messages):
            if message.kind != "interrupted":
                return message
        return None

    @property
    def signed_off(self) -> bool:
        # A sign-off answers the closing question, which only an ended session asks.
        return self.ended and any(message.kind == "sign_off" for message in self.messages)

    @property
    def interviewer_turn_pending(self) -> bool:
        """The interviewer owes a reply: the opening, an answer, a closing or a sign-off."""
        if self.signed_off:
            return False
        if self.ended and not self.closing_asked:
            return True
        last = self.last_said
        if last is None or last.role == "candidate":
            return True
        # A phase moved on by the clock since the interviewer last spoke: announce it.
        return self.phase_changed_seq > last.seq and self.spans[-1].reason == "timeout"

    @property
    def awaiting_interviewer(self) -> bool:
        """The candidate must wait: the interviewer has not answered what was said yet.

        Unlike :attr:`interviewer_turn_pending`, a phase that merely timed out does not make
        the candidate wait; their next message is answered together with the announcement.
        """
        if self.signed_off:
            return False
        if self.ended and not self.closing_asked:
            return True
        last = self.last_said
        return last is None or last.role == "candidate"

    @property
    def phase_changed_since_last_reply(self) -> bool:
        said = [message for message in self.replies if message.role == "interviewer"]
        return self.phase_changed_seq > (said[-1].seq if said else 0)

    @property
    def phase_changed_since_candidate_spoke(self) -> bool:
        """A phase change already answers the last candidate message (its reply is pending)."""
        said = self.replies
        return bool(said) and self.phase_changed_seq > said[-1].seq

    def messages_in_phase(self, phase: str | None = None) -> list[Message]:
        phase = phase or self.phase
        return [message for message in self.replies if message.phase == phase]


def active_times(events: list[SessionEvent]) -> dict[int, float]:
    """Each event's seconds on the active clock: time since the start, less time paused."""
    started = events[0].at
    paused_total = 0.0
    paused_since = None
    times: dict[int, float] = {}
    for event in events:
        paused = paused_total
        if paused_since is not None:
            paused += (event.at - paused_since).total_seconds()
        times[event.seq] = round(max(0.0, (event.at - started).total_seconds() - paused), 3)
        if event.type is EventType.PAUSED and paused_since is None:
            paused_since = event.at
        elif event.type is EventType.RESUMED and paused_since is not None:
            paused_total, paused_since = paused, None
    return times


class FoldCache:
    """The state last folded from each session's log, so that folding the log again, grown by
    a few events, applies only those instead of replaying every event since the start.

    Only for logs read without reply pieces (the usual view): a state folded from one view
    does not continue the other. States kept here are never handed out, only copies, and
    never changed once kept; the table itself is read and changed under a lock, since the
    service folds in worker threads. The folding happens outside the lock.
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._states: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def fold(self, session_id: str, events: Sequence[SessionEvent]) -> Conversation:
        """``Conversation.from_events(events)``, for ``events`` the session's whole log."""
        with self._lock:
            kept = self._states.get(session_id)
        state = None
        if kept is not None and events:
            at = bisect.bisect_right(events, kept.last_seq, key=_seq)
            if at > 0 and events[at - 1].seq == kept.last_seq:
                state = kept.copy()
                state.extend(events[at:])
        if state is None:
            state = Conversation.from_events(events)
        if kept is None or state.last_seq > kept.last_seq:
            self._keep(session_id, state.copy())
        return state

    def _keep(self, session_id: str, state: Conversation) -> None:
        with self._lock:
            current = self._states.pop(session_id, None)
            if current is not None and current.last_seq >= state.last_seq:
                state = current  # another thread kept a newer state meanwhile
            self._states[session_id] = state
            if len(self._states) > self._capacity:
                del self._states[next(iter(self._states))]  # the least recently grown


def _seq(event: SessionEvent) -> int:
    return event.seq
