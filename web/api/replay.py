"""What the replay page plays back: messages, phases and notes on the active clock, plus evidence.

Every time here is seconds on the interview's active clock (time paused does not count), the
same clock that scorecard evidence and the transcript use, so a quote's ``t`` lands on its
message. Message text comes with ``html``, rendered from Markdown and sanitised on the server.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel, Field

from interviewer.conversation import Conversation, active_times
from interviewer.service import InterviewService
from rubrics.scorecard import Scorecard
from storage.events import EventType, SessionRecord
from web.api.scorecards import GradingDep
from web.deps import OwnedSessionDep, ServiceDep
from web.render import render_markdown

router = APIRouter(prefix="/api/sessions", tags=["replay"])


class ReplaySessionOut(BaseModel):
    id: str
    problem_title: str
    minutes: int
    level: str
    status: str
    duration_s: float = Field(description="active seconds from the start to the last event")


class ReplayMessageOut(BaseModel):
    seq: int
    role: str
    phase: str
    kind: str = Field(description="reply | closing | sign_off | interrupted | cancelled")
    t: float
    text: str
    html: str = Field(description="the text rendered from Markdown and sanitised")


class ReplayPhaseOut(BaseModel):
    id: str
    title: str
    start_t: float
    end_t: float | None = Field(description="null while the phase is still running")


class ReplayNotesOut(BaseModel):
    seq: int
    t: float
    text: str


class ReplayEvidenceOut(BaseModel):
    dimension_id: str
    dimension_title: str
    turn_id: int = Field(description="the seq of the message the quote comes from")
    t: float
    quote: str


class ReplayOut(BaseModel):
    session: ReplaySessionOut
    messages: list[ReplayMessageOut]
    phases: list[ReplayPhaseOut]
    notes: list[ReplayNotesOut]
    evidence: list[ReplayEvidenceOut]
    scorecard_status: str | None = Field(description="grading | done | failed, null if never")


def _replay(service: InterviewService, session: SessionRecord) -> ReplayOut:
    events = service.store.events(session.id, with_pieces=False)
    state = Conversation.from_events(events)
    times = active_times(events)
    end_t = state.active_seconds(state.ended_at or service.clock.now())
    messages = [
        ReplayMessageOut(
            seq=message.seq,
            role=message.role,
            phase=message.phase,
            kind=message.kind,
            t=times[message.seq],
            text=message.text,
            html=render_markdown(message.text),
        )
        for message in state.messages
        if message.text.strip()
    ]
    titles = {phase.id: phase.title for phase in service.plan.phases}
    phases = [
        ReplayPhaseOut(
            id=span.phase,
            title=titles.get(span.phase, span.phase),
            start_t=round(span.started_active, 3),
            end_t=None if span.ended_active is None else round(span.ended_active, 3),
        )
        for span in state.spans
    ]
    notes = [
        ReplayNotesOut(seq=event.seq, t=times[event.seq], text=event.data["text"])
        for event in events
        if event.type is EventType.NOTES_SAVED
    ]
    last_t = max([end_t, *(m.t for m in messages), *(n.t for n in notes)])
    return ReplayOut(
        session=ReplaySessionOut(
            id=session.id,
            problem_title=_problem_title(service, session),
            minutes=session.minutes,
            level=session.level,
            status="ended" if state.ended else session.status,
            duration_s=round(last_t, 3),
        ),
        messages=messages,
        phases=phases,
        notes=notes,
        evidence=[],
        scorecard_status=None,
    )


def _problem_title(service: InterviewService, session: SessionRecord) -> str:
    if session.problem_id in service.bank:
        return service.bank.get(session.problem_id).title
    return session.problem_id


def _evidence(card: Scorecard) -> list[ReplayEvidenceOut]:
    markers = [
        ReplayEvidenceOut(
            dimension_id=dimension.id,
            dimension_title=dimension.title,
            turn_id=quote.turn_id,
            t=quote.t,
            quote=quote.quote,
        )
        for dimension in card.dimensions
        for quote in dimension.evidence
    ]
    return sorted(markers, key=lambda marker: marker.t)


@router.get(
    "/{session_id}/replay",
    response_model=ReplayOut,
    responses={404: {"description": "No such session."}},
)
async def get_replay(
    session: OwnedSessionDep, service: ServiceDep, grading: GradingDep
) -> ReplayOut:
    """The session for playback; evidence comes from its latest finished scorecard, if any."""
    replay = await asyncio.to_thread(_replay, service, session)
    latest = await asyncio.to_thread(grading.scorecards.latest, session.id)
    done = await asyncio.to_thread(grading.scorecards.latest_done, [session.id])
    if session.id in done and done[session.id].data:
        replay.evidence = _evidence(Scorecard.model_validate(done[session.id].data))
    replay.scorecard_status = latest.status if latest else None
    return replay
