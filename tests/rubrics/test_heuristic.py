"""The offline judge against the labelled transcripts: agreement, the ways people fail (and
cheat), determinism."""

from __future__ import annotations

import asyncio

import pytest

from bench.judge_agreement import agreement, band_index
from problems.loader import load_bank
from rubrics.grading import grade
from rubrics.heuristic import HeuristicJudge
from rubrics.scorecard import Scorecard
from rubrics.transcript import Transcript, Turn
from tests.rubrics.labelled_set import load_transcript, manifest

BANK = load_bank()
FAILURE_KINDS = {
    "numbers_only",
    "no_mechanism",
    "wrong_units",
    "out_of_time",
    "wild_estimates",
    "pasted_design",
    "echo",
    "questions_only",
    "terse_strong",
    "injected",
    "honest_bypass",
}


def grade_offline(transcript: Transcript) -> Scorecard:
    problem = BANK.get(transcript.problem)
    return asyncio.run(grade(transcript, problem, HeuristicJudge(), bank=BANK))


_cards: dict[str, Scorecard] = {}


def card(name: str) -> Scorecard:
    if name not in _cards:
        _cards[name] = grade_offline(load_transcript(name))
    return _cards[name]


def of_kind(kind: str) -> list[str]:
    return [row.file for row in manifest() if row.kind == kind]


def test_the_labelled_set_covers_the_ways_people_fail():
    rows = manifest()
    assert len(rows) >= 40 and len({row.problem for row in rows}) >= 10
    assert {row.kind for row in rows} >= FAILURE_KINDS
    for problem in {row.problem for row in rows}:
        tiers = {row.label for row in rows if row.problem == problem}
        assert tiers == {"strong", "medium", "weak"}, problem
    tier_bands = {"strong": {4, 5}, "medium": {2, 3}, "weak": {0, 1}}
    assert all(band_index(row.band) in tier_bands[row.label] for row in rows)


def test_agreement_with_the_labels_holds_on_the_tuned_set():
    """The figures of ``bench/judge_agreement.py --set labelled``; in-sample, so kept high."""
    rows = list(manifest())
    result = agreement(rows, {row.file: card(row.file) for row in rows})
    right, total = result.tier_pairs
    assert right / total >= 0.97, result.misses
    right, total = result.band_pairs
    assert right / total >= 0.93
    right, total = result.within_one
    assert right / total >= 0.95, result.misses
    assert result.tau >= 0.75


@pytest.mark.parametrize("name", of_kind("numbers_only"))
def test_reciting_numbers_without_a_design_is_not_a_hire(name):
    result = card(name)
    assert result.recommendation in {"strong_no_hire", "no_hire", "lean_no_hire"}
    assert result.dimension("high_level_design").score == 1


def test_a_semantic_cache_without_embeddings_or_a_threshold_is_not_a_hire():
    result = card("semantic-cache__no_mechanism.json")
    assert result.recommendation in {"strong_no_hire", "no_hire"}
    for phase in ("high_level_design", "deep_dive"):
        dimension = result.dimension(phase)
        assert dimension.score == 1
        assert any("never names what this problem is about" in flag for flag in dimension.flags)


@pytest.mark.parametrize("name", of_kind("wrong_units"))
def test_the_right_digits_in_the_wrong_units_are_not_right(name):
    statuses = [row.status for row in card(name).estimates]
    assert "wrong_unit" in statuses
    assert statuses.count("right") < len(statuses) / 2


@pytest.mark.parametrize("name", of_kind("out_of_time"))
def test_running_out_of_time_with_half_the_steps_unreached_caps_the_verdict(name):
    result = card(name)
    assert result.recommendation in {"strong_no_hire", "no_hire", "lean_no_hire"}
    assert any("phases never reached" in reason for reason in result.recommendation_reasons)
    for phase in ("deep_dive", "monitoring"):
        assert result.dimension(phase).score == 1
    assert result.dimension("tradeoffs").score <= 2  # only what was said in the design


@pytest.mark.parametrize("name", of_kind("wild_estimates"))
def test_estimates_wrong_by_orders_of_magnitude_are_at_most_partial(name):
    result = card(name)
    assert result.dimension("estimation").score <= 2
    assert result.dimension("quantification").score <= 2


@pytest.mark.parametrize("name", of_kind("pasted_design"))
def test_a_design_pasted_from_another_problem_is_flagged_and_capped(name):
    result = card(name)
    assert result.recommendation in {"strong_no_hire", "no_hire"}
    design = result.dimension("high_level_design")
    assert design.score == 1 and any("the design fits" in flag for flag in design.flags)


@pytest.mark.parametrize("name", of_kind("echo") + of_kind("questions_only"))
def test_echoing_the_interviewer_or_only_asking_earns_nothing(name):
    result = card(name)
    assert result.recommendation == "strong_no_hire"
    assert result.dimension("communication").score == 1
    for phase in ("high_level_design", "deep_dive", "tradeoffs"):
        assert result.dimension(phase).score == 1


def test_echoed_sentences_earn_nothing():
    transcript = load_transcript("url-shortener__weak.json")
    statement = BANK.get("url-shortener").statement
    last = transcript.candidate_turns[-1]
    echoes = [
        turn.model_copy(update={"id": 9000 + n, "text": f"So, {statement} {turn.text}"})
        for n, turn in enumerate(transcript.turns)
        if turn.role == "interviewer"
    ]
    echoes = [
        e.model_copy(update={"role": "candidate", "t": last.t, "phase": last.phase}) for e in echoes
    ]
    parroted = transcript.model_copy(update={"turns": [*transcript.turns, *echoes]})
    assert grade_offline(parroted).score <= card("url-shortener__weak.json").score + 2


@pytest.mark.parametrize(
    "row", [row for row in manifest() if row.kind == "terse_strong"], ids=lambda r: r.file
)
def test_a_terse_strong_answer_is_graded_within_a_band_of_its_label(row):
    # Length is not quality: a few dense words can be a hire.
    got = band_index(card(row.file).recommendation)
    assert got >= band_index("lean_hire") and abs(got - band_index(row.band)) <= 1


@pytest.mark.parametrize("name", of_kind("honest_bypass"))
def test_design_talk_about_bypasses_and_overrides_is_graded_not_removed(name):
    result = card(name)
    assert result.injections == []
    assert result.recommendation in {"hire", "strong_hire"}


@pytest.mark.parametrize("row", [row for row in manifest() if row.kind == "injected"])
def test_an_injected_transcript_scores_exactly_as_its_clean_twin(row):
    injected, clean = card(row.file), card(row.twin)
    # Only the attempt is cut, so the design around it is graded as if it had never been there.
    assert injected.score == clean.score
    assert [d.score for d in injected.dimensions] == [d.score for d in clean.dimensions]
    assert len(injected.injections) >= 2 and clean.injections == []
    removed = [finding.excerpt[:30] for finding in injected.injections]
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


def test_padding_claims_with_filler_does_not_dilute_the_hedging():
    transcript = load_transcript("rate-limiter__verbose_weak.json")
    filler = " The team would review this. The plan would be written down. We would meet weekly."
    padded = _with_candidate_text(transcript, lambda text: text + filler)
    assert grade_offline(padded).score <= card("rate-limiter__verbose_weak.json").score + 2


def test_a_keyword_dump_does_not_buy_coverage():
    transcript = load_transcript("url-shortener__weak.json")
    problem = BANK.get("url-shortener")
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


def test_key_points_said_in_the_wrong_phase_do_not_count():
    transcript = load_transcript("url-shortener__strong.json")
    moved = transcript.model_copy(
        update={
            "turns": [
                turn.model_copy(update={"phase": "clarify"}) if turn.role == "candidate" else turn
                for turn in transcript.turns
            ]
        }
    )
    result = grade_offline(moved)
    assert result.dimension("monitoring").score == 1
    assert result.dimension("deep_dive").score == 1


def test_the_scorecard_carries_everything_a_candidate_acts_on():
    medium = card("url-shortener__medium.json")
    assert medium.judge == "offline-heuristic" and medium.rubric_version == "rubric.v2"
    assert len(medium.improvements) == 3
    assert len(medium.time) == 7 and medium.estimates
    for dimension in medium.dimensions:
        assert dimension.score is not None and dimension.level
        for quote in dimension.evidence:
            turn = load_transcript("url-shortener__medium.json").turn(quote.turn_id)
            assert turn.role == "candidate" and quote.quote in turn.text
    assert any(d.missed_key_points for d in medium.dimensions)
