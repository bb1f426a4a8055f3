"""Grade a transcript: measured parts in code, judged parts by a judge, verdict by rule.

1. Grader-directed text is removed from candidate turns and listed (:mod:`rubrics.injection`).
2. Time per phase, the estimation check and key-point coverage are computed in code.
3. The judge scores the judged dimensions; a dimension it fails on is marked unscored.
4. Every evidence quote is verified against the candidate turn it names and checked for being
   evidence of its dimension (:mod:`rubrics.evidence`); failing quotes are dropped and counted,
   and a score of 3 or 4 left without such a quote is capped at 2.
5. The recommendation follows the rubric's rule (:func:`rubrics.scorecard.recommend`); a card
   with too much left unscored has none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache

from problems.loader import load_bank
from problems.models import Problem
from problems.phases import PhasePlan, load_phase_plan
from rubrics.coverage import cover_key_points, is_keyword_salad
from rubrics.echo import EchoCheck
from rubrics.estimation import check_estimates
from rubrics.evidence import check_evidence
from rubrics.export import figure
from rubrics.injection import strip_injections
from rubrics.judge import GradingContext, Judge, JudgedDimension, Progress
from rubrics.rubric import Dimension, Rubric, load_rubric
from rubrics.scorecard import (
    DimensionScore,
    EstimateRow,
    InjectionRow,
    Scorecard,
    recommend,
)
from rubrics.session_inputs import session_estimates
from rubrics.text import candidate_sentences
from rubrics.timing import score_time_management, time_rows
from rubrics.topicality import check_topicality
from rubrics.transcript import Transcript

__all__ = ["UNVERIFIED_CAP", "build_context", "grade"]

UNVERIFIED_CAP = 2
_default_bank = cache(load_bank)


def _missed_key_points(context: GradingContext, dimension: Dimension) -> list[str]:
    if dimension.kind == "phase":
        return list(context.coverage[dimension.id].missed)
    if dimension.id == "quantification":
        return [
            f"a worked estimate of the {row.name} ({_range(row.expected_low, row.expected_high)} "
            f"{row.unit})"
            for row in context.estimates
            if row.status not in {"right", "given"}
        ]
    return []


def _range(low: float, high: float) -> str:
    return figure(low) if low == high else f"{figure(low)}-{figure(high)}"


def _improvement(score: DimensionScore, dimension: Dimension) -> str:
    if score.missed_key_points:
        return f"{dimension.title}: a strong answer would also have: {score.missed_key_points[0]}"
    target = min(4, (score.score or 1) + 1)
    return f"{dimension.title}: to reach '{dimension.levels[target]}'"


def _improvements(scores: list[DimensionScore], rubric: Rubric) -> list[str]:
    """The three changes worth most: the biggest weighted gaps to the top of the scale."""
    ranked = sorted(
        (s for s in scores if s.score is not None and s.score < 4),
        key=lambda s: (-(s.weight * (4 - s.score) + 3 * s.weight * (s.score < s.expected)), s.id),
    )
    return [_improvement(s, rubric.dimension(s.id)) for s in ranked[:3]]


def _finalise(
    dimension: Dimension, judged: JudgedDimension, context: GradingContext, level: str
) -> DimensionScore:
    checked = check_evidence(judged.evidence, context.transcript, dimension.evidence, context.echo)
    flags = list(judged.flags)
    score = judged.score
    if checked.fabricated:
        flags.append(
            f"{checked.fabricated} quote(s) not found in the candidate's words were dropped"
        )
    if checked.irrelevant:
        flags.append(
            f"{checked.irrelevant} quote(s) that are not evidence for {dimension.title} "
            "were dropped"
        )
    if (
        score is not None
        and score > UNVERIFIED_CAP
        and not checked.kept
        and dimension.kind != "measured"
    ):
        flags.append(f"capped from {score} to {UNVERIFIED_CAP}: no verified, relevant evidence")
        score = UNVERIFIED_CAP
    return DimensionScore(
        id=dimension.id,
        title=dimension.title,
        weight=dimension.weight,
        score=score,
        level=dimension.levels[score] if score is not None else None,
        expected=dimension.expectations[level].score,
        rationale=judged.rationale,
        evidence=checked.kept,
        missed_key_points=_missed_key_points(context, dimension),
        flags=flags,
        dropped_quotes=checked.fabricated,
        irrelevant_quotes=checked.irrelevant,
        samples=judged.samples,
        spread=judged.spread,
        error=judged.error,
    )


def build_context(
    transcript: Transcript,
    problem: Problem,
    rubric: Rubric,
    plan: PhasePlan,
    problems: Iterable[Problem] = (),
) -> GradingContext:
    """Everything measured in code, from the transcript cleaned of grader-directed text.

    ``problems`` is the bank the answer is compared against for a pasted design.
    """
    cleaned, findings = strip_injections(transcript)
    sentences = candidate_sentences(cleaned)
    echo = EchoCheck(cleaned, problem)
    references = session_estimates(problem, cleaned)
    own = [
        s
        for s in sentences
        if not echo.is_echo(s.text, s.turn_id) and not is_keyword_salad(s, problem)
    ]
    where = {d.id: d.evidence.phases for d in rubric.dimensions if d.evidence and d.evidence.phases}
    return GradingContext(
        problem=problem,
        rubric=rubric,
        transcript=cleaned,
        sentences=sentences,
        own_sentences=own,
        coverage=cover_key_points(problem, own, where),
        references=references,
        estimates=check_estimates(problem, cleaned, references),
        time_rows=time_rows(cleaned, plan),
        injections=findings,
        echo=echo,
        topicality=check_topicality(problem, own, problems or [problem]),
    )


async def grade(
    transcript: Transcript,
    problem: Problem,
    judge: Judge,
    *,
    rubric: Rubric | None = None,
    plan: PhasePlan | None = None,
    bank: Iterable[Problem] | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Scorecard:
    if transcript.problem != problem.id:
        raise ValueError(f"the transcript is for {transcript.problem!r}, not {problem.id!r}")
    rubric = rubric or load_rubric()
    plan = plan or load_phase_plan()
    report = progress or (lambda dimension, status: None)
    # Reading a long transcript is CPU work: keep it off the event loop that serves requests.
    context = await asyncio.to_thread(
        build_context, transcript, problem, rubric, plan, bank or _default_bank()
    )
    level = transcript.level

    judged, cost = await judge.judge(context, rubric.judged_dimensions, report)
    time_score, time_rationale, unreached = score_time_management(context.time_rows)
    judged["time_management"] = JudgedDimension(time_score, rationale=time_rationale)
    report("time_management", "done")

    scores = []
    for dimension in rubric.dimensions:
        result = judged.get(dimension.id) or JudgedDimension(None, error="not graded")
        scores.append(_finalise(dimension, result, context, level))

    verdict = recommend(rubric, scores, level, unreached=unreached)
    scored = [s for s in scores if s.score is not None]
    by_strength = sorted(scored, key=lambda s: (-(s.score - s.expected), -s.weight, s.id))
    return Scorecard(
        problem=problem.id,
        session_id=transcript.session_id,
        level=level,
        recommendation=verdict.recommendation,
        score=verdict.score,
        complete=verdict.incomplete is None,
        incomplete=verdict.incomplete,
        recommendation_reasons=verdict.reasons,
        dimensions=scores,
        strongest=[s.id for s in by_strength[:2]],
        weakest=[s.id for s in reversed(by_strength[-2:]) if s.score < 4],
        improvements=_improvements(scores, rubric),
        estimates=[EstimateRow(**row.as_dict()) for row in context.estimates],
        time=context.time_rows,
        injections=[InjectionRow(**finding.as_dict()) for finding in context.injections],
        judge=judge.name,
        rubric_version=rubric.version,
        prompt_version=judge.prompt_version,
        cost=cost,
        graded_at=now(),
    )
