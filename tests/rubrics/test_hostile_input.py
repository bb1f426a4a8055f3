"""Hostile or degenerate transcripts still get a scorecard, never an exception."""

from __future__ import annotations

import asyncio

import pytest

from bench.grade_worst_case import CASES, transcript
from problems.loader import load_bank
from rubrics.grading import grade
from rubrics.heuristic import HeuristicJudge
from rubrics.transcript import Transcript

BANK = load_bank()


def graded(source: Transcript):
    return asyncio.run(grade(source, BANK.get(source.problem), HeuristicJudge(), bank=BANK))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_turn_of_20000_hostile_characters_is_graded(name):
    card = graded(transcript(CASES[name]))
    assert len(card.dimensions) == 10 and card.recommendation is not None


@pytest.mark.parametrize(
    "events",
    [
        [{"t": 1, "role": "interviewer", "phase": "clarify", "text": "Hello?"}],
        [{"t": 1, "role": "candidate", "phase": "monitoring", "text": "42"}],
        [
            {
                "t": 1,
                "role": "candidate",
                "phase": "clarify",
                "text": "\u00e9\u00e8 \u4e2d\u6587 \U0001f600",
            }
        ],
        [{"t": 1, "role": "candidate", "phase": "deep_dive", "text": ""}],
    ],
)
def test_degenerate_transcripts_are_graded_low(events):
    source = Transcript.from_exchange(
        {"problem": "semantic-cache", "duration_s": 2700, "events": events}
    )
    card = graded(source)
    assert card.recommendation in {"strong_no_hire", "no_hire"}
