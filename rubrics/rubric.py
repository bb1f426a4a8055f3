"""The grading rubric: dimensions, their weights, four level descriptors and level expectations.

The rubric is data (``rubric.v2.yaml``) validated here. Changing it means a new version file, so
that every stored scorecard still names the exact rubric it was graded against.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from problems.models import PhaseId
from problems.phases import PHASE_IDS

__all__ = [
    "DEFAULT_RUBRIC",
    "RECOMMENDATIONS",
    "Dimension",
    "EvidenceRule",
    "Expectation",
    "Recommendation",
    "RecommendationRule",
    "Rubric",
    "TargetLevel",
    "load_rubric",
]

DEFAULT_RUBRIC = Path(__file__).with_name("rubric.v2.yaml")

Recommendation = Literal[
    "strong_no_hire", "no_hire", "lean_no_hire", "lean_hire", "hire", "strong_hire"
]
RECOMMENDATIONS: tuple[str, ...] = (
    "strong_no_hire",
    "no_hire",
    "lean_no_hire",
    "lean_hire",
    "hire",
    "strong_hire",
)
TargetLevel = Literal["mid", "senior", "staff"]
LEVELS = (1, 2, 3, 4)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expectation(_Strict):
    score: int = Field(ge=1, le=4)
    text: str = Field(min_length=5)


class EvidenceRule(_Strict):
    """Which verified quotes can back a 3 or 4: from these phases, and/or of this kind."""

    phases: list[PhaseId] = []
    requires: Literal["number", "statement"] | None = None


class Dimension(_Strict):
    id: str
    title: str
    kind: Literal["phase", "overall", "measured"]
    evidence: EvidenceRule | None = None
    weight: float = Field(gt=0)
    question: str
    levels: dict[int, str]
    expectations: dict[TargetLevel, Expectation]

    @field_validator("levels")
    @classmethod
    def _four_levels(cls, value: dict[int, str]) -> dict[int, str]:
        if sorted(value) != list(LEVELS):
            raise ValueError(f"levels must be exactly 1-4, got {sorted(value)}")
        return value

    @field_validator("expectations")
    @classmethod
    def _every_target_level(cls, value: dict[str, Expectation]) -> dict[str, Expectation]:
        missing = {"mid", "senior", "staff"} - set(value)
        if missing:
            raise ValueError(f"expectations missing for {', '.join(sorted(missing))}")
        return value

    def descriptor(self, score: int) -> str:
        return self.levels[score]


class Band(_Strict):
    label: Recommendation
    margin: float


class UnreachedCap(_Strict):
    count: int = Field(ge=1)
    cap: Recommendation


class RecommendationRule(_Strict):
    bars: dict[TargetLevel, float]
    bands: list[Band] = Field(min_length=6, max_length=6)
    core_dimensions: list[str]
    core_cap: Recommendation
    hire_max_below_expectation: int = Field(ge=0)
    incomplete_unscored_weight: float = Field(ge=0, le=1)
    unreached_phases: UnreachedCap | None = None

    @model_validator(mode="after")
    def _bands_cover_every_label_best_first(self) -> RecommendationRule:
        labels = [band.label for band in self.bands]
        if labels != list(reversed(RECOMMENDATIONS)):
            raise ValueError(f"bands must list {list(reversed(RECOMMENDATIONS))} in order")
        margins = [band.margin for band in self.bands]
        if margins != sorted(margins, reverse=True):
            raise ValueError("band margins must decrease")
        return self


class Rubric(_Strict):
    version: str
    scale: dict[int, str]
    recommendation: RecommendationRule
    dimensions: list[Dimension]

    @model_validator(mode="after")
    def _dimensions_are_complete(self) -> Rubric:
        ids = [dimension.id for dimension in self.dimensions]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate dimension id")
        phase_dims = [d.id for d in self.dimensions if d.kind == "phase"]
        if phase_dims != list(PHASE_IDS):
            raise ValueError(f"phase dimensions must be the 7 phases in order, got {phase_dims}")
        unknown = set(self.recommendation.core_dimensions) - set(ids)
        if unknown:
            raise ValueError(f"core_dimensions names unknown dimensions: {sorted(unknown)}")
        return self

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    @property
    def judged_dimensions(self) -> list[Dimension]:
        """Dimensions a judge grades; measured ones are computed in code."""
        return [d for d in self.dimensions if d.kind != "measured"]


def load_rubric(path: Path | None = None) -> Rubric:
    return _load(path or DEFAULT_RUBRIC)


@cache
def _load(path: Path) -> Rubric:
    return Rubric.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
