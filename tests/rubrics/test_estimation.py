"""The estimation check: the candidate's figures against the problem's reference ranges."""

from __future__ import annotations

import pytest

from problems.loader import load_bank
from rubrics.estimation import check_estimates
from rubrics.transcript import Transcript


def transcript(problem: str, *texts: str) -> Transcript:
    events = [
        {"t": 10.0 * (n + 1), "role": "candidate", "phase": "estimation", "text": text}
        for n, text in enumerate(texts)
    ]
    return Transcript.from_exchange({"problem": problem, "duration_s": 2700, "events": events})


def statuses(problem_id: str, *texts: str) -> dict[str, str]:
    problem = load_bank().get(problem_id)
    return {
        row.name: row.status for row in check_estimates(problem, transcript(problem_id, *texts))
    }


def test_right_off_and_missing():
    result = statuses(
        "url-shortener",
        "Storage: 100 billion records at 500 bytes each is about 50 TB.",
        "Writes are 100M a day, so roughly 1.2k writes per second.",
        "Redirects are maybe 500 redirects per second.",
    )
    assert result == {
        "storage for 100B link records": "right",
        "average write rate": "right",
        "average redirect rate": "off",
        "length of a base62 code for 100B ids": "missing",
    }


def test_a_figure_in_other_units_is_converted_before_comparing():
    result = statuses("url-shortener", "Storage for the link records: 0.05 PB all in.")
    assert result["storage for 100B link records"] == "right"


def test_half_an_order_of_magnitude_is_the_tolerance():
    # The range is 40-60 TB: 150 TB is within a factor of sqrt(10), 500 TB is not.
    assert (
        statuses("url-shortener", "Storage for records: 150 TB.")["storage for 100B link records"]
        == "right"
    )
    assert (
        statuses("url-shortener", "Storage for records: 500 TB.")["storage for 100B link records"]
        == "off"
    )


def test_a_figure_is_attributed_to_the_estimate_its_sentence_talks_about():
    problem_id = "llm-inference-serving"
    weights_only = statuses(problem_id, "The fp16 weights of the model take 140 GB.")
    assert weights_only["fp16 weight memory for a 70B model"] == "right"
    # 140 GB said about the weights is not a (wrong) answer for the KV cache.
    assert weights_only["KV cache for all in-flight sequences at peak"] == "missing"
    both = statuses(
        problem_id,
        "The fp16 weights of the model take 140 GB.",
        "The KV cache for all in-flight sequences at peak is about 790 GB.",
    )
    assert both["KV cache for all in-flight sequences at peak"] == "right"


def test_rows_link_to_the_turn_that_stated_them():
    problem = load_bank().get("url-shortener")
    rows = check_estimates(
        problem, transcript("url-shortener", "hello", "Storage for records is 50 TB.")
    )
    [storage] = [row for row in rows if row.name.startswith("storage")]
    assert (storage.turn_id, storage.t, storage.stated) == (2, 20.0, "50 TB")
    assert storage.stated_value == pytest.approx(50)
