"""The estimation check: the candidate's own worked estimates against this session's references."""

from __future__ import annotations

import math
import re

import pytest

from problems.loader import load_bank
from rubrics.estimation import check_estimates
from rubrics.session_inputs import session_estimates
from rubrics.transcript import Transcript

STORAGE = "storage for 100B link records"
WRITES = "average write rate"
REDIRECTS = "average redirect rate"
CODE = "length of a base62 code for 100B ids"


def transcript(problem: str, *texts: str, interviewer: tuple[str, ...] = ()) -> Transcript:
    events = [
        {"t": 5.0 * (n + 1), "role": "interviewer", "phase": "clarify", "text": text}
        for n, text in enumerate(interviewer)
    ]
    events += [
        {"t": 100.0 + 10.0 * (n + 1), "role": "candidate", "phase": "estimation", "text": text}
        for n, text in enumerate(texts)
    ]
    return Transcript.from_exchange({"problem": problem, "duration_s": 2700, "events": events})


def rows(problem_id: str, *texts: str, interviewer: tuple[str, ...] = ()):
    problem = load_bank().get(problem_id)
    return check_estimates(problem, transcript(problem_id, *texts, interviewer=interviewer))


def statuses(problem_id: str, *texts: str, interviewer: tuple[str, ...] = ()) -> dict[str, str]:
    return {row.name: row.status for row in rows(problem_id, *texts, interviewer=interviewer)}


def test_worked_estimates_are_right_off_or_missing():
    result = statuses(
        "url-shortener",
        "Storage: 100 billion records at 500 bytes each is about 50 TB.",
        "Writes are 100M a day over 86,400 s, so roughly 1.2k writes per second.",
        "Redirects: 100M a day times 10 over 86,400 is about 3,000 redirects per second.",
    )
    assert result == {STORAGE: "right", WRITES: "right", REDIRECTS: "off", CODE: "missing"}


def test_a_bare_figure_without_working_is_not_an_estimate():
    # The closest number stated anywhere used to count; now the candidate must show the working.
    assert statuses("url-shortener", "Storage for the records: 50 TB.")[STORAGE] == "unsupported"
    listed = statuses(
        "url-shortener", "Writes 1,157/s; redirects 11,574/s; storage 50 TB; code 7 characters."
    )
    assert set(listed.values()) == {"unsupported"}


def test_right_means_within_a_factor_of_two_of_the_range():
    # The range is 40-60 TB: 110 TB is within a factor of 2, 150 TB is not, 800 TB is 10x off.
    def storage(tb: int) -> str:
        text = f"100 billion records at {tb * 10} bytes each is {tb} TB."
        return statuses("url-shortener", text)[STORAGE]

    assert storage(110) == "right"
    assert storage(150) == "off"
    assert storage(800) == "magnitude"
    assert storage(3) == "magnitude"


def test_a_figure_in_other_units_is_converted_before_comparing():
    text = "100 billion records at 500 bytes each is 0.05 PB all in."
    assert statuses("url-shortener", text)[STORAGE] == "right"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("100 billion records at 500 bytes each is 50 GB.", STORAGE),
        ("100M a day over 86,400 seconds is 1,200 writes per day.", WRITES),
        ("So 100M a day times 10 is 12,000 redirects per day.", REDIRECTS),
    ],
)
def test_the_right_digits_in_the_wrong_unit_are_a_verdict_of_their_own(text, name):
    assert statuses("url-shortener", text)[name] == "wrong_unit"


def test_a_daily_count_offered_as_a_per_second_rate_is_a_unit_error():
    problem = "semantic-cache"
    result = statuses(problem, "5 million requests a day times 3 at peak is 175 lookups per day.")
    assert result["peak lookup rate"] == "wrong_unit"


def test_a_figure_the_interviewer_gave_and_the_candidate_repeated_is_not_an_estimate():
    told = ("We store 50 TB of link records today.",)
    result = statuses("url-shortener", "So storage is 50 TB, like you said.", interviewer=told)
    # The interviewer handed the storage figure over: nothing left for the candidate to estimate.
    assert result[STORAGE] == "given"
    told = ("Writes run at about 1,160 per second.",)
    result = statuses("url-shortener", "Right, so 1,160 writes per second.", interviewer=told)
    assert result[WRITES] == "given"


def test_repeating_an_input_is_not_the_estimate():
    told = ("Around 100 million new links are created per day.",)
    result = statuses("url-shortener", "So 100 million new links per day.", interviewer=told)
    assert result[WRITES] == "missing"


def test_references_are_recomputed_with_the_figures_the_interviewer_actually_gave():
    told = (
        "About 200 million new links are created a day, peaking at three times that.",
        "Redirects outnumber creations roughly 20 to 1.",
        "We need to hold 50 billion short links in total.",
    )
    problem = load_bank().get("url-shortener")
    session = transcript("url-shortener", interviewer=told)
    references = {s.name: s for s in session_estimates(problem, session)}
    assert (references[WRITES].low, references[WRITES].high) == pytest.approx((2000, 2600))
    assert references[STORAGE].high == pytest.approx(30)
    assert references[CODE].low == references[CODE].high == 6
    assert references[WRITES].stated[0].said == "200 million new links"
    # A candidate who computes from what they were told is right for this session.
    result = statuses(
        "url-shortener",
        "200M a day over 86,400 is about 2,300 writes per second.",
        "50 billion links at 500 bytes each is 25 TB.",
        interviewer=told,
    )
    assert result[WRITES] == "right" and result[STORAGE] == "right"
    # Told 500 million a day, the bank's own figure is now wrong.
    told = ("About 500 million new links are created a day.",)
    result = statuses(
        "url-shortener", "100M a day over 86,400 is 1,160 writes/s.", interviewer=told
    )
    assert result[WRITES] == "off"


def test_restating_the_bank_figure_changes_nothing():
    told = ("Around 100 million new links are created per day on average.",)
    problem = load_bank().get("url-shortener")
    session = transcript("url-shortener", interviewer=told)
    assert all(not s.changed for s in session_estimates(problem, session))


def test_a_figure_said_to_be_the_peak_is_not_the_average():
    result = statuses(
        "url-shortener",
        "100M a day over 86,400 is 1,160 writes per second, so 3,500 writes per second at peak.",
    )
    assert result[WRITES] == "right"
    peak_only = statuses("url-shortener", "At peak that's 3x, so 3,500 writes per second.")
    assert peak_only[WRITES] in {"missing", "unsupported"}


def test_a_figure_is_attributed_to_the_estimate_its_sentence_talks_about():
    problem_id = "llm-inference-serving"
    weights_only = statuses(problem_id, "70B params times 2 bytes is 140 GB of fp16 weights.")
    assert weights_only["fp16 weight memory for a 70B model"] == "right"
    # 140 GB said about the weights is not a (wrong) answer for the KV cache.
    assert weights_only["KV cache for all in-flight sequences at peak"] == "missing"


def test_rows_link_to_the_turn_that_stated_them():
    found = rows("url-shortener", "hello", "100 billion times 500 bytes is 50 TB.")
    [storage] = [row for row in found if row.name == STORAGE]
    assert (storage.turn_id, storage.t, storage.stated) == (2, 120.0, "50 TB")
    assert storage.stated_value == pytest.approx(50)


@pytest.mark.parametrize("figure", ["0", "1e308", "0.0000001", "99999999999999999999999"])
def test_absurd_interviewer_figures_never_break_the_references(figure):
    """Every hidden fact restated with an absurd figure: the references fall back to the
    bank's, and nothing raises (a zero divisor, a log of zero, an overflow)."""
    for problem in load_bank():
        for fact in problem.hidden_facts:
            said = re.sub(r"\d[\d,.]*", figure, fact.answer, count=1)
            session = transcript(problem.id, "Ok.", interviewer=(said,))
            references = session_estimates(problem, session)
            assert len(references) == len(problem.reference_estimates)
            assert all(math.isfinite(r.low) and r.low > 0 for r in references if r.high > 0)
            check_estimates(problem, session)
