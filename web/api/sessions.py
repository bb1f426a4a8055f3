"""Interview sessions: create, read, talk, control the clock, and stream the interviewer."""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.sse import EventSourceResponse, ServerSentEvent

from interviewer.conversation import Conversation
from interviewer.service import (
    InterviewService,
    PhaseChanged,
    ReplyCompleted,
    ReplyFailed,
    ReplyInterrupted,
    SessionEnded,
    TokenStreamed,
    TurnEvent,
    TurnNotAllowedError,
)
from interviewer.timekeeper import clockface
from problems.loader import UnknownProblemError
from storage.events import SessionRecord
from web.deps import OwnedSessionDep, OwnerDep, ServiceDep
from web.schemas import (
    CandidateMessageIn,
    ClockOut,
    CreateSessionIn,
    MessageOut,
    SessionDetailOut,
    SessionOut,
    UsageOut,
    session_detail_out,
    session_out,
)

router = APIRouter(prefix="/api/sessions", tags=["sessions"])
CONFLICT = {409: {"description": "The action does not fit the session's state."}}


def _detail(service: InterviewService, session: SessionRecord) -> SessionDetailOut:
    state = service.tick(session)
    record = service.store.get_session(session.id) or session
    now = service.clock.now()
    return session_detail_out(
        record,
        service.bank.get(record.problem_id).candidate_view(),
        state,
        face=clockface(state, service.plan, now),
        now=now,
        token_budget=service.token_budget,
    )


def _control(
    service: InterviewService,
    session: SessionRecord,
    action: Callable[[SessionRecord], Conversation],
) -> SessionDetailOut:
    try:
        action(session)
    except TurnNotAllowedError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return _detail(service, session)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionDetailOut)
def create_session(
    body: CreateSessionIn, service: ServiceDep, owner_id: OwnerDep
) -> SessionDetailOut:
    try:
        record = service.start(
            owner_id=owner_id,
            problem_id=body.problem_id,
            minutes=body.minutes,
            persona=body.persona,
            level=body.level,
        )
    except UnknownProblemError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    return _detail(service, record)


@router.get("", response_model=list[SessionOut])
def list_sessions(service: ServiceDep, owner_id: OwnerDep) -> list[SessionOut]:
    return [
        session_out(record, service.bank.get(record.problem_id).candidate_view())
        for record in service.store.list_sessions(owner_id)
        if record.problem_id in service.bank
    ]


@router.get("/{session_id}", response_model=SessionDetailOut)
def get_session(session: OwnedSessionDep, service: ServiceDep) -> SessionDetailOut:
    return _detail(service, session)


@router.get("/{session_id}/transcript", response_model=list[MessageOut])
def get_transcript(session: OwnedSessionDep, service: ServiceDep) -> list[MessageOut]:
    """Every message, interrupted partial replies included; private notes never."""
    state = service.tick(session)
    return [MessageOut.of(message, state.started_at) for message in state.messages]


@router.get("/{session_id}/clock", response_model=ClockOut)
def get_clock(session: OwnedSessionDep, service: ServiceDep) -> ClockOut:
    """The server's clock for this session; the client only displays it."""
    state = service.tick(session)
    now = service.clock.now()
    return ClockOut.of(clockface(state, service.plan, now), state, now)


@router.get("/{session_id}/usage", response_model=UsageOut)
def get_usage(session: OwnedSessionDep, service: ServiceDep) -> UsageOut:
    return UsageOut.of(service.conversation(session.id), service.token_budget)


@router.post("/{session_id}/pause", response_model=SessionDetailOut, responses=CONFLICT)
def pause_session(session: OwnedSessionDep, service: ServiceDep) -> SessionDetailOut:
    return _control(service, session, service.pause)


@router.post("/{session_id}/resume", response_model=SessionDetailOut, responses=CONFLICT)
def resume_session(session: OwnedSessionDep, service: ServiceDep) -> SessionDetailOut:
    return _control(service, session, service.resume)


@router.post("/{session_id}/end", response_model=SessionDetailOut, responses=CONFLICT)
def end_session(session: OwnedSessionDep, service: ServiceDep) -> SessionDetailOut:
    return _control(service, session, service.end)


@router.post(
    "/{session_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses=CONFLICT,
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
        case PhaseChanged(phase=phase, previous=previous, title=title, reason=reason):
            return ServerSentEvent(
                event="phase",
                data={"phase": phase, "previous": previous, "title": title, "reason": reason},
            )
        case ReplyCompleted(message=message, usage=usage):
            out = MessageOut.of(message, session.created_at).model_dump(mode="json")
            return ServerSentEvent(event="done", data={"message": out, "usage": usage})
        case ReplyInterrupted(detail=detail, message=message):
            out = MessageOut.of(message, session.created_at).model_dump(mode="json")
            return ServerSentEvent(event="interrupted", data={"detail": detail, "message": out})
        case ReplyFailed(detail=detail):
            return ServerSentEvent(event="error", data={"detail": detail})
        case SessionEnded(reason=reason):
            return ServerSentEvent(event="ended", data={"reason": reason})
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

    ``phase`` (the interview moved on; ``reason`` is candidate, timeout or goals_met),
    ``token`` (a piece of the reply), then ``done`` (the stored message and its usage),
    ``interrupted`` (the provider failed part-way; the part is stored and the turn can be
    retried) or ``error`` (nothing was said); ``ended`` after the interviewer closed the
    session. With no reply pending: one ``idle`` event.
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
