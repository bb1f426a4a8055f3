"""Interview sessions: create, read, talk, and stream the interviewer's replies."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.sse import EventSourceResponse, ServerSentEvent

from interviewer.service import (
    PhaseChanged,
    ReplyCompleted,
    ReplyFailed,
    TokenStreamed,
    TurnEvent,
    TurnNotAllowedError,
)
from problems.loader import UnknownProblemError
from storage.events import SessionRecord
from web.deps import OwnedSessionDep, OwnerDep, ServiceDep
from web.schemas import (
    CandidateMessageIn,
    CreateSessionIn,
    MessageOut,
    SessionDetailOut,
    SessionOut,
    session_detail_out,
    session_out,
)

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionDetailOut)
def create_session(
    body: CreateSessionIn, service: ServiceDep, owner_id: OwnerDep
) -> SessionDetailOut:
    try:
        record = service.start(owner_id=owner_id, problem_id=body.problem_id, minutes=body.minutes)
    except UnknownProblemError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    problem = service.bank.get(record.problem_id).candidate_view()
    return session_detail_out(record, problem, service.conversation(record.id))


@router.get("", response_model=list[SessionOut])
def list_sessions(service: ServiceDep, owner_id: OwnerDep) -> list[SessionOut]:
    return [
        session_out(record, service.bank.get(record.problem_id).candidate_view())
        for record in service.store.list_sessions(owner_id)
        if record.problem_id in service.bank
    ]


@router.get("/{session_id}", response_model=SessionDetailOut)
def get_session(session: OwnedSessionDep, service: ServiceDep) -> SessionDetailOut:
    problem = service.bank.get(session.problem_id).candidate_view()
    return session_detail_out(session, problem, service.conversation(session.id))


@router.get("/{session_id}/transcript", response_model=list[MessageOut])
def get_transcript(session: OwnedSessionDep, service: ServiceDep) -> list[MessageOut]:
    conversation = service.conversation(session.id)
    return [MessageOut.of(message, conversation.started_at) for message in conversation.messages]


@router.post(
    "/{session_id}/messages", status_code=status.HTTP_201_CREATED, response_model=MessageOut
)
def post_message(
    body: CandidateMessageIn, session: OwnedSessionDep, service: ServiceDep
) -> MessageOut:
    try:
        message = service.post_candidate_message(session, body.text)
    except TurnNotAllowedError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return MessageOut.of(message, session.created_at)


def _session_free_to_stream(session: OwnedSessionDep, service: ServiceDep) -> SessionRecord:
    if service.turn_in_progress(session.id):
        raise HTTPException(status_code=409, detail="a reply is already being streamed")
    return session


def _to_sse(event: TurnEvent, session: SessionRecord) -> ServerSentEvent:
    match event:
        case TokenStreamed(text=text):
            return ServerSentEvent(event="token", data={"text": text})
        case PhaseChanged(phase=phase, previous=previous, title=title):
            return ServerSentEvent(
                event="phase", data={"phase": phase, "previous": previous, "title": title}
            )
        case ReplyCompleted(message=message):
            out = MessageOut.of(message, session.created_at)
            return ServerSentEvent(event="done", data={"message": out.model_dump(mode="json")})
        case ReplyFailed(detail=detail):
            return ServerSentEvent(event="error", data={"detail": detail})
    raise TypeError(f"unknown turn event {event!r}")


@router.get(
    "/{session_id}/stream",
    response_class=EventSourceResponse,
    responses={409: {"description": "A reply is already being streamed for this session."}},
)
async def stream_reply(
    session: Annotated[SessionRecord, Depends(_session_free_to_stream)],
    service: ServiceDep,
) -> AsyncIterable[ServerSentEvent]:
    """Stream the interviewer's pending reply as typed events.

    Events: ``phase`` (the interview moved to a new phase), ``token`` (a piece of the reply),
    then ``done`` (the stored message) or ``error``. With no reply pending: one ``idle`` event.
    """
    produced = False
    try:
        async for event in service.run_interviewer_turn(session):
            produced = True
            yield _to_sse(event, session)
    except TurnNotAllowedError as exc:
        yield ServerSentEvent(event="error", data={"detail": str(exc)})
        return
    if not produced:
        yield ServerSentEvent(event="idle", data={"detail": "no reply is pending"})
