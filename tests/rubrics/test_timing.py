"""Time management is measured against the phase plan, not judged."""

from __future__ import annotations

from problems.phases import load_phase_plan
from rubrics.scorecard import TimeRow
from rubrics.timing import score_time_management


def rows(used_minutes: dict[str, float]) -> list[TimeRow]:
    plan = load_phase_plan()
    return [
        TimeRow(
            phase=p.id,
            title=p.title,
            budget_s=p.budget_minutes(45) * 60.0,
            used_s=used_minutes.get(p.id, p.budget_minutes(45)) * 60.0,
        )
        for p in plan.phases
    ]


def test_on_budget_is_a_four():
    assert score_time_management(rows({}))[0] == 4


def test_one_overrun_costs_a_level_and_is_named():
    score, rationale, missed = score_time_management(rows({"high_level_design": 17}))
    assert score == 3 and "High-level design: 17.0 min against 10 min" in rationale
    assert missed == []


def test_a_phase_never_reached_caps_at_two():
    score, rationale, missed = score_time_management(
        rows({"high_level_design": 14, "monitoring": 0})
    )
    assert score == 2 and missed == ["Monitoring and evaluation"]
    assert "never reached" in rationale


def test_chaos_is_a_one():
    used = {"clarify": 0, "requirements": 0, "estimation": 0, "high_level_design": 35}
    assert score_time_management(rows(used))[0] == 1
