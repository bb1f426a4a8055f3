"""The candidate-safe view of the problem bank."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException

from problems.loader import UnknownProblemError
from problems.models import CandidateView
from web.deps import ServiceDep

router = APIRouter(prefix="/api/problems", tags=["problems"])


@router.get("", response_model=list[CandidateView])
def list_problems(
    service: ServiceDep,
    category: Literal["classic", "ai"] | None = None,
    difficulty: Literal["medium", "hard", "expert"] | None = None,
) -> list[CandidateView]:
    return [
        problem.candidate_view()
        for problem in service.bank.filter(category=category, difficulty=difficulty)
    ]


@router.get("/{problem_id}", response_model=CandidateView)
def get_problem(problem_id: str, service: ServiceDep) -> CandidateView:
    try:
        return service.bank.get(problem_id).candidate_view()
    except UnknownProblemError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
