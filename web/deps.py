"""FastAPI dependencies: the service, the caller's identity, and sessions they own."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request

from interviewer.live import TurnManager
from interviewer.service import InterviewService
from storage.events import SessionRecord

# Every dependency is async: FastAPI runs a plain ``def`` dependency in a worker thread, and
# three thread hops per request cost more than the lookups themselves.


async def get_service(request: Request) -> InterviewService:
    return request.app.state.service


async def get_manager(request: Request) -> TurnManager:
    return request.app.state.manager


async def get_owner_id(request: Request) -> str:
    return request.state.owner_id


ServiceDep = Annotated[InterviewService, Depends(get_service)]
OwnerDep = Annotated[str, Depends(get_owner_id)]
ManagerDep = Annotated[TurnManager, Depends(get_manager)]


async def get_owned_session(
    request: Request, session_id: Annotated[str, Path(max_length=64)]
) -> SessionRecord:
    """The session, or 404 for an unknown id and for anyone else's session alike. (It reads
    the service and the caller from the request itself: FastAPI's work per dependency is
    counted in every request of a session.)"""
    service: InterviewService = request.app.state.service
    owner_id = request.state.owner_id
    # A record read before is in memory: no thread hop for the common case.
    record = service.store.remembered_session(session_id)
    if record is None or record.owner_id != owner_id:
        record = await asyncio.to_thread(service.owned_session, session_id, owner_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"no session {session_id!r}")
    return record


OwnedSessionDep = Annotated[SessionRecord, Depends(get_owned_session)]
