"""The problem bank: 30 practice problems and the 7-phase plan, as validated data."""

from problems.loader import ProblemBank, ProblemFileError, UnknownProblemError, load_bank
from problems.models import CandidateView, Problem
from problems.phases import PHASE_IDS, PhasePlan, load_phase_plan

__all__ = [
    "PHASE_IDS",
    "CandidateView",
    "PhasePlan",
    "Problem",
    "ProblemBank",
    "ProblemFileError",
    "UnknownProblemError",
    "load_bank",
    "load_phase_plan",
]
