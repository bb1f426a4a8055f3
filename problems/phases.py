"""The 7-phase plan of a system-design interview, loaded from ``phases.yaml``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["PHASE_IDS", "SESSION_LENGTHS", "Phase", "PhasePlan", "load_phase_plan"]

PHASE_IDS: tuple[str, ...] = (
    "clarify",
    "requirements",
    "estimation",
    "high_level_design",
    "deep_dive",
    "tradeoffs",
    "monitoring",
)
SESSION_LENGTHS: tuple[int, ...] = (30, 45, 60)
PHASE_PLAN_PATH = Path(__file__).with_name("phases.yaml")


class Phase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    goal: str
    interviewer_does: str
    exit_signals: list[str] = Field(min_length=1)
    opening_questions: list[str] = Field(min_length=1)
    probes: list[str] = Field(min_length=1)
    budgets: dict[int, int]

    def budget_minutes(self, session_minutes: int) -> int:
        return self.budgets[session_minutes]


class PhasePlan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    closing_question: str
    phases: list[Phase]

    @model_validator(mode="after")
    def _phases_match_the_seven_steps(self) -> PhasePlan:
        ids = tuple(phase.id for phase in self.phases)
        if ids != PHASE_IDS:
            raise ValueError(f"phase ids must be {PHASE_IDS} in order, got {ids}")
        for length in SESSION_LENGTHS:
            total = sum(phase.budgets.get(length, 0) for phase in self.phases)
            if total != length:
                raise ValueError(f"budgets for a {length}-minute session add up to {total}")
        return self

    def phase(self, phase_id: str) -> Phase:
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise KeyError(phase_id)

    def next_phase_id(self, phase_id: str) -> str | None:
        index = PHASE_IDS.index(phase_id)
        return PHASE_IDS[index + 1] if index + 1 < len(PHASE_IDS) else None


@cache
def load_phase_plan(path: Path = PHASE_PLAN_PATH) -> PhasePlan:
    return PhasePlan.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
