"""What every judge receives and returns.

Grading runs the same way whatever the judge: the transcript is cleaned of grader-directed text,
the measured parts (time, estimation check, key-point coverage) are computed in code, and then a
judge scores the judged dimensions. A judge is the deterministic :mod:`rubrics.heuristic` one or
an LLM (:mod:`rubrics.llm_judge`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from problems.models import Problem
from rubrics.coverage import PhaseCoverage
from rubrics.echo import EchoCheck
from rubrics.estimation import EstimateResult
from rubrics.injection import InjectionFinding
from rubrics.rubric import Dimension, Rubric
from rubrics.scorecard import Cost, Evidence, TimeRow
from rubrics.session_inputs import SessionEstimate
from rubrics.text import Sentence
from rubrics.topicality import Topicality
from rubrics.transcript import Transcript

__all__ = ["GradingContext", "Judge", "JudgedDimension", "Progress"]

# Called with a dimension id and what happened to it ("started", "done", "unscored").
Progress = Callable[[str, str], None]


@dataclass(frozen=True)
class GradingContext:
    problem: Problem
    rubric: Rubric
    transcript: Transcript  # cleaned: grader-directed text removed
    sentences: list[Sentence]  # every candidate sentence
    own_sentences: list[Sentence]  # the candidate's own: no echoes, no lists of keywords
    coverage: dict[str, PhaseCoverage]
    references: list[SessionEstimate]  # the reference estimates recomputed for this session
    estimates: list[EstimateResult]
    time_rows: list[TimeRow]
    injections: list[InjectionFinding]
    echo: EchoCheck
    topicality: Topicality


@dataclass
class JudgedDimension:
    score: int | None
    rationale: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    samples: list[int] = field(default_factory=list)
    spread: int | None = None
    error: str | None = None


class Judge(Protocol):
    name: str
    prompt_version: str

    async def judge(
        self, context: GradingContext, dimensions: list[Dimension], progress: Progress
    ) -> tuple[dict[str, JudgedDimension], Cost]: ...
