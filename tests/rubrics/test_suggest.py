"""What to practise next: the weakest dimensions and a problem that drills the weakest one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from problems.loader import load_bank
from rubrics.rubric import load_rubric
from rubrics.suggest import GradedSession, drill_score, suggest_next, weakest_dimensions

RUBRIC = load_rubric()
BANK = list(load_bank())
DAY0 = datetime(2026, 1, 1, 9, tzinfo=UTC)


def graded(problem_id: str, day: int, default: int = 3, **scores: int | None) -> GradedSession:
    """A graded session scoring ``default`` on every dimension except the ones named."""
    every = {dimension.id: default for dimension in RUBRIC.dimensions}
    return GradedSession(problem_id, DAY0 + timedelta(days=day), {**every, **scores})


def test_with_nothing_graded_a_medium_classic_problem_is_suggested_with_that_reason():
    suggestion = suggest_next([], BANK, RUBRIC)
    problem = next(p for p in BANK if p.id == suggestion.problem_id)
    assert (problem.category, problem.difficulty) == ("classic", "medium")
    assert suggestion.dimension is None
    assert suggestion.reason.startswith("Nothing graded yet")


def test_with_nothing_graded_a_problem_already_started_is_not_suggested_first():
    first = suggest_next([], BANK, RUBRIC).problem_id
    again = suggest_next([], BANK, RUBRIC, attempted={first: DAY0})
    assert again.problem_id != first


def test_the_weakest_dimension_is_the_lowest_mean_over_the_recent_sessions():
    history = [
        graded("url-shortener", 0, monitoring=1),  # old: outside the last five
        *(graded("rate-limiter", day, estimation=2 if day % 2 else 1) for day in range(1, 6)),
    ]
    weakest = weakest_dimensions(history, RUBRIC)
    assert [w.id for w in weakest][:1] == ["estimation"]
    assert weakest[0].mean == pytest.approx(1.6) and weakest[0].sessions == 5
    assert "monitoring" not in [w.id for w in weakest]


def test_ties_go_to_the_dimension_with_more_weight():
    weakest = weakest_dimensions([graded("rate-limiter", 0, default=2)], RUBRIC, limit=3)
    # High-level design and deep dive weigh 14, trade-offs 12: rubric order breaks the last tie.
    assert [w.id for w in weakest] == ["high_level_design", "deep_dive", "tradeoffs"]


def test_unscored_dimensions_are_left_out_of_the_means():
    weakest = weakest_dimensions([graded("rate-limiter", 0, clarify=None, monitoring=2)], RUBRIC)
    assert weakest[0].id == "monitoring"
    assert "clarify" not in [w.id for w in weakest]


def test_weak_estimation_suggests_the_problem_with_the_most_estimates_to_practise():
    history = [graded("url-shortener", 0, estimation=1), graded("rate-limiter", 1, estimation=2)]
    suggestion = suggest_next(history, BANK, RUBRIC)
    best = max(drill_score(p, "estimation") for p in BANK)
    chosen = next(p for p in BANK if p.id == suggestion.problem_id)
    assert suggestion.dimension == "estimation"
    assert drill_score(chosen, "estimation") == best
    assert suggestion.reason.startswith(
        "Your weakest area is Back-of-envelope estimation (mean 1.5/4"
    )
    assert f"{len(chosen.reference_estimates)} reference estimates" in suggestion.reason
    assert "you have not tried it yet" in suggestion.reason


def test_a_phase_dimension_is_drilled_by_the_problem_with_the_most_key_points_in_it():
    suggestion = suggest_next([graded("url-shortener", 0, requirements=1)], BANK, RUBRIC)
    # Only the AI Act evidence store has three requirements key points.
    assert suggestion.problem_id == "ai-act-evidence"
    assert "3 key points for requirements" in suggestion.reason


def test_weak_communication_is_drilled_by_a_hard_problem_with_many_estimates():
    suggestion = suggest_next([graded("url-shortener", 0, communication=1)], BANK, RUBRIC)
    chosen = next(p for p in BANK if p.id == suggestion.problem_id)
    assert chosen.difficulty == "expert" and len(chosen.reference_estimates) == 5
    assert "is an expert problem with 5 reference estimates" in suggestion.reason


def test_problems_not_attempted_come_first_then_the_one_attempted_longest_ago():
    two = [p for p in BANK if p.id in {"rate-limiter", "typeahead"}]
    history = [graded("typeahead", 0, deep_dive=1), graded("rate-limiter", 5, deep_dive=1)]
    assert suggest_next(history, two, RUBRIC).problem_id == "typeahead"
    assert "you last tried it on 2026-01-01" in suggest_next(history, two, RUBRIC).reason
    only_typeahead = [graded("typeahead", 0, deep_dive=1)]
    assert suggest_next(only_typeahead, two, RUBRIC).problem_id == "rate-limiter"


def test_the_suggestion_is_deterministic():
    history = [graded("chat-system", day, deep_dive=1 + day % 2) for day in range(4)]
    first = suggest_next(history, BANK, RUBRIC)
    assert all(suggest_next(list(reversed(history)), BANK, RUBRIC) == first for _ in range(3))
