"""The 7-phase plan: ids in order and budgets that add up for each session length."""

from __future__ import annotations

import pytest
import yaml

from problems.phases import PHASE_IDS, PHASE_PLAN_PATH, PhasePlan, load_phase_plan


def test_plan_has_the_seven_phases_in_order():
    plan = load_phase_plan()
    assert tuple(phase.id for phase in plan.phases) == PHASE_IDS


def test_45_minute_budgets_follow_the_suggested_split():
    plan = load_phase_plan()
    assert [phase.budget_minutes(45) for phase in plan.phases] == [4, 4, 5, 10, 12, 6, 4]


@pytest.mark.parametrize("length", [30, 45, 60])
def test_budgets_add_up_to_the_session_length(length):
    assert sum(phase.budget_minutes(length) for phase in load_phase_plan().phases) == length


def test_a_plan_with_budgets_that_do_not_add_up_is_rejected():
    data = yaml.safe_load(PHASE_PLAN_PATH.read_text(encoding="utf-8"))
    data["phases"][0]["budgets"][45] = 9
    with pytest.raises(ValueError, match="add up to 50"):
        PhasePlan.model_validate(data)


def test_a_plan_with_phases_out_of_order_is_rejected():
    data = yaml.safe_load(PHASE_PLAN_PATH.read_text(encoding="utf-8"))
    data["phases"][0], data["phases"][1] = data["phases"][1], data["phases"][0]
    with pytest.raises(ValueError, match="in order"):
        PhasePlan.model_validate(data)
