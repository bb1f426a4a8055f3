"""What to practise next: the weakest rubric dimensions and a problem that drills the weakest.

1. A dimension's strength is its mean score (1-4) over the last few graded sessions; the lowest
   mean is the weakest, ties going to the dimension with more weight in the rubric.
2. Each problem gets a drill score for that dimension: for a phase dimension the number of key
   points in that phase (plus the reference estimates, for estimation); for communication,
   quantification and time management its difficulty, then its reference estimates.
3. Problems not attempted yet come first, then the best drill, then the one attempted longest
   ago, then the easier one, then the bank's order (classic warm-ups first).

With nothing graded yet, the suggestion is a medium classic problem to get a first scorecard.
Everything here is deterministic: the same history always gives the same suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from problems.models import Problem
from rubrics.rubric import Rubric

__all__ = [
    "RECENT_SESSIONS",
    "GradedSession",
    "Suggestion",
    "WeakDimension",
    "drill_score",
    "suggest_next",
    "weakest_dimensions",
]

RECENT_SESSIONS = 5
DIFFICULTY_RANK = {"medium": 1, "hard": 2, "expert": 3}


@dataclass(frozen=True)
class GradedSession:
    problem_id: str
    at: datetime
    scores: Mapping[str, int | None]  # dimension id -> 1-4, or None when unscored


@dataclass(frozen=True)
class WeakDimension:
    id: str
    title: str
    mean: float
    sessions: int  # how many recent sessions scored it


@dataclass(frozen=True)
class Suggestion:
    problem_id: str
    title: str
    dimension: str | None  # the dimension it drills; None when nothing is graded yet
    reason: str


def weakest_dimensions(
    graded: Iterable[GradedSession],
    rubric: Rubric,
    *,
    recent: int = RECENT_SESSIONS,
    limit: int = 3,
) -> list[WeakDimension]:
    """The lowest-scoring dimensions over the ``recent`` newest sessions, weakest first."""
    window = sorted(graded, key=lambda session: session.at)[-recent:]
    ranked = []
    for order, dimension in enumerate(rubric.dimensions):
        scores = [s.scores.get(dimension.id) for s in window]
        scores = [score for score in scores if score is not None]
        if scores:
            mean = sum(scores) / len(scores)
            weak = WeakDimension(dimension.id, dimension.title, round(mean, 2), len(scores))
            ranked.append(((mean, -dimension.weight, order), weak))
    ranked.sort(key=lambda pair: pair[0])
    return [weak for _, weak in ranked[:limit]]


def drill_score(problem: Problem, dimension_id: str) -> tuple[int, ...]:
    """How much a problem exercises one dimension; bigger is more."""
    estimates = len(problem.reference_estimates)
    if dimension_id in problem.key_points:
        points = len(problem.key_points[dimension_id])
        return (points + estimates,) if dimension_id == "estimation" else (points,)
    return (DIFFICULTY_RANK[problem.difficulty], estimates)


def _last_attempts(graded: Iterable[GradedSession]) -> dict[str, datetime]:
    last: dict[str, datetime] = {}
    for session in graded:
        if session.problem_id not in last or session.at > last[session.problem_id]:
            last[session.problem_id] = session.at
    return last


def suggest_next(
    graded: Iterable[GradedSession],
    problems: Iterable[Problem],
    rubric: Rubric,
    *,
    attempted: Mapping[str, datetime] | None = None,
) -> Suggestion | None:
    """The problem to practise next and why; None only for an empty problem bank.

    ``attempted`` maps problem ids to their latest attempt, graded or not; by default the
    graded sessions are the attempts.
    """
    graded = list(graded)
    problems = list(problems)
    if not problems:
        return None
    order = {problem.id: index for index, problem in enumerate(problems)}
    attempts = dict(attempted) if attempted is not None else _last_attempts(graded)
    weakest = weakest_dimensions(graded, rubric, limit=1)
    if not weakest:
        pool = [p for p in problems if p.category == "classic" and p.difficulty == "medium"]
        pool = pool or problems
        problem = min(pool, key=lambda p: (p.id in attempts, attempts.get(p.id), order[p.id]))
        return Suggestion(
            problem.id,
            problem.title,
            None,
            f"Nothing graded yet: start with {problem.title}, a medium classic problem, "
            "and grade it to see where you stand.",
        )
    weak = weakest[0]

    def rank(problem: Problem):
        drill = tuple(-value for value in drill_score(problem, weak.id))
        last = attempts.get(problem.id)
        easier = DIFFICULTY_RANK[problem.difficulty]
        return (problem.id in attempts, drill, last, easier, order[problem.id])

    problem = min(problems, key=rank)
    return Suggestion(problem.id, problem.title, weak.id, _reason(weak, problem, attempts))


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _reason(weak: WeakDimension, problem: Problem, attempts: Mapping[str, datetime]) -> str:
    estimates = len(problem.reference_estimates)
    if weak.id in problem.key_points:
        points = len(problem.key_points[weak.id])
        drill = f"{problem.title} has {points} key points for {weak.title.lower()}"
        if weak.id == "estimation":
            drill += f" and {estimates} reference estimates to check your numbers against"
    else:
        drill = (
            f"{problem.title} is {_article(problem.difficulty)} {problem.difficulty} problem "
            f"with {estimates} reference estimates"
        )
    last = attempts.get(problem.id)
    tried = f"you last tried it on {last:%Y-%m-%d}" if last else "you have not tried it yet"
    sessions = "session" if weak.sessions == 1 else "sessions"
    return (
        f"Your weakest area is {weak.title} (mean {weak.mean:.1f}/4 over your last "
        f"{weak.sessions} graded {sessions}); {drill}, and {tried}."
    )
