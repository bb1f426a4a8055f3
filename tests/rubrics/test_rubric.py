"""The rubric as data, and the deterministic rule from scores to a recommendation."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from problems.phases import PHASE_IDS
from rubrics.rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from rubrics.scorecard import DimensionScore, Scorecard, overall_score, recommend


def scores(values: dict[str, int | None], level: str = "senior") -> list[DimensionScore]:
    rubric = load_rubric()
    return [
        DimensionScore(
            id=d.id,
            title=d.title,
            weight=d.weight,
            score=values.get(d.id, 3),
            expected=d.expectations[level].score,
        )
        for d in rubric.dimensions
    ]


def test_the_rubric_has_the_ten_dimensions_with_four_levels_and_level_expectations():
    rubric = load_rubric()
    assert [d.id for d in rubric.dimensions] == [
        *PHASE_IDS,
        "communication",
        "quantification",
        "time_management",
    ]
    assert sum(d.weight for d in rubric.dimensions) == 100
    assert all(sorted(d.levels) == [1, 2, 3, 4] for d in rubric.dimensions)
    assert rubric.dimension("time_management").kind == "measured"
    assert "time_management" not in [d.id for d in rubric.judged_dimensions]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["dimensions"][0]["levels"].pop(4), "levels must be exactly 1-4"),
        (lambda r: r["dimensions"][0]["expectations"].pop("staff"), "expectations missing"),
        (lambda r: r["dimensions"].pop(2), "phase dimensions must be the 7 phases"),
        (lambda r: r["recommendation"]["bands"].reverse(), "bands must list"),
        (lambda r: r["recommendation"]["core_dimensions"].append("vibes"), "unknown dimensions"),
    ],
)
def test_a_broken_rubric_is_refused(edit, message):
    data = yaml.safe_load(DEFAULT_RUBRIC.read_text())
    edit(data)
    with pytest.raises(ValidationError, match=message):
        Rubric.model_validate(data)


def test_overall_score_is_the_weighted_mean_on_0_to_100():
    assert overall_score(scores({}))[0] == pytest.approx(66.7, abs=0.1)
    top = {d.id: 4 for d in load_rubric().dimensions}
    assert overall_score(scores(top)) == (100.0, 0.0)


def test_all_top_scores_are_a_strong_hire_and_all_bottom_a_strong_no_hire():
    rubric = load_rubric()
    top = {d.id: 4 for d in rubric.dimensions}
    bottom = {d.id: 1 for d in rubric.dimensions}
    assert recommend(rubric, scores(top), "staff").recommendation == "strong_hire"
    assert recommend(rubric, scores(bottom), "mid").recommendation == "strong_no_hire"


def test_the_bar_rises_with_the_target_level():
    rubric = load_rubric()
    solid = scores({}, "mid")  # 3 everywhere: 66.7
    assert recommend(rubric, solid, "mid").recommendation == "hire"
    assert recommend(rubric, scores({}, "senior"), "senior").recommendation == "lean_hire"
    assert recommend(rubric, scores({}, "staff"), "staff").recommendation == "lean_no_hire"


def test_a_core_dimension_at_one_caps_the_verdict():
    rubric = load_rubric()
    values = {d.id: 4 for d in rubric.dimensions} | {"deep_dive": 1}
    verdict = recommend(rubric, scores(values), "senior")
    assert verdict.score > 80 and verdict.recommendation == "lean_no_hire"
    assert any("capped" in reason and "Deep dive" in reason for reason in verdict.reasons)


def test_strong_hire_needs_every_dimension_at_the_expectation():
    rubric = load_rubric()
    values = {d.id: 4 for d in rubric.dimensions} | {"monitoring": 2}
    verdict = recommend(rubric, scores(values), "senior")
    assert verdict.score > 82 and verdict.recommendation == "hire"
    assert any("below" in reason for reason in verdict.reasons)


def test_every_judged_dimension_names_the_evidence_that_can_back_it():
    rubric = load_rubric()
    assert all(d.evidence is not None for d in rubric.judged_dimensions)
    assert rubric.dimension("monitoring").evidence.phases == ["tradeoffs", "monitoring"]
    assert rubric.dimension("quantification").evidence.requires == "number"


def test_the_overall_score_is_taken_over_the_whole_rubric():
    # An unscored dimension counts as nothing demonstrated: failing to grade never lifts a score.
    top = {d.id: 4 for d in load_rubric().dimensions}
    score, unscored = overall_score(scores(top | {"clarify": None}))
    assert (score, unscored) == (92.0, 0.08)


def test_everything_unscored_but_the_measured_time_has_no_verdict_and_no_score():
    """The fail-open case: only time management left used to read "strong hire, 100"."""
    rubric = load_rubric()
    values = {d.id: None for d in rubric.judged_dimensions} | {"time_management": 4}
    verdict = recommend(rubric, scores(values), "senior")
    assert verdict.recommendation is None and verdict.score is None
    assert verdict.incomplete.unscored == 9 and verdict.incomplete.total == 10
    assert verdict.reasons == ["incomplete: 9 of 10 dimensions could not be graded"]


@pytest.mark.parametrize(
    ("unscored", "complete"),
    [
        (["clarify"], True),  # 8% of the weight: counted as 0, the card keeps a verdict
        (["communication"], True),  # 10%: still at the line
        (["clarify", "requirements"], False),  # 16%: too much for a verdict
        (["estimation"], False),  # a core dimension: no verdict without it
    ],
)
def test_too_much_unscored_weight_or_any_core_dimension_makes_the_card_incomplete(
    unscored, complete
):
    rubric = load_rubric()
    values = {d.id: 4 for d in rubric.dimensions} | dict.fromkeys(unscored)
    verdict = recommend(rubric, scores(values), "senior")
    assert (verdict.incomplete is None) is complete
    assert (verdict.recommendation is not None) is complete
    if complete:
        assert verdict.recommendation != "strong_hire"  # an unscored dimension is below par
        assert any("could not be graded" in reason for reason in verdict.reasons)


def test_three_phases_never_reached_cap_the_verdict_at_lean_no_hire():
    rubric = load_rubric()
    top = {d.id: 4 for d in rubric.dimensions}
    two = recommend(rubric, scores(top), "senior", unreached=["Deep dive", "Monitoring"])
    three = recommend(
        rubric, scores(top), "senior", unreached=["Deep dive", "Trade-offs", "Monitoring"]
    )
    assert two.recommendation == "strong_hire"
    assert three.recommendation == "lean_no_hire"
    assert any("3 phases never reached" in reason for reason in three.reasons)
    assert not any("never reached" in reason for reason in two.reasons)


def test_a_stored_v1_card_that_was_incomplete_shows_no_verdict():
    card = Scorecard.model_validate(
        {
            "version": "scorecard.v1",
            "problem": "url-shortener",
            "level": "senior",
            "recommendation": "strong_hire",
            "score": 100,
            "complete": False,
            "dimensions": [
                d.model_dump() for d in scores({"clarify": None, "deep_dive": None}, "senior")
            ],
            "judge": "openai:x",
            "rubric_version": "rubric.v1",
            "prompt_version": "judge.v1",
            "graded_at": "2026-11-01T00:00:00Z",
        }
    )
    assert card.recommendation is None and card.score is None
    assert card.incomplete.message == "incomplete: 2 of 10 dimensions could not be graded"
