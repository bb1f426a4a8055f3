"""Request and response bodies of the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interviewer.conversation import Conversation, Message
from interviewer.limits import DEFAULT_SESSION_MINUTES, MAX_MESSAGE_CHARS
from problems.models import CandidateView
from storage.events import SessionRecord


class CreateSessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem_id: str = Field(min_length=1, max_length=64)
    minutes: Literal[30, 45, 60] = DEFAULT_SESSION_MINUTES


class CandidateMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

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
    at: datetime
    t: float = Field(description="Seconds since the session started.")

    @classmethod
    def of(cls, message: Message, started_at: datetime) -> MessageOut:
        return cls(
            seq=message.seq,
            role=message.role,
            phase=message.phase,
            text=message.text,
            at=message.at,
            t=round((message.at - started_at).total_seconds(), 3),
        )


class SessionOut(BaseModel):
    id: str
    problem: CandidateView
    minutes: int
    status: str
    interviewer_model: str
    created_at: datetime


class SessionDetailOut(SessionOut):
    phase: str
    interviewer_turn_pending: bool
    messages: list[MessageOut]


def session_out(record: SessionRecord, problem: CandidateView) -> SessionOut:
    return SessionOut(
        id=record.id,
        problem=problem,
        minutes=record.minutes,
        status=record.status,
        interviewer_model=record.interviewer_model,
        created_at=record.created_at,
    )


def session_detail_out(
    record: SessionRecord, problem: CandidateView, conversation: Conversation
) -> SessionDetailOut:
    return SessionDetailOut(
        **session_out(record, problem).model_dump(),
        phase=conversation.phase,
        interviewer_turn_pending=conversation.interviewer_turn_pending,
        messages=[
            MessageOut.of(message, conversation.started_at) for message in conversation.messages
        ],
    )


class InterviewerInfo(BaseModel):
    model: str
    offline: bool
    reason: str
