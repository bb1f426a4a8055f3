"""The scorecard a candidate reads, and the rule that turns scores into a verdict.

The recommendation is never asked of a model. :func:`recommend` derives it from the dimension
scores, the rubric's weights and the target level, as documented in ``docs/grading.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from rubrics.rubric import RECOMMENDATIONS, Recommendation, Rubric

__all__ = [
    "SCORECARD_VERSION",
    "Cost",
    "DimensionScore",
    "EstimateRow",
    "Evidence",
    "InjectionRow",
    "Scorecard",
    "TimeRow",
    "overall_score",
    "recommend",
]

SCORECARD_VERSION = "scorecard.v1"


class Evidence(BaseModel):
    turn_id: int = Field(description="id of the candidate turn (event) the quote comes from")
    t: float = Field(description="seconds since the session started")
    quote: str


class DimensionScore(BaseModel):
    id: str
    title: str
    weight: float
    score: int | None = Field(description="1-4, or null when the dimension could not be scored")
    level: str | None = Field(default=None, description="the rubric descriptor of the score")
    expected: int = Field(description="the score the target level expects")
    rationale: str = ""
    evidence: list[Evidence] = []
    missed_key_points: list[str] = []
    flags: list[str] = []
    dropped_quotes: int = 0
    samples: list[int] = []
    spread: int | None = None
    error: str | None = None

    @property
    def scored(self) -> bool:
        return self.score is not None


class EstimateRow(BaseModel):
    name: str
    unit: str
    expected: tuple[float, float]
    status: Literal["right", "off", "missing"]
    stated: str | None = None
    stated_value: float | None = None
    turn_id: int | None = None
    t: float | None = None


class TimeRow(BaseModel):
    phase: str
    title: str
    budget_s: float
    used_s: float


class InjectionRow(BaseModel):
    turn_id: int
    t: float
    kind: str
    excerpt: str


class Cost(BaseModel):
    calls: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class Scorecard(BaseModel):
    version: str = SCORECARD_VERSION
    problem: str
    session_id: str | None = None
    level: Literal["mid", "senior", "staff"]
    recommendation: Recommendation
    score: float = Field(ge=0, le=100, description="weighted overall score, 0-100")
    complete: bool = Field(description="false when too much of the rubric's weight is unscored")
    recommendation_reasons: list[str] = []
    dimensions: list[DimensionScore]
    strongest: list[str] = []
    weakest: list[str] = []
    improvements: list[str] = []
    estimates: list[EstimateRow] = []
    time: list[TimeRow] = []
    injections: list[InjectionRow] = []
    judge: str
    rubric_version: str
    prompt_version: str
    cost: Cost = Cost()
    graded_at: datetime

    def dimension(self, dimension_id: str) -> DimensionScore:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)


def overall_score(dimensions: list[DimensionScore]) -> tuple[float, float]:
    """Weighted score 0-100 over the scored dimensions, and the unscored share of the weight."""
    total = sum(d.weight for d in dimensions)
    scored = [d for d in dimensions if d.score is not None]
    scored_weight = sum(d.weight for d in scored)
    if not scored_weight:
        return 0.0, 1.0
    points = sum(d.weight * (d.score - 1) / 3 * 100 for d in scored)
    return round(points / scored_weight, 1), round(1 - scored_weight / total, 3)


def _at_most(label: str, cap: str) -> str:
    return label if RECOMMENDATIONS.index(label) <= RECOMMENDATIONS.index(cap) else cap


def recommend(
    rubric: Rubric, dimensions: list[DimensionScore], level: str
) -> tuple[Recommendation, float, bool, list[str]]:
    """The recommendation, the overall score, completeness and the reasons, by rule.

    1. The overall score is the weighted mean of the scored dimensions mapped to 0-100.
    2. Its margin over the target level's bar picks a band (strong hire ... strong no hire).
    3. A score of 1 on a core dimension caps the verdict (default: lean no hire).
    4. Strong hire needs every scored dimension at or above its expectation for the level;
       hire allows a few below it (the rubric says how many); otherwise the verdict drops a band.
    """
    rule = rubric.recommendation
    score, unscored = overall_score(dimensions)
    bar = rule.bars[level]
    margin = score - bar
    label = next(band.label for band in rule.bands if margin >= band.margin)
    reasons = [f"overall {score:.0f}/100 against the {level} bar of {bar:.0f} ({margin:+.0f})"]
    below = [d for d in dimensions if d.score is not None and d.score < d.expected]
    if label == "strong_hire" and below:
        label = "hire"
        reasons.append(
            "strong hire needs every dimension at the level's expectation; below: "
            + ", ".join(d.title for d in below)
        )
    if label == "hire" and len(below) > rule.hire_max_below_expectation:
        label = "lean_hire"
        reasons.append(
            f"{len(below)} dimensions are below the {level} expectation "
            f"(hire allows {rule.hire_max_below_expectation})"
        )
    failed_core = [
        d
        for d in dimensions
        if d.id in rule.core_dimensions and d.score is not None and d.score == 1
    ]
    if failed_core:
        capped = _at_most(label, rule.core_cap)
        if capped != label:
            reasons.append("capped: not demonstrated in " + ", ".join(d.title for d in failed_core))
        label = capped
    complete = unscored <= rule.incomplete_unscored_weight
    if not complete:
        reasons.append(f"{unscored:.0%} of the rubric's weight could not be scored")
    return label, score, complete, reasons
