"""The candidate's design notes (plain text or a Mermaid diagram), saved with the session.

Every save is an event in the session's log, so the replay can show the notes as they grew and
the judge grades the latest version.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from storage.events import EventType
from web.deps import OwnedSessionDep, ServiceDep

router = APIRouter(prefix="/api/sessions", tags=["notes"])
MAX_NOTES_CHARS = 20_000


class NotesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_NOTES_CHARS, description="text or Mermaid source")


class NotesOut(BaseModel):
    text: str
    saved_at: datetime | None = None
    seq: int | None = None


@router.get("/{session_id}/notes", response_model=NotesOut)
async def get_notes(session: OwnedSessionDep, service: ServiceDep) -> NotesOut:
    events = await asyncio.to_thread(service.store.events, session.id, with_pieces=False)
    saved = [event for event in events if event.type is EventType.NOTES_SAVED]
    if not saved:
        return NotesOut(text="")
    return NotesOut(text=saved[-1].data["text"], saved_at=saved[-1].at, seq=saved[-1].seq)


@router.put("/{session_id}/notes", response_model=NotesOut)
async def save_notes(body: NotesIn, session: OwnedSessionDep, service: ServiceDep) -> NotesOut:
    """Replace the notes; unchanged text is not stored again."""
    current = await get_notes(session, service)
    if current.text == body.text:
        return current
    event = await asyncio.to_thread(
        service.store.append,
        session.id,
        EventType.NOTES_SAVED,
        {"text": body.text},
        at=service.clock.now(),
    )
    return NotesOut(text=body.text, saved_at=event.at, seq=event.seq)
