"""Scorecards: grade an ended session in the background, follow progress, export the result."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from core.wiring import UnknownModelError, choose_judge
from rubrics.export import scorecard_markdown
from rubrics.scorecard import Scorecard
from rubrics.service import (
    AlreadyGradingError,
    GradingService,
    NotEndedError,
    NothingToGradeError,
)
from storage.scorecards import ScorecardRecord
from web.deps import OwnedSessionDep

router = APIRouter(prefix="/api/sessions", tags=["scorecards"])
ERRORS = {
    404: {"description": "No such session, or it has not been graded."},
    409: {"description": "Not ended yet, or a grading run is in progress."},
}


async def get_grading(request: Request) -> GradingService:
    return request.app.state.grading


GradingDep = Annotated[GradingService, Depends(get_grading)]


class GradeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    judge: str | None = Field(
        default=None,
        max_length=128,
        description="offline or provider:model; empty uses the server's JUDGE_MODEL choice",
    )
    samples: int = Field(default=1, ge=1, le=5, description="LLM judge samples per dimension")


class GradingOut(BaseModel):
    id: int
    status: str = Field(description="grading | done | failed")
    judge: str
    done: int = Field(description="dimensions finished so far")
    total: int
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    scorecard: Scorecard | None


def grading_out(record: ScorecardRecord) -> GradingOut:
    return GradingOut(
        id=record.id,
        status=record.status,
        judge=record.judge,
        done=record.done,
        total=record.total,
        started_at=record.started_at,
        finished_at=record.finished_at,
        error=record.error,
        scorecard=Scorecard.model_validate(record.data) if record.data else None,
    )


@router.post(
    "/{session_id}/scorecard",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=GradingOut,
    responses=ERRORS,
)
async def start_grading(
    request: Request,
    session: OwnedSessionDep,
    grading: GradingDep,
    body: Annotated[GradeIn | None, Body()] = None,
) -> GradingOut:
    """Start grading an ended session; poll ``GET .../scorecard`` for progress."""
    body = body or GradeIn()
    try:
        judge = choose_judge(
            request.app.state.settings,
            body.judge,
            samples=body.samples,
            models=request.app.state.models,
        )
    except UnknownModelError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None
    try:
        grading_id, transcript = await asyncio.to_thread(grading.start, session, judge)
    except (NotEndedError, AlreadyGradingError) as exc:
        detail = str(exc) if isinstance(exc, NotEndedError) else "this session is being graded"
        raise HTTPException(status.HTTP_409_CONFLICT, detail=detail) from None
    except NothingToGradeError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(exc)) from None
    tasks: set[asyncio.Task] = request.app.state.grading_tasks
    task = asyncio.create_task(grading.run(grading_id, transcript, judge), name="grading")
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    record = await asyncio.to_thread(grading.scorecards.latest, session.id)
    return grading_out(record)


async def _latest(session: OwnedSessionDep, grading: GradingDep) -> ScorecardRecord:
    record = await asyncio.to_thread(grading.scorecards.latest, session.id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="this session has not been graded")
    return record


LatestDep = Annotated[ScorecardRecord, Depends(_latest)]


def _finished(record: ScorecardRecord) -> Scorecard:
    if record.status != "done" or not record.data:
        detail = (
            "grading is still running"
            if record.status == "grading"
            else f"the last grading failed: {record.error}"
        )
        raise HTTPException(status.HTTP_409_CONFLICT, detail=detail)
    return Scorecard.model_validate(record.data)


@router.get("/{session_id}/scorecard", response_model=GradingOut, responses=ERRORS)
async def get_scorecard(record: LatestDep) -> GradingOut:
    """The latest grading run: progress while it runs, the scorecard when done."""
    return grading_out(record)


@router.get("/{session_id}/scorecard.json", responses=ERRORS)
async def export_scorecard_json(session: OwnedSessionDep, record: LatestDep) -> Response:
    card = _finished(record)
    return Response(
        card.model_dump_json(indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="scorecard-{session.id}.json"'},
    )


@router.get("/{session_id}/scorecard.md", responses=ERRORS)
async def export_scorecard_markdown(
    request: Request, session: OwnedSessionDep, record: LatestDep
) -> Response:
    card = _finished(record)
    title = request.app.state.service.bank.get(session.problem_id).title
    return Response(
        scorecard_markdown(card, title=title),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="scorecard-{session.id}.md"'},
    )


@router.get("/{session_id}/export.json", responses={404: ERRORS[404]})
async def export_transcript(session: OwnedSessionDep, grading: GradingDep) -> dict[str, Any]:
    """The session's transcript in the exchange format (``interview grade`` reads it)."""
    transcript = await asyncio.to_thread(grading.transcript, session)
    document = transcript.to_exchange()
    document["level"] = session.level
    document["session_id"] = session.id
    return document
