"""Live delivery: the SSE feeds, the WebSocket, and cancelling or retrying a reply.

Two SSE endpoints speak one protocol (see docs/protocol.md):
- ``/events``: the whole session feed, resumable from any event id, following live events;
- ``/stream``: the current reply only, from its first piece to its outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import (
    APIRouter,
    Depends,
    Header,
    HTTPException,
    Query,
    Response,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from fastapi.sse import EventSourceResponse
from pydantic import ValidationError

from interviewer.feed import EventId, InvalidEventId
from interviewer.live import TurnManager
from interviewer.turn_events import (
    IdempotencyConflictError,
    InvalidMessageError,
    TurnNotAllowedError,
)
from storage.events import EventType, SessionRecord
from web.deps import ManagerDep, OwnedSessionDep
from web.schemas import CandidateMessageIn
from web.sse import PING_SECONDS, encode_plain, event_stream, stream_response

router = APIRouter(prefix="/api/sessions", tags=["live"])
REPLY_EVENTS = frozenset({"phase", "token", "done", "interrupted", "cancelled", "error", "ended"})
SSE_RETRY_MS = 2000
# The endpoints return a ready streaming response (pre-encoded bytes); this documents it.
SSE_DOC = {
    200: {
        "description": "A stream of Server-Sent Events; see docs/protocol.md.",
        "content": {"text/event-stream": {}},
    }
}


async def resume_point(
    last_event_id: Annotated[str | None, Header()] = None,
    since: Annotated[str | None, Query(description="Resume after this event id.")] = None,
) -> EventId | None:
    """Where a client resumes: its ``Last-Event-ID`` header, else ``since``; checked before
    any streaming starts, so a bad id is a plain 422."""
    raw = last_event_id or since
    if raw is None or raw == "":
        return None
    try:
        return EventId.parse(raw)
    except InvalidEventId as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


ResumeDep = Annotated[EventId | None, Depends(resume_point)]


@router.get("/{session_id}/events", response_class=Response, responses=SSE_DOC)
async def session_events(
    session: OwnedSessionDep, manager: ManagerDep, resume: ResumeDep
) -> EventSourceResponse:
    """Every event of the session after ``Last-Event-ID`` (or ``since``), then live events.

    A reconnecting client gets what it missed exactly once and in order, including the
    remaining pieces of a reply that is still being generated.
    """
    after = resume or EventId(0)
    await manager.ensure_turn(session)
    feed = manager.follow(session, after=after, heartbeat=PING_SECONDS, batches=True)
    return stream_response(
        event_stream(feed, first=f": connected\nretry: {SSE_RETRY_MS}\n\n".encode())
    )


async def _latest_turn_start(manager: TurnManager, session: SessionRecord) -> EventId | None:
    """Where the reply running now (or else the most recent one) begins in the feed: just
    before its ``reply_started``, or before the phase change that opened it."""
    log = await asyncio.to_thread(manager.service.store.events, session.id, with_pieces=False)
    by_seq = {event.seq: event for event in log}
    started = [event.seq for event in log if event.type is EventType.REPLY_STARTED]
    if not started:
        return None
    turn = started[-1]
    opener = by_seq.get(turn - 1)
    if opener is not None and opener.type is EventType.PHASE_CHANGED:
        return EventId(turn - 2)
    return EventId(turn - 1)


@router.get("/{session_id}/stream", response_class=Response, responses=SSE_DOC)
async def stream_reply(
    session: OwnedSessionDep, manager: ManagerDep, resume: ResumeDep
) -> EventSourceResponse:
    """The interviewer's current (or else latest) reply: ``phase``, ``token``s, then ``done``,
    ``interrupted``, ``cancelled`` or ``error`` (and ``ended`` when the interviewer closed the
    session).

    Starts the pending turn if none is running (a failed one only via ``POST /retry``).
    Before the first reply of a session has begun: one ``idle`` event.
    """
    after = resume
    if after is None:
        await manager.ensure_turn(session)
        after = await _latest_turn_start(manager, session)
        if after is None:
            idle = encode_plain("idle", {"detail": "no reply is pending"})

            async def once():
                yield idle

            return stream_response(once())

    async def reply_only():
        async for item in manager.follow(
            session, after=after, until_turn_ends=True, heartbeat=PING_SECONDS
        ):
            if item is None or item.event in REPLY_EVENTS:
                yield item

    return stream_response(event_stream(reply_only()))


@router.post("/{session_id}/cancel", responses={409: {"description": "No reply is running."}})
async def cancel_reply(session: OwnedSessionDep, manager: ManagerDep) -> dict[str, bool]:
    """Stop the reply being generated; the part said so far is stored, marked cancelled."""
    if not await manager.cancel(session):
        raise HTTPException(status_code=409, detail="no reply is being generated")
    return {"cancelled": True}


@router.post(
    "/{session_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    responses={409: {"description": "The interviewer owes no reply."}},
)
async def retry_reply(session: OwnedSessionDep, manager: ManagerDep) -> dict[str, bool]:
    """Start the interviewer's pending turn again after a failed or interrupted attempt."""
    if not await manager.ensure_turn(session, force=True):
        raise HTTPException(status_code=409, detail="the interviewer owes no reply")
    return {"started": True}


# -- WebSocket ------------------------------------------------------------------------------


def _origin_allowed(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: nothing to forge
    allowed = set(websocket.app.state.settings.allowed_origins)
    host = websocket.headers.get("host", "")
    parts = urlsplit(origin)
    return origin in allowed or (parts.scheme in ("http", "https") and parts.netloc == host)


@router.websocket("/{session_id}/ws")
async def session_socket(websocket: WebSocket, session_id: str, since: str | None = None):
    """The same events as ``/events`` as JSON frames ``{"id", "event", "data"}``; send
    ``{"type": "message", "text", "client_id"?}``, ``{"type": "cancel"}`` or
    ``{"type": "retry"}``. A foreign ``Origin`` is refused."""
    manager: TurnManager = websocket.app.state.manager
    if not _origin_allowed(websocket):
        await websocket.close(code=4403, reason="origin not allowed")
        return
    owner_id = websocket.scope.get("state", {}).get("owner_id", "")
    session = await asyncio.to_thread(manager.service.owned_session, session_id, owner_id)
    if session is None:
        await websocket.close(code=4404, reason="no such session")
        return
    try:
        after = EventId.parse(since) if since else EventId(0)
    except InvalidEventId as exc:
        await websocket.close(code=4422, reason=str(exc)[:120])
        return
    await websocket.accept()
    await manager.ensure_turn(session)

    async def send_feed() -> None:
        async for item in manager.follow(session, after=after):
            if item is not None:
                await websocket.send_json(
                    {"id": str(item.id), "event": item.event, "data": item.data}
                )

    sender = asyncio.create_task(send_feed())
    try:
        while True:
            raw = await websocket.receive_text()
            reply = await _handle_frame(manager, session, raw)
            if reply is not None:
                await websocket.send_json(reply)
    except WebSocketDisconnect:
        pass
    finally:
        sender.cancel()
        with contextlib.suppress(BaseException):
            await sender


async def _handle_frame(manager: TurnManager, session: SessionRecord, raw: str) -> dict | None:
    def error(detail: str) -> dict:
        return {"id": None, "event": "rejected", "data": {"detail": detail}}

    try:
        frame = json.loads(raw)
    except json.JSONDecodeError:
        return error("frames must be JSON objects")
    if not isinstance(frame, dict):
        return error("frames must be JSON objects")
    kind = frame.get("type")
    if kind == "message":
        try:
            body = CandidateMessageIn.model_validate(
                {"text": frame.get("text", ""), "client_id": frame.get("client_id")}
            )
            await manager.post_message(session, body.text, client_id=body.client_id)
        except ValidationError as exc:
            return error("; ".join(e["msg"] for e in exc.errors()))
        except (TurnNotAllowedError, IdempotencyConflictError, InvalidMessageError) as exc:
            return error(str(exc))
        return None
    if kind == "cancel":
        return None if await manager.cancel(session) else error("no reply is being generated")
    if kind == "retry":
        ok = await manager.ensure_turn(session, force=True)
        return None if ok else error("the interviewer owes no reply")
    return error(f"unknown frame type {kind!r}: use message, cancel or retry")
