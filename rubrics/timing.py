"""Time management, measured: time spent per phase against the phase plan's budget."""

from __future__ import annotations

from problems.phases import PhasePlan
from rubrics.scorecard import TimeRow
from rubrics.transcript import Transcript

__all__ = ["score_time_management", "time_rows"]

TOLERANCE = 0.3  # a phase within 30% of its budget is on time
MISSED_SECONDS = 15.0  # less than this in a phase counts as never reaching it


def time_rows(transcript: Transcript, plan: PhasePlan) -> list[TimeRow]:
    used = transcript.phase_seconds()
    return [
        TimeRow(
            phase=phase.id,
            title=phase.title,
            budget_s=phase.budget_minutes(transcript.minutes) * 60.0,
            used_s=round(used.get(phase.id, 0.0), 1),
        )
        for phase in plan.phases
    ]


def score_time_management(rows: list[TimeRow]) -> tuple[int, str, list[str]]:
    """Score 1-4, a rationale, and the phases never reached.

    A phase is on time within :data:`TOLERANCE` of its budget. 4: every phase on time.
    3: one phase off. 2: two or three off, or one never reached. 1: four or more off, two or
    more never reached, or a mean deviation over 60% (weighted by budget).
    """
    total_budget = sum(row.budget_s for row in rows) or 1.0
    deviation = {
        row.phase: abs(row.used_s - row.budget_s) / row.budget_s if row.budget_s else 0.0
        for row in rows
    }
    mean = sum(min(1.0, deviation[row.phase]) * row.budget_s for row in rows) / total_budget
    missed = [row.title for row in rows if row.used_s < MISSED_SECONDS and row.budget_s > 0]
    off = [row for row in rows if deviation[row.phase] > TOLERANCE]
    if len(off) >= 4 or len(missed) >= 2 or mean > 0.6:
        score = 1
    elif len(off) >= 2 or missed:
        score = 2
    elif off:
        score = 3
    else:
        score = 4
    parts = [f"{len(rows) - len(off)} of {len(rows)} phases within 30% of budget"]
    for row in sorted(off, key=lambda row: deviation[row.phase], reverse=True)[:3]:
        if row.title not in missed:
            parts.append(
                f"{row.title}: {row.used_s / 60:.1f} min against {row.budget_s / 60:.0f} min"
            )
    if missed:
        parts.append("never reached: " + ", ".join(missed))
    return score, "; ".join(parts) + ".", missed
