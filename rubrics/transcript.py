"""The transcript a judge grades, from a stored session or from an exchange-format file.

The exchange format is the one of ``shared/PROBLEMS.md``: ``problem``, ``duration_s`` and
``events`` of ``{t, role, phase, text}``. Every turn carries an id that evidence links back to:
the event's position (1-based) in a file, or its ``seq`` in a stored session's log.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from interviewer.conversation import Conversation, active_times
from problems.phases import PHASE_IDS

__all__ = ["InvalidTranscriptError", "Transcript", "Turn", "transcript_from_events"]

Role = Literal["interviewer", "candidate"]
MAX_TURN_CHARS = 20_000
MAX_TURNS = 2_000


class InvalidTranscriptError(ValueError):
    """A transcript file that does not follow the exchange format; the message says where."""


class Turn(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int = Field(ge=0)
    t: float = Field(ge=0)
    role: Role
    phase: str
    text: str = Field(max_length=MAX_TURN_CHARS)

    @field_validator("phase")
    @classmethod
    def _known_phase(cls, value: str) -> str:
        if value not in PHASE_IDS:
            raise ValueError(f"unknown phase {value!r}; expected one of {', '.join(PHASE_IDS)}")
        return value


class _ExchangeEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    t: float = Field(ge=0)
    role: Role
    phase: str
    text: str = Field(max_length=MAX_TURN_CHARS)


class _ExchangeFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    problem: str = Field(min_length=1)
    duration_s: float = Field(gt=0)
    events: list[_ExchangeEvent] = Field(max_length=MAX_TURNS)


class Transcript(BaseModel):
    """What was said, when, and in which phase; plus the measured time per phase if known."""

    model_config = ConfigDict(frozen=True)

    problem: str
    duration_s: float
    turns: list[Turn]
    minutes: int = 45
    level: Literal["mid", "senior", "staff"] = "senior"
    notes: str = ""  # the candidate's design notes, if the session has any
    measured_phase_seconds: dict[str, float] | None = None
    session_id: str | None = None

    @classmethod
    def from_exchange(cls, data: Any, *, level: str = "senior") -> Transcript:
        """Validate an exchange-format document; the error names the first bad field."""
        try:
            parsed = _ExchangeFile.model_validate(data)
            turns = [
                Turn(id=index, t=event.t, role=event.role, phase=event.phase, text=event.text)
                for index, event in enumerate(parsed.events, start=1)
            ]
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "document"
            raise InvalidTranscriptError(f"{where}: {first['msg']}") from None
        for previous, turn in itertools.pairwise(turns):
            if turn.t < previous.t:
                raise InvalidTranscriptError(
                    f"events.{turn.id - 1}.t: {turn.t} comes before the previous event's "
                    f"{previous.t}; events must be in time order"
                )
        minutes = min((30, 45, 60), key=lambda length: abs(length * 60 - parsed.duration_s))
        notes = data.get("notes", "") if isinstance(data, dict) else ""
        return cls(
            problem=parsed.problem,
            duration_s=parsed.duration_s,
            turns=turns,
            minutes=minutes,
            level=level,
            notes=notes if isinstance(notes, str) else "",
        )

    def to_exchange(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "problem": self.problem,
            "duration_s": self.duration_s,
            "events": [
                turn.model_dump(include={"id", "t", "role", "phase", "text"}) for turn in self.turns
            ],
        }
        if self.notes:
            document["notes"] = self.notes
        return document

    @property
    def candidate_turns(self) -> list[Turn]:
        return [turn for turn in self.turns if turn.role == "candidate"]

    def turn(self, turn_id: int) -> Turn | None:
        for turn in self.turns:
            if turn.id == turn_id:
                return turn
        return None

    def phase_seconds(self) -> dict[str, float]:
        """Seconds spent per phase: measured by the server when known, else from the events.

        From events, a phase runs from its first event to the next phase's first event; the
        last phase runs to the end of the session.
        """
        if self.measured_phase_seconds is not None:
            return {phase: self.measured_phase_seconds.get(phase, 0.0) for phase in PHASE_IDS}
        used = dict.fromkeys(PHASE_IDS, 0.0)
        starts: list[tuple[float, str]] = []
        for turn in self.turns:
            if not starts or starts[-1][1] != turn.phase:
                starts.append((turn.t, turn.phase))
        end_of_session = max(self.duration_s, self.turns[-1].t if self.turns else 0.0)
        for index, (start, phase) in enumerate(starts):
            end = starts[index + 1][0] if index + 1 < len(starts) else end_of_session
            used[phase] += max(0.0, end - start)
        return {phase: round(seconds, 1) for phase, seconds in used.items()}


def transcript_from_events(
    events, *, problem_id: str, level: str, session_id: str, now: datetime, notes: str = ""
) -> Transcript:
    """A stored session's transcript, each turn timed on the active (unpaused) clock."""
    events = list(events)
    conversation = Conversation.from_events(events)
    times = active_times(events)

    turns = [
        Turn(
            id=message.seq,
            t=times[message.seq],
            role=message.role,
            phase=message.phase,
            text=message.text,
        )
        for message in conversation.replies
        if message.text.strip()
    ]
    return Transcript(
        problem=problem_id,
        duration_s=conversation.total_seconds,
        turns=turns,
        minutes=conversation.minutes,
        level=level,
        notes=notes or conversation.notes,
        measured_phase_seconds=conversation.phase_seconds_used(conversation.ended_at or now),
        session_id=session_id,
    )
