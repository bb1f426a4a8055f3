"""Grade a transcript: measured parts in code, judged parts by a judge, verdict by rule.

1. Grader-directed text is removed from candidate turns and listed (:mod:`rubrics.injection`).
2. Time per phase, the estimation check and key-point coverage are computed in code.
3. The judge scores the judged dimensions; a dimension it fails on is marked unscored.
4. Every evidence quote is verified against the candidate turn it names; unverifiable quotes
   are dropped and counted, and a score of 3 or 4 left without verified evidence is capped at 2.
5. The recommendation follows the rubric's rule (:func:`rubrics.scorecard.recommend`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from problems.models import Problem
from problems.phases import PhasePlan, load_phase_plan
from rubrics.coverage import cover_key_points
from rubrics.estimation import check_estimates
from rubrics.injection import strip_injections
from rubrics.judge import GradingContext, Judge, JudgedDimension, Progress
from rubrics.rubric import Dimension, Rubric, load_rubric
from rubrics.scorecard import (
    DimensionScore,
    EstimateRow,
    Evidence,
    InjectionRow,
    Scorecard,
    recommend,
)
from rubrics.text import candidate_sentences, normalise
from rubrics.timing import score_time_management, time_rows
from rubrics.transcript import Transcript

__all__ = ["MIN_QUOTE_WORDS", "UNVERIFIED_CAP", "grade", "verify_evidence"]

MIN_QUOTE_WORDS = 3
UNVERIFIED_CAP = 2


def _strip_ellipsis(quote: str) -> str:
    return quote.strip().strip("\"'\u201c\u201d").strip(". \u2026").strip()


def verify_evidence(evidence: list[Evidence], transcript: Transcript) -> tuple[list[Evidence], int]:
    """Keep the quotes found verbatim (case and whitespace aside) in the candidate turn named.

    A quote must have at least :data:`MIN_QUOTE_WORDS` words unless it is the whole turn.
    Returns the verified quotes (with the turn's real timestamp) and how many were dropped.
    """
    verified: list[Evidence] = []
    dropped = 0
    for item in evidence:
        turn = transcript.turn(item.turn_id)
        quote = normalise(_strip_ellipsis(item.quote))
        if turn is None or turn.role != "candidate" or not quote:
            dropped += 1
            continue
        text = normalise(turn.text)
        long_enough = len(quote.split()) >= MIN_QUOTE_WORDS or quote == text.strip(" .")
        if long_enough and quote in text:
            verified.append(Evidence(turn_id=turn.id, t=turn.t, quote=_strip_ellipsis(item.quote)))
        else:
            dropped += 1
    return verified, dropped


def _missed_key_points(context: GradingContext, dimension: Dimension) -> list[str]:
    if dimension.kind == "phase":
        return list(context.coverage[dimension.id].missed)
    if dimension.id == "quantification":
        return [
            f"an estimate of the {row.name} ({row.expected_low:g}-{row.expected_high:g} {row.unit})"
            for row in context.estimates
            if row.status != "right"
        ]
    return []


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
    evidence, dropped = verify_evidence(judged.evidence, context.transcript)
    flags = list(judged.flags)
    score = judged.score
    if dropped:
        flags.append(f"{dropped} quote(s) not found in the candidate's words were dropped")
    if (
        score is not None
        and score > UNVERIFIED_CAP
        and not evidence
        and dimension.kind != "measured"
    ):
        flags.append(f"capped from {score} to {UNVERIFIED_CAP}: no verified evidence")
        score = UNVERIFIED_CAP
    return DimensionScore(
        id=dimension.id,
        title=dimension.title,
        weight=dimension.weight,
        score=score,
        level=dimension.levels[score] if score is not None else None,
        expected=dimension.expectations[level].score,
        rationale=judged.rationale,
        evidence=evidence,
        missed_key_points=_missed_key_points(context, dimension),
        flags=flags,
        dropped_quotes=dropped,
        samples=judged.samples,
        spread=judged.spread,
        error=judged.error,
    )


def build_context(
    transcript: Transcript, problem: Problem, rubric: Rubric, plan: PhasePlan
) -> GradingContext:
    cleaned, findings = strip_injections(transcript)
    sentences = candidate_sentences(cleaned)
    return GradingContext(
        problem=problem,
        rubric=rubric,
        transcript=cleaned,
        sentences=sentences,
        coverage=cover_key_points(problem, sentences),
        estimates=check_estimates(problem, cleaned),
        time_rows=time_rows(cleaned, plan),
        injections=findings,
    )


async def grade(
    transcript: Transcript,
    problem: Problem,
    judge: Judge,
    *,
    rubric: Rubric | None = None,
    plan: PhasePlan | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Scorecard:
    if transcript.problem != problem.id:
        raise ValueError(f"the transcript is for {transcript.problem!r}, not {problem.id!r}")
    rubric = rubric or load_rubric()
    plan = plan or load_phase_plan()
    report = progress or (lambda dimension, status: None)
    context = build_context(transcript, problem, rubric, plan)
    level = transcript.level

    judged, cost = await judge.judge(context, rubric.judged_dimensions, report)
    time_score, time_rationale, _ = score_time_management(context.time_rows)
    judged["time_management"] = JudgedDimension(time_score, rationale=time_rationale)
    report("time_management", "done")

    scores = []
    for dimension in rubric.dimensions:
        result = judged.get(dimension.id) or JudgedDimension(None, error="not graded")
        scores.append(_finalise(dimension, result, context, level))

    label, overall, complete, reasons = recommend(rubric, scores, level)
    scored = [s for s in scores if s.score is not None]
    by_strength = sorted(scored, key=lambda s: (-(s.score - s.expected), -s.weight, s.id))
    return Scorecard(
        problem=problem.id,
        session_id=transcript.session_id,
        level=level,
        recommendation=label,
        score=overall,
        complete=complete,
        recommendation_reasons=reasons,
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
