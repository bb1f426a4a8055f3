"""Numbers with units pulled out of free text, normalised to one base unit per kind."""

from __future__ import annotations

import pytest

from rubrics.quantities import extract_quantities, parse_unit


def only(text: str):
    [quantity] = extract_quantities(text)
    return quantity


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("about 50 TB in total", "bytes", 50e12),
        ("that is 0.05 PB", "bytes", 50e12),
        ("50,000 GB of data", "bytes", 50e12),
        ("5 times 10^13 bytes", "bytes", 5e13),
        ("140GB of weights", "bytes", 140e9),
        ("roughly 1.2k writes per second", "rate", 1200),
        ("12k redirects/s at peak", "rate", 12000),
        ("36k QPS", "rate", 36000),
        ("100M new links per day", "rate", 100e6 / 86400),
        ("3 TB per day of logs", "bytes_rate", 3e12 / 86400),
        ("2 Gbps of egress", "bytes_rate", 2e9 / 8),
        ("p99 under 50 ms", "duration", 0.05),
        ("99.9% availability", "percent", 99.9),
        ("$73k per month", "money_rate", 73e3 / 2_592_000),
        ("0.33 MB/token", "bytes/token", 0.33e6),
    ],
)
def test_quantities_are_normalised(text, kind, value):
    quantity = only(text)
    assert quantity.kind == kind
    assert quantity.value == pytest.approx(value)


def test_counts_carry_their_noun_and_keep_looking_for_a_rate():
    gpus = only("we need roughly 8 H100 GPUs")
    assert (gpus.kind, gpus.value, gpus.nouns) == ("count", 8, {"h100", "gpu"})
    links, size = extract_quantities("100B URLs at 500 bytes each")
    assert links.kind == "count" and links.value == 100e9 and links.text == "100B URLs"
    assert size.kind == "bytes" and size.value == 500


def test_text_without_units_gives_nothing():
    assert extract_quantities("in 2023 we shipped it") == ()
    assert extract_quantities("no numbers here at all") == ()


def test_figures_later_in_a_sentence_are_not_swallowed_by_the_first():
    kinds = [q.kind for q in extract_quantities("12k redirects/s at peak 36k QPS and 50 TB")]
    assert kinds == ["rate", "rate", "bytes"]


@pytest.mark.parametrize(
    ("unit", "kind", "factor"),
    [
        ("TB", "bytes", 1e12),
        ("writes/s", "rate", 1),
        ("tokens/min", "rate", 1 / 60),
        ("million tokens/day", "rate", 1e6 / 86400),
        ("USD/month", "money_rate", 1 / 2_592_000),
        ("GPUs", "count", 1),
        ("Gbps", "bytes_rate", 1e9 / 8),
        ("fraction of spend", "percent", 100),
    ],
)
def test_problem_file_units_are_understood(unit, kind, factor):
    spec = parse_unit(unit)
    assert spec is not None and spec.kind == kind and spec.factor == pytest.approx(factor)


def test_every_reference_estimate_in_the_bank_has_a_known_unit():
    from problems.loader import load_bank

    unknown = [
        (problem.id, estimate.unit)
        for problem in load_bank()
        for estimate in problem.reference_estimates
        if parse_unit(estimate.unit) is None
    ]
    assert unknown == []
