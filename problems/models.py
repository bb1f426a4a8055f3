"""The problem file schema: what an interviewer (and later the judge) knows about one problem.

A problem file is YAML under ``problems/bank/<id>.yaml``. Only :class:`CandidateView` ever
reaches a candidate before grading; hidden facts, reference estimates and key points are for
the interviewer and the judge.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from problems.arithmetic import ArithmeticError_, evaluate
from problems.phases import PHASE_IDS

PhaseId = Literal[
    "clarify",
    "requirements",
    "estimation",
    "high_level_design",
    "deep_dive",
    "tradeoffs",
    "monitoring",
]
Category = Literal["classic", "ai"]
Difficulty = Literal["medium", "hard", "expert"]
CurveballKind = Literal["load_spike", "failure", "scale_out", "requirement_change"]

PROBLEM_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HiddenFact(_Strict):
    """One answer the interviewer gives only when the candidate asks about its topic."""

    topic: str = Field(min_length=2)
    keywords: list[str] = Field(min_length=1)
    answer: str = Field(min_length=5)


class ReferenceEstimate(_Strict):
    """A back-of-envelope figure whose arithmetic can be checked from its inputs."""

    name: str = Field(min_length=3)
    inputs: dict[str, float] = Field(min_length=1)
    formula: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    expected_range: tuple[float, float]
    note: str = ""

    @model_validator(mode="after")
    def _range_is_ordered(self) -> ReferenceEstimate:
        low, high = self.expected_range
        if low > high:
            raise ValueError(f"expected_range {self.expected_range} has low > high")
        return self

    def compute(self) -> float:
        """Evaluate the formula with the inputs (raises ``ArithmeticError_`` on a bad formula)."""
        return evaluate(self.formula, self.inputs)

    def is_consistent(self) -> bool:
        try:
            value = self.compute()
        except ArithmeticError_:
            return False
        low, high = self.expected_range
        return low <= value <= high


class KeyPoint(_Strict):
    """A short, checkable statement a strong answer covers in one phase."""

    point: str = Field(min_length=5)
    keywords: list[str] = Field(min_length=1)


class DefiningConcept(_Strict):
    """What an answer must name, in one phase, to be about this problem at all.

    A semantic cache's design that never mentions embeddings or a similarity threshold is about
    some other cache. Any one of ``keywords`` (matched as whole words) names the concept.
    """

    concept: str = Field(min_length=3)
    keywords: list[str] = Field(min_length=2)


DEFINING_PHASES_REQUIRED = ("high_level_design", "deep_dive")


class DeepDive(_Strict):
    component: str = Field(min_length=3)
    why: str = Field(min_length=5)
    probes: list[str] = Field(min_length=2)


class Curveball(_Strict):
    phase: PhaseId
    kind: CurveballKind
    prompt: str = Field(min_length=10)
    strong_response: str = Field(min_length=10)


class LevelExpectations(_Strict):
    mid: str = Field(min_length=10)
    senior: str = Field(min_length=10)
    staff: str = Field(min_length=10)


class CandidateView(_Strict):
    """What a candidate may see of a problem before grading."""

    id: str
    title: str
    category: Category
    difficulty: Difficulty
    tags: list[str]
    statement: str


class Problem(_Strict):
    """A complete interviewer brief for one practice problem."""

    id: str = Field(pattern=PROBLEM_ID_PATTERN)
    title: str = Field(min_length=3)
    category: Category
    difficulty: Difficulty
    tags: list[str] = Field(min_length=1)
    statement: str = Field(min_length=10)
    hidden_facts: list[HiddenFact] = Field(min_length=1)
    reference_estimates: list[ReferenceEstimate] = Field(min_length=1)
    key_points: dict[PhaseId, list[KeyPoint]]
    defining_concepts: dict[PhaseId, list[DefiningConcept]]
    deep_dives: list[DeepDive] = Field(min_length=2, max_length=4)
    curveballs: list[Curveball] = Field(min_length=3)
    pitfalls: list[str] = Field(min_length=1)
    level_expectations: LevelExpectations

    @field_validator("key_points")
    @classmethod
    def _every_phase_has_key_points(
        cls, value: dict[str, list[KeyPoint]]
    ) -> dict[str, list[KeyPoint]]:
        missing = [phase for phase in PHASE_IDS if not value.get(phase)]
        if missing:
            raise ValueError(f"key_points missing for phase(s): {', '.join(missing)}")
        return value

    @field_validator("defining_concepts")
    @classmethod
    def _design_phases_have_defining_concepts(
        cls, value: dict[str, list[DefiningConcept]]
    ) -> dict[str, list[DefiningConcept]]:
        missing = [phase for phase in DEFINING_PHASES_REQUIRED if not value.get(phase)]
        if missing:
            raise ValueError(f"defining_concepts missing for phase(s): {', '.join(missing)}")
        too_many = [phase for phase, concepts in value.items() if len(concepts) > 3]
        if too_many:
            raise ValueError(
                f"defining_concepts: at most 3 per phase ({', '.join(too_many)} has more)"
            )
        return value

    def candidate_view(self) -> CandidateView:
        return CandidateView(
            id=self.id,
            title=self.title,
            category=self.category,
            difficulty=self.difficulty,
            tags=list(self.tags),
            statement=self.statement,
        )
