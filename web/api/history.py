"""Your progress across sessions: scores over time, weakest dimensions and what to practise next."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from interviewer.service import InterviewService
from rubrics.rubric import load_rubric
from rubrics.suggest import GradedSession, suggest_next, weakest_dimensions
from storage.scorecards import ScorecardRecord, ScorecardStore
from web.charts import trend_chart
from web.deps import OwnerDep, ServiceDep

__all__ = ["HistoryOut", "best_scores", "history_context", "load_history", "router"]

router = APIRouter(prefix="/api/history", tags=["history"])
MAX_SESSIONS = 500


class SessionSummary(BaseModel):
    id: str
    problem_id: str
    problem_title: str
    created_at: datetime
    status: str
    minutes: int
    level: str
    persona: str
    score: float | None = Field(description="overall 0-100 of the newest finished scorecard")
    recommendation: str | None = Field(description="null when not graded or incomplete")
    incomplete: bool = Field(
        default=False, description="graded, but too much could not be graded for a verdict"
    )
    dimensions: dict[str, int | None] = Field(description="dimension id -> score 1-4 or null")


class TrendPoint(BaseModel):
    session_id: str
    at: datetime
    score: float


class TrendSeries(BaseModel):
    id: str
    title: str
    points: list[TrendPoint]


class WeakDimensionOut(BaseModel):
    id: str
    title: str
    mean: float = Field(description="mean score 1-4 over the last few graded sessions")
    sessions: int


class SuggestionOut(BaseModel):
    problem_id: str
    title: str
    dimension: str | None = Field(description="the weakest dimension it drills")
    reason: str


class HistoryOut(BaseModel):
    sessions: list[SessionSummary] = Field(description="newest first")
    trend: list[TrendSeries] = Field(description="per dimension, graded sessions oldest first")
    overall: list[TrendPoint] = Field(description="overall score 0-100, oldest first")
    weakest: list[WeakDimensionOut]
    suggestion: SuggestionOut | None
    best_scores: dict[str, float] = Field(description="problem id -> best overall score")


async def get_scorecards(request: Request) -> ScorecardStore:
    return request.app.state.grading.scorecards


ScorecardsDep = Annotated[ScorecardStore, Depends(get_scorecards)]


def _dimension_scores(card: ScorecardRecord) -> dict[str, int | None]:
    data: dict[str, Any] = card.data or {}
    return {d["id"]: d.get("score") for d in data.get("dimensions", [])}


def _summaries(
    service: InterviewService, scorecards: ScorecardStore, owner_id: str
) -> list[SessionSummary]:
    records = [
        record
        for record in service.store.list_sessions(owner_id, limit=MAX_SESSIONS)
        if record.problem_id in service.bank
    ]
    cards = scorecards.latest_done([record.id for record in records])
    summaries = []
    for record in records:
        card = cards.get(record.id)
        # A card that could not be graded enough carries no verdict and no score, even one
        # stored before that rule (scorecard.v1 kept both).
        incomplete = bool(card and not (card.data or {}).get("complete", True))
        if incomplete:
            card = None
        summaries.append(
            SessionSummary(
                id=record.id,
                problem_id=record.problem_id,
                problem_title=service.bank.get(record.problem_id).title,
                created_at=record.created_at,
                status=record.status,
                minutes=record.minutes,
                level=record.level,
                persona=record.persona,
                score=card.score if card else None,
                recommendation=card.recommendation if card else None,
                incomplete=incomplete,
                dimensions=_dimension_scores(card) if card else {},
            )
        )
    return summaries


def _best(summaries: list[SessionSummary]) -> dict[str, float]:
    best: dict[str, float] = {}
    for summary in summaries:
        if summary.score is not None:
            best[summary.problem_id] = max(summary.score, best.get(summary.problem_id, 0.0))
    return best


def best_scores(
    *, service: InterviewService, scorecards: ScorecardStore, owner_id: str
) -> dict[str, float]:
    """Problem id -> the owner's best overall score on it, for graded problems only."""
    return _best(_summaries(service, scorecards, owner_id))


def load_history(
    *, service: InterviewService, scorecards: ScorecardStore, owner_id: str
) -> HistoryOut:
    rubric = load_rubric()
    summaries = _summaries(service, scorecards, owner_id)
    graded = sorted((s for s in summaries if s.score is not None), key=lambda s: s.created_at)
    trend = [
        TrendSeries(
            id=dimension.id,
            title=dimension.title,
            points=[
                TrendPoint(session_id=s.id, at=s.created_at, score=s.dimensions[dimension.id])
                for s in graded
                if s.dimensions.get(dimension.id) is not None
            ],
        )
        for dimension in rubric.dimensions
    ]
    attempts: dict[str, datetime] = {}
    for summary in reversed(summaries):  # oldest first, so the newest attempt wins
        attempts[summary.problem_id] = summary.created_at
    engine_view = [GradedSession(s.problem_id, s.created_at, s.dimensions) for s in graded]
    suggestion = suggest_next(engine_view, service.bank, rubric, attempted=attempts)
    return HistoryOut(
        sessions=summaries,
        trend=trend,
        overall=[TrendPoint(session_id=s.id, at=s.created_at, score=s.score) for s in graded],
        weakest=[
            WeakDimensionOut(id=w.id, title=w.title, mean=w.mean, sessions=w.sessions)
            for w in weakest_dimensions(engine_view, rubric)
        ],
        suggestion=(
            SuggestionOut.model_validate(suggestion, from_attributes=True) if suggestion else None
        ),
        best_scores=_best(summaries),
    )


@router.get("", response_model=HistoryOut)
def history(service: ServiceDep, scorecards: ScorecardsDep, owner_id: OwnerDep) -> HistoryOut:
    """Your sessions, your score trend per dimension, your weakest areas and a next problem."""
    return load_history(service=service, scorecards=scorecards, owner_id=owner_id)


def history_context(
    service: InterviewService, scorecards: ScorecardStore, owner_id: str
) -> dict[str, Any]:
    """What the history page renders: the same data as the API, and the trend chart."""
    history = load_history(service=service, scorecards=scorecards, owner_id=owner_id)
    return {"history": history, "chart": trend_chart(history.trend, history.overall)}
