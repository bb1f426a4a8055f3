"""Evidence quotes: real (in the candidate turn named) and relevant (to the dimension)."""

from __future__ import annotations

import re

from problems.loader import load_bank
from rubrics.echo import EchoCheck
from rubrics.evidence import check_evidence
from rubrics.rubric import load_rubric
from rubrics.scorecard import Evidence
from tests.rubrics.labelled_set import load_transcript

SOURCE = load_transcript("url-shortener__strong.json")
ECHO = EchoCheck(SOURCE, load_bank().get("url-shortener"))
RUBRIC = load_rubric()


def quote_from(phase: str, words: int = 8) -> Evidence:
    turn = next(t for t in SOURCE.candidate_turns if t.phase == phase)
    return Evidence(turn_id=turn.id, t=0.0, quote=" ".join(turn.text.split()[:words]))


def checked(dimension: str, *quotes: Evidence):
    return check_evidence(list(quotes), SOURCE, RUBRIC.dimension(dimension).evidence, ECHO)


def test_a_quote_from_the_phase_the_dimension_grades_is_kept_with_its_real_time():
    result = checked("monitoring", quote_from("monitoring"))
    assert len(result.kept) == 1 and result.kept[0].t > 0
    assert (result.fabricated, result.irrelevant) == (0, 0)


def test_a_real_quote_from_another_phase_is_irrelevant_not_fabricated():
    result = checked("monitoring", quote_from("requirements"))
    assert result.kept == [] and (result.fabricated, result.irrelevant) == (0, 1)


def test_a_quote_that_is_not_in_the_turn_is_fabricated():
    turn = quote_from("monitoring")
    fake = turn.model_copy(update={"quote": "we monitor everything with AI"})
    assert checked("monitoring", fake).fabricated == 1


def test_quantification_needs_a_number_and_communication_the_candidates_own_words():
    estimation = next(
        t
        for t in SOURCE.candidate_turns
        if t.phase == "estimation" and any(c.isdigit() for c in t.text)
    )
    words = estimation.text.split()
    numbered = next(
        Evidence(turn_id=estimation.id, t=0.0, quote=" ".join(words[i : i + 6]))
        for i in range(len(words))
        if any(c.isdigit() for c in " ".join(words[i : i + 6]))
    )
    assert len(checked("quantification", numbered).kept) == 1
    plain = next(
        Evidence(turn_id=estimation.id, t=0.0, quote=" ".join(words[i : i + 4]))
        for i in range(len(words))
        if not re.search(r"\d|million|billion|thousand|hundred", " ".join(words[i : i + 4]))
    )
    assert checked("quantification", plain).irrelevant == 1
    command = Evidence(turn_id=estimation.id, t=0.0, quote=words[0])
    assert checked("communication", command).kept == []
