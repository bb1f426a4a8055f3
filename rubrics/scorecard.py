"""The scorecard a candidate reads, and the rule that turns scores into a verdict.

The recommendation is never asked of a model. :func:`recommend` derives it from the dimension
scores, the rubric's weights and the target level, as documented in ``docs/grading.md``. When
too much could not be graded, the card is incomplete and carries no recommendation at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, computed_field, model_validator

from rubrics.rubric import RECOMMENDATIONS, Recommendation, Rubric

__all__ = [
    "ESTIMATE_VERDICTS",
    "SCORECARD_VERSION",
    "Cost",
    "DimensionScore",
    "EstimateRow",
    "Evidence",
    "Incompleteness",
    "InjectionRow",
    "Scorecard",
    "TimeRow",
    "Verdict",
    "incompleteness",
    "overall_score",
    "recommend",
]

SCORECARD_VERSION = "scorecard.v2"


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
    dropped_quotes: int = Field(default=0, description="quotes not found in the candidate's words")
    irrelevant_quotes: int = Field(
        default=0,
        description="real quotes dropped because they are not evidence for this dimension",
    )
    samples: list[int] = []
    spread: int | None = None
    error: str | None = None

    @property
    def scored(self) -> bool:
        return self.score is not None


ESTIMATE_VERDICTS = {
    "right": "right",
    "off": "off (2-10x)",
    "magnitude": "off by an order of magnitude",
    "wrong_unit": "wrong unit or dimension",
    "unsupported": "stated without working",
    "missing": "missing",
    "given": "given by the interviewer",
}


class EstimateRow(BaseModel):
    name: str
    unit: str
    expected: tuple[float, float] = Field(
        description="the reference range, recomputed with the figures the interviewer gave"
    )
    status: Literal["right", "off", "magnitude", "wrong_unit", "unsupported", "missing", "given"]
    stated: str | None = None
    stated_value: float | None = None
    turn_id: int | None = None
    t: float | None = None
    inputs_stated: list[str] = Field(
        default=[], description="interviewer figures that changed the reference from the bank's"
    )


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


class Incompleteness(BaseModel):
    """Too much of the rubric could not be graded for the card to carry a verdict."""

    unscored: int = Field(description="how many dimensions could not be graded")
    total: int
    causes: list[str] = Field(description="each unscored dimension and why")

    @classmethod
    def of(cls, dimensions: list[DimensionScore]) -> Incompleteness:
        unscored = [d for d in dimensions if d.score is None]
        return cls(
            unscored=len(unscored),
            total=len(dimensions),
            causes=[f"{d.title}: {d.error or 'not graded'}" for d in unscored],
        )

    @computed_field
    @property
    def message(self) -> str:
        return f"incomplete: {self.unscored} of {self.total} dimensions could not be graded"


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
    recommendation: Recommendation | None = Field(
        description="null when the card is incomplete: too much could not be graded"
    )
    score: float | None = Field(
        ge=0, le=100, description="weighted overall score 0-100; null when incomplete"
    )
    complete: bool = Field(description="false when too much of the rubric could not be graded")
    incomplete: Incompleteness | None = Field(
        default=None, description="how many dimensions could not be graded, and why"
    )
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

    @model_validator(mode="after")
    def _an_incomplete_card_has_no_verdict(self) -> Scorecard:
        # Cards of scorecard.v1 kept a label on an incomplete card; never show it.
        if not self.complete and self.recommendation is not None:
            self.recommendation = None
            self.score = None
        if not self.complete and self.incomplete is None:
            self.incomplete = Incompleteness.of(self.dimensions)
        return self

    def dimension(self, dimension_id: str) -> DimensionScore:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)


def overall_score(dimensions: list[DimensionScore]) -> tuple[float, float]:
    """Weighted score 0-100 over the whole rubric, and the unscored share of the weight.

    An unscored dimension counts as nothing demonstrated: its weight stays in the denominator,
    so a judge that fails can only lower the score, never lift it to the scored remainder.
    """
    total = sum(d.weight for d in dimensions)
    if not total:
        return 0.0, 1.0
    scored = [d for d in dimensions if d.score is not None]
    points = sum(d.weight * (d.score - 1) / 3 * 100 for d in scored)
    unscored = 1 - sum(d.weight for d in scored) / total
    return round(points / total, 1), round(unscored, 3)


def _at_most(label: str, cap: str) -> str:
    return label if RECOMMENDATIONS.index(label) <= RECOMMENDATIONS.index(cap) else cap


class Verdict(BaseModel):
    recommendation: Recommendation | None
    score: float | None
    incomplete: Incompleteness | None
    reasons: list[str]


def incompleteness(rubric: Rubric, dimensions: list[DimensionScore]) -> Incompleteness | None:
    """Why the card cannot carry a recommendation, or None when it can.

    A card is incomplete when the unscored share of the weight is above the rubric's line, or
    when any core dimension is unscored: a verdict without it would be a guess.
    """
    rule = rubric.recommendation
    _, unscored_share = overall_score(dimensions)
    unscored = [d for d in dimensions if d.score is None]
    core = [d for d in unscored if d.id in rule.core_dimensions]
    if not unscored or (unscored_share <= rule.incomplete_unscored_weight and not core):
        return None
    return Incompleteness.of(dimensions)


def recommend(
    rubric: Rubric,
    dimensions: list[DimensionScore],
    level: str,
    *,
    unreached: list[str] | tuple[str, ...] = (),
) -> Verdict:
    """The recommendation, the overall score and the reasons, by rule.

    1. The overall score is the weighted mean over the whole rubric, mapped to 0-100; an
       unscored dimension counts as 0.
    2. An incomplete card (see :func:`incompleteness`) gets no recommendation and no score.
    3. The score's margin over the target level's bar picks a band (strong hire ... strong no
       hire).
    4. Strong hire needs every dimension scored and at or above its expectation for the level;
       hire allows a few below it (the rubric says how many); otherwise the verdict drops a band.
    5. A score of 1 on a core dimension caps the verdict (default: lean no hire), and so do
       too many phases never reached (``unreached``: their titles).
    """
    rule = rubric.recommendation
    score, _ = overall_score(dimensions)
    missing = incompleteness(rubric, dimensions)
    if missing is not None:
        return Verdict(
            recommendation=None, score=None, incomplete=missing, reasons=[missing.message]
        )
    bar = rule.bars[level]
    margin = score - bar
    label = next(band.label for band in rule.bands if margin >= band.margin)
    reasons = [f"overall {score:.0f}/100 against the {level} bar of {bar:.0f} ({margin:+.0f})"]
    below = [d for d in dimensions if d.score is None or d.score < d.expected]
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
    failed_core = [d for d in dimensions if d.id in rule.core_dimensions and d.score == 1]
    if failed_core:
        capped = _at_most(label, rule.core_cap)
        if capped != label:
            reasons.append("capped: not demonstrated in " + ", ".join(d.title for d in failed_core))
        label = capped
    cap = rule.unreached_phases
    if cap is not None and len(unreached) >= cap.count:
        label = _at_most(label, cap.cap)
        reasons.append(
            f"{len(unreached)} phases never reached ({', '.join(unreached)}): at most "
            f"{cap.cap.replace('_', ' ')}"
        )
    unscored = [d.title for d in dimensions if d.score is None]
    if unscored:
        reasons.append("counted as 0, could not be graded: " + ", ".join(unscored))
    return Verdict(recommendation=label, score=score, incomplete=None, reasons=reasons)
