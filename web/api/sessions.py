"""Interview sessions: create, read, talk, and control the clock.

Every action that can make the interviewer owe a turn (a new session, a message, the end, the
clock running out) hands it to the turn manager, which runs it as a server-owned task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response, status

from interviewer.conversation import Conversation
from interviewer.service import InterviewService
from interviewer.timekeeper import clockface
from interviewer.turn_events import IdempotencyConflictError, TurnNotAllowedError
from problems.loader import UnknownProblemError
from storage.events import SessionRecord
from web.deps import ManagerDep, OwnedSessionDep, OwnerDep, ServiceDep
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
        running=service.turn_running(state, now),
    )


async def _control(
    manager,
    session: SessionRecord,
    action: Callable[[SessionRecord], Conversation],
) -> SessionDetailOut:
    try:
        await asyncio.to_thread(action, session)
    except TurnNotAllowedError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    await manager.ensure_turn(session)
    return await asyncio.to_thread(_detail, manager.service, session)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionDetailOut)
async def create_session(
    body: CreateSessionIn, service: ServiceDep, manager: ManagerDep, owner_id: OwnerDep
) -> SessionDetailOut:
    """Start a session; the interviewer's opening starts streaming at once (see /events)."""
    try:
        record = await asyncio.to_thread(
            lambda: service.start(
                owner_id=owner_id,
                problem_id=body.problem_id,
                minutes=body.minutes,
                persona=body.persona,
                level=body.level,
                model=body.model,
            )
        )
    except UnknownProblemError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except ValueError as exc:  # a model this server has not configured
        raise HTTPException(status_code=422, detail=str(exc)) from None
    # The state as created (deterministic for the caller), then the opening starts.
    detail = await asyncio.to_thread(_detail, service, record)
    detail.interviewer_replying = await manager.ensure_turn(record)
    return detail


@router.get("", response_model=list[SessionOut])
def list_sessions(service: ServiceDep, owner_id: OwnerDep) -> list[SessionOut]:
    return [
        session_out(record, service.bank.get(record.problem_id).candidate_view())
        for record in service.store.list_sessions(owner_id)
        if record.problem_id in service.bank
    ]


@router.get("/{session_id}", response_model=SessionDetailOut)
async def get_session(session: OwnedSessionDep, manager: ManagerDep) -> SessionDetailOut:
    await manager.ensure_turn(session)  # the clock may have made the interviewer owe a turn
    return await asyncio.to_thread(_detail, manager.service, session)


@router.get("/{session_id}/transcript", response_model=list[MessageOut])
def get_transcript(session: OwnedSessionDep, service: ServiceDep) -> list[MessageOut]:
    """Every message, interrupted and cancelled partial replies included; notes never."""
    state = service.tick(session)
    return [MessageOut.of(message, state.started_at) for message in state.messages]


@router.get("/{session_id}/clock", response_model=ClockOut)
async def get_clock(session: OwnedSessionDep, manager: ManagerDep) -> ClockOut:
    """The server's clock for this session; the client only displays it."""
    await manager.ensure_turn(session)
    service = manager.service
    state = await asyncio.to_thread(service.tick, session)
    now = service.clock.now()
    return ClockOut.of(clockface(state, service.plan, now), state, now)


@router.get("/{session_id}/usage", response_model=UsageOut)
def get_usage(session: OwnedSessionDep, service: ServiceDep) -> UsageOut:
    return UsageOut.of(service.conversation(session.id), service.token_budget)


@router.post("/{session_id}/pause", response_model=SessionDetailOut, responses=CONFLICT)
async def pause_session(session: OwnedSessionDep, manager: ManagerDep) -> SessionDetailOut:
    return await _control(manager, session, manager.service.pause)


@router.post("/{session_id}/resume", response_model=SessionDetailOut, responses=CONFLICT)
async def resume_session(session: OwnedSessionDep, manager: ManagerDep) -> SessionDetailOut:
    return await _control(manager, session, manager.service.resume)


@router.post("/{session_id}/end", response_model=SessionDetailOut, responses=CONFLICT)
async def end_session(session: OwnedSessionDep, manager: ManagerDep) -> SessionDetailOut:
    return await _control(manager, session, manager.service.end)


@router.post(
    "/{session_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses={
        200: {"description": "Already posted with this client_id: the stored message."},
        **CONFLICT,
    },
)
async def post_message(
    body: CandidateMessageIn,
    session: OwnedSessionDep,
    manager: ManagerDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> MessageOut:
    """Post the candidate's answer; the interviewer's reply starts at once as a server task.

    Send a ``client_id`` (or an ``Idempotency-Key`` header) to make re-posting safe: the same id
    returns the stored message without a second reply; the same id with another text is a 409.
    """
    client_id = body.client_id or idempotency_key
    if body.client_id and idempotency_key and body.client_id != idempotency_key:
        raise HTTPException(status_code=422, detail="client_id and Idempotency-Key differ")
    try:
        message, created = await manager.post_message(session, body.text, client_id=client_id)
    except (TurnNotAllowedError, IdempotencyConflictError) as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return MessageOut.of(message, session.created_at)
