"""The offline judge against the labelled transcripts: ranking, gaming probes, determinism."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from problems.loader import load_bank
from rubrics.grading import grade
from rubrics.heuristic import HeuristicJudge
from rubrics.scorecard import Scorecard
from rubrics.transcript import Transcript, Turn
from tests.rubrics.labelled_set import RANK, load_transcript, manifest


def grade_offline(transcript: Transcript) -> Scorecard:
    problem = load_bank().get(transcript.problem)
    return asyncio.run(grade(transcript, problem, HeuristicJudge()))


_cards: dict[str, Scorecard] = {}


def card(name: str) -> Scorecard:
    if name not in _cards:
        _cards[name] = grade_offline(load_transcript(name))
    return _cards[name]


def test_the_labelled_set_is_big_enough():
    rows = manifest()
    standard = [row for row in rows if row.kind == "standard"]
    assert len(rows) >= 12 and len({row.problem for row in standard}) >= 4
    for problem in {row.problem for row in standard}:
        labels = {row.label for row in standard if row.problem == problem}
        assert labels == {"strong", "medium", "weak"}, problem
    assert {row.kind for row in rows} >= {"terse_strong", "verbose_weak", "injected"}


STANDARD_PAIRS = [
    (better.file, worse.file)
    for better, worse in itertools.permutations(
        [row for row in manifest() if row.kind == "standard"], 2
    )
    if better.problem == worse.problem and RANK[better.label] > RANK[worse.label]
]


@pytest.mark.parametrize(("better", "worse"), STANDARD_PAIRS)
def test_within_a_problem_strong_beats_medium_beats_weak(better, worse):
    assert card(better).score > card(worse).score


@pytest.mark.parametrize("row", [row for row in manifest() if row.kind == "standard"])
def test_labels_map_to_sensible_recommendations(row):
    verdict = card(row.file).recommendation
    expected = {
        "strong": {"hire", "strong_hire"},
        "medium": {"no_hire", "lean_no_hire", "lean_hire"},
        "weak": {"strong_no_hire", "no_hire"},
    }[row.label]
    assert verdict in expected


def test_the_terse_strong_answer_beats_the_long_buzzword_answer():
    terse = next(row for row in manifest() if row.kind == "terse_strong")
    verbose = next(row for row in manifest() if row.kind == "verbose_weak")
    assert card(terse.file).score > card(verbose.file).score
    assert card(terse.file).recommendation in {"hire", "strong_hire"}
    assert card(verbose.file).recommendation in {"strong_no_hire", "no_hire", "lean_no_hire"}


@pytest.mark.parametrize("row", [row for row in manifest() if row.kind == "injected"])
def test_an_injected_transcript_scores_no_higher_than_its_clean_twin(row):
    injected, clean = card(row.file), card(row.twin)
    assert injected.score <= clean.score
    assert all(
        a.score <= b.score for a, b in zip(injected.dimensions, clean.dimensions, strict=True)
    )
    assert len(injected.injections) >= 2 and clean.injections == []
    # No evidence quote comes from the removed text.
    removed = [row.excerpt[:30] for row in injected.injections]
    for dimension in injected.dimensions:
        for quote in dimension.evidence:
            assert not any(piece in quote.quote for piece in removed)


def test_grading_is_deterministic():
    transcript = load_transcript("rate-limiter__medium.json")
    first, second = grade_offline(transcript), grade_offline(transcript)
    strip = {"graded_at"}
    assert first.model_dump(exclude=strip) == second.model_dump(exclude=strip)


def _with_candidate_text(transcript: Transcript, change) -> Transcript:
    turns = [
        turn.model_copy(update={"text": change(turn.text)}) if turn.role == "candidate" else turn
        for turn in transcript.turns
    ]
    return transcript.model_copy(update={"turns": turns})


@pytest.mark.parametrize("name", ["url-shortener__medium.json", "rate-limiter__weak.json"])
def test_saying_everything_twice_does_not_score_higher(name):
    transcript = load_transcript(name)
    doubled = _with_candidate_text(transcript, lambda text: f"{text}\n{text}")
    assert grade_offline(doubled).score <= card(name).score


def test_a_keyword_dump_does_not_buy_coverage():
    transcript = load_transcript("url-shortener__weak.json")
    problem = load_bank().get("url-shortener")
    keywords = sorted(
        {kw for points in problem.key_points.values() for point in points for kw in point.keywords}
    )
    last = transcript.candidate_turns[-1]
    dump = Turn(
        id=last.id + 1000,
        t=last.t + 1,
        role="candidate",
        phase=last.phase,
        text="To sum up I covered " + ", ".join(keywords) + ".",
    )
    stuffed = transcript.model_copy(update={"turns": [*transcript.turns, dump]})
    before, after = card("url-shortener__weak.json"), grade_offline(stuffed)
    assert after.score - before.score <= 5
    assert after.score < card("url-shortener__medium.json").score


def test_the_scorecard_carries_everything_a_candidate_acts_on():
    strong = card("url-shortener__medium.json")
    assert strong.judge == "offline-heuristic" and strong.rubric_version == "rubric.v1"
    assert len(strong.improvements) == 3
    assert len(strong.time) == 7 and strong.estimates
    assert {row.status for row in strong.estimates} <= {"right", "off", "missing"}
    for dimension in strong.dimensions:
        assert dimension.score is not None and dimension.level
        for quote in dimension.evidence:
            turn = load_transcript("url-shortener__medium.json").turn(quote.turn_id)
            assert turn.role == "candidate" and quote.quote in turn.text
    assert any(d.missed_key_points for d in strong.dimensions)
