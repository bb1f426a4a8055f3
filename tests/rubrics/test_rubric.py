"""The rubric as data, and the deterministic rule from scores to a recommendation."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from problems.phases import PHASE_IDS
from rubrics.rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from rubrics.scorecard import DimensionScore, overall_score, recommend


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
    assert recommend(rubric, scores(top), "staff")[0] == "strong_hire"
    assert recommend(rubric, scores(bottom), "mid")[0] == "strong_no_hire"


def test_the_bar_rises_with_the_target_level():
    rubric = load_rubric()
    solid = scores({}, "mid")  # 3 everywhere: 66.7
    assert recommend(rubric, solid, "mid")[0] == "hire"
    assert recommend(rubric, scores({}, "senior"), "senior")[0] == "lean_hire"
    assert recommend(rubric, scores({}, "staff"), "staff")[0] == "lean_no_hire"


def test_a_core_dimension_at_one_caps_the_verdict():
    rubric = load_rubric()
    values = {d.id: 4 for d in rubric.dimensions} | {"deep_dive": 1}
    label, score, _, reasons = recommend(rubric, scores(values), "senior")
    assert score > 80 and label == "lean_no_hire"
    assert any("capped" in reason and "Deep dive" in reason for reason in reasons)


def test_strong_hire_needs_every_dimension_at_the_expectation():
    rubric = load_rubric()
    values = {d.id: 4 for d in rubric.dimensions} | {"monitoring": 2}
    label, score, _, reasons = recommend(rubric, scores(values), "senior")
    assert score > 82 and label == "hire"
    assert any("below" in reason for reason in reasons)


def test_unscored_dimensions_are_left_out_and_flag_an_incomplete_card():
    rubric = load_rubric()
    values = {"high_level_design": None, "deep_dive": None, "tradeoffs": None}
    _, score, complete, reasons = recommend(rubric, scores(values), "senior")
    assert score == pytest.approx(66.7, abs=0.1)
    assert complete is False and any("could not be scored" in r for r in reasons)
