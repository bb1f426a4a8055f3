"""Request and response bodies of the JSON API."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interviewer.conversation import Conversation, Message
from interviewer.limits import DEFAULT_SESSION_MINUTES, MAX_MESSAGE_CHARS
from interviewer.timekeeper import Clockface
from problems.models import CandidateView
from storage.events import SessionRecord
from web.render import render_markdown

Persona = Literal["supportive", "neutral", "adversarial"]
Level = Literal["mid", "senior", "staff"]


class CreateSessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem_id: str = Field(min_length=1, max_length=64)
    minutes: Literal[30, 45, 60] = DEFAULT_SESSION_MINUTES
    persona: Persona = "neutral"
    level: Level = "senior"
    model: str | None = Field(
        default=None,
        max_length=128,
        description="one of GET /api/models; empty uses the server's default interviewer",
    )


class CandidateMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    client_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="A client-generated id that makes re-posting this message safe.",
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("message is empty")
        return stripped


class MessageOut(BaseModel):
    seq: int
    role: Literal["interviewer", "candidate"]
    phase: str
    text: str
    kind: str = Field(
        description="reply, closing, sign_off, interrupted or cancelled (a partial reply)."
    )
    at: datetime
    t: float = Field(description="Seconds since the session started.")
    html: str = Field(description="The text rendered from Markdown and sanitised.")

    @classmethod
    def of(cls, message: Message, started_at: datetime) -> MessageOut:
        return cls(
            seq=message.seq,
            role=message.role,
            phase=message.phase,
            text=message.text,
            html=render_markdown(message.text),
            kind=message.kind,
            at=message.at,
            t=round((message.at - started_at).total_seconds(), 3),
        )


class ClockOut(BaseModel):
    phase: str
    phase_seconds_left: float | None = Field(description="None in the last phase.")
    session_seconds_left: float
    elapsed_seconds: float
    paused: bool
    ended: bool
    ended_reason: str | None
    warnings: list[str]
    phase_seconds_used: dict[str, float]

    @classmethod
    def of(cls, face: Clockface, state: Conversation, now: datetime) -> ClockOut:
        return cls(
            phase=face.phase,
            phase_seconds_left=face.phase_seconds_left,
            session_seconds_left=face.session_seconds_left,
            elapsed_seconds=round(face.elapsed_seconds, 3),
            paused=face.paused,
            ended=face.ended,
            ended_reason=state.ended_reason,
            warnings=sorted(f"{kind}:{phase}" if phase else kind for kind, phase in state.warnings),
            phase_seconds_used=state.phase_seconds_used(now),
        )


class UsageOut(BaseModel):
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    cost_usd: float
    token_budget: int

    @classmethod
    def of(cls, state: Conversation, token_budget: int) -> UsageOut:
        return cls(
            input_tokens=state.input_tokens,
            cached_input_tokens=state.cached_input_tokens,
            output_tokens=state.output_tokens,
            cost_usd=round(state.cost_usd, 6),
            token_budget=token_budget,
        )


class SessionOut(BaseModel):
    id: str
    problem: CandidateView
    minutes: int
    persona: str
    level: str
    status: str
    interviewer_model: str
    prompt_version: str
    created_at: datetime


class SessionDetailOut(SessionOut):
    phase: str
    interviewer_turn_pending: bool
    interviewer_replying: bool = Field(description="A reply is being generated right now.")
    clock: ClockOut
    usage: UsageOut
    messages: list[MessageOut]


def session_out(record: SessionRecord, problem: CandidateView) -> SessionOut:
    return SessionOut(
        id=record.id,
        problem=problem,
        minutes=record.minutes,
        persona=record.persona,
        level=record.level,
        status=record.status,
        interviewer_model=record.interviewer_model,
        prompt_version=record.prompt_version,
        created_at=record.created_at,
    )


def session_detail_out(
    record: SessionRecord,
    problem: CandidateView,
    state: Conversation,
    *,
    face: Clockface,
    now: datetime,
    token_budget: int,
    running: bool = False,
) -> SessionDetailOut:
    if state.ended and record.status != "ended":
        # The log is the truth: the status of a cached record may lag a replica's end.
        record = dataclasses.replace(record, status="ended")
    return SessionDetailOut(
        **session_out(record, problem).model_dump(),
        phase=state.phase,
        interviewer_turn_pending=state.interviewer_turn_pending,
        interviewer_replying=running,
        clock=ClockOut.of(face, state, now),
        usage=UsageOut.of(state, token_budget),
        messages=[MessageOut.of(message, state.started_at) for message in state.messages],
    )


class ModelOut(BaseModel):
    id: str
    offline: bool
    default: bool


class InterviewerInfo(BaseModel):
    model: str
    offline: bool
    reason: str
