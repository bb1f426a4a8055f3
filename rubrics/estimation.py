"""The estimation check: the candidate's numbers against the problem's reference estimates.

Each reference estimate is matched with the numbers of the same kind (bytes, rate, money, ...)
that the candidate stated in a sentence about the same thing (words of the estimate's name or its
counted noun). The closest such number decides: **right** when it lies within the reference
range widened by half an order of magnitude each way (a factor of sqrt(10), so it rounds to the
same order of magnitude), **off** otherwise, and **missing** when no such number was stated.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from problems.models import Problem, ReferenceEstimate
from rubrics.quantities import Quantity, UnitSpec, extract_quantities, parse_unit, stem
from rubrics.text import Sentence, candidate_sentences
from rubrics.transcript import Transcript

__all__ = ["TOLERANCE", "EstimateResult", "check_estimates"]

TOLERANCE = math.sqrt(10)
Status = Literal["right", "off", "missing"]
_GENERIC = {
    "average",
    "peak",
    "total",
    "rate",
    "per",
    "of",
    "for",
    "the",
    "a",
    "an",
    "all",
    "at",
    "to",
    "needed",
    "number",
    "size",
    "with",
    "plus",
    "in",
    "by",
    "on",
    "and",
    "or",
    "each",
    "day",
    "second",
    "month",
    "year",
    "hold",
    "from",
    "into",
    "raw",
}


@dataclass(frozen=True)
class EstimateResult:
    name: str
    unit: str
    expected_low: float
    expected_high: float
    status: Status
    stated: str | None = None  # as the candidate wrote it
    stated_value: float | None = None  # converted to the estimate's unit
    turn_id: int | None = None
    t: float | None = None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "unit": self.unit,
            "expected": [self.expected_low, self.expected_high],
            "status": self.status,
            "stated": self.stated,
            "stated_value": self.stated_value,
            "turn_id": self.turn_id,
            "t": self.t,
        }


@dataclass(frozen=True)
class _Found:
    quantity: Quantity
    sentence: Sentence
    context: set[str]  # stems of the sentence and the ones just before it


def _name_stems(estimate: ReferenceEstimate, spec: UnitSpec) -> set[str]:
    words = re.findall(r"[A-Za-z][A-Za-z0-9-]*", estimate.name)
    stems = {stem(word) for word in words if word.lower() not in _GENERIC}
    stems = {word for word in stems if not any(char.isdigit() for char in word) or len(word) > 3}
    if spec.noun:
        stems.add(spec.noun)
    return stems


def _compatible(quantity: Quantity, spec: UnitSpec) -> bool:
    if quantity.kind != spec.kind:
        return False
    if spec.kind == "count":
        return spec.noun in quantity.nouns
    return True


def _distance(value: float, low: float, high: float) -> float:
    """How many factors of ten ``value`` lies outside [low, high] (0 inside)."""
    if value <= 0 or low <= 0:
        return 0.0 if low <= value <= high else math.inf
    if value < low:
        return math.log10(low / value)
    if value > high:
        return math.log10(value / high)
    return 0.0


CONTEXT_SENTENCES = 3  # a figure's sentence and the two before it, within one turn


def _with_context(sentences: list[Sentence]) -> list[tuple[Sentence, set[str]]]:
    """Each sentence with the stems of itself and the sentences just before it in its turn."""
    out = []
    for index, sentence in enumerate(sentences):
        stems = set(sentence.stems)
        for back in range(1, CONTEXT_SENTENCES):
            if index - back < 0 or sentences[index - back].turn_id != sentence.turn_id:
                break
            stems |= sentences[index - back].stems
        out.append((sentence, stems))
    return out


def check_estimates(problem: Problem, transcript: Transcript) -> list[EstimateResult]:
    found = [
        _Found(quantity, sentence, stems)
        for sentence, stems in _with_context(candidate_sentences(transcript))
        for quantity in extract_quantities(sentence.text)
    ]
    specs = {estimate.name: parse_unit(estimate.unit) for estimate in problem.reference_estimates}
    stems_of = {
        estimate.name: _name_stems(estimate, specs[estimate.name])
        for estimate in problem.reference_estimates
        if specs[estimate.name] is not None
    }
    results = []
    for estimate in problem.reference_estimates:
        spec = specs[estimate.name]
        low, high = estimate.expected_range
        base = dict(name=estimate.name, unit=estimate.unit, expected_low=low, expected_high=high)
        if spec is None:
            results.append(EstimateResult(**base, status="missing"))
            continue

        def within(item: _Found, spec=spec, low=low, high=high) -> bool:
            value = item.quantity.value / spec.factor
            return low / TOLERANCE <= value <= high * TOLERANCE

        compatible = [item for item in found if _compatible(item.quantity, spec)]
        relevant = [item for item in compatible if stems_of[estimate.name] & item.context]
        # A figure about another estimate of the same kind is not evidence for this one.
        rivals = [
            other.name
            for other in problem.reference_estimates
            if other is not estimate
            and specs[other.name] is not None
            and specs[other.name].kind == spec.kind
        ]
        unclaimed = [
            item
            for item in compatible
            if not any(stems_of[name] & item.sentence.stems for name in rivals)
        ]
        if any(within(item) for item in relevant):
            pool = [item for item in relevant if within(item)]
        elif any(within(item) for item in unclaimed):
            pool = [item for item in unclaimed if within(item)]
        else:
            pool = relevant or ([] if rivals else compatible)
        if not pool:
            results.append(EstimateResult(**base, status="missing"))
            continue
        best = min(pool, key=lambda item: _distance(item.quantity.value / spec.factor, low, high))
        value = best.quantity.value / spec.factor
        results.append(
            EstimateResult(
                **base,
                status="right" if within(best) else "off",
                stated=best.quantity.text,
                stated_value=float(f"{value:.4g}"),
                turn_id=best.sentence.turn_id,
                t=best.sentence.t,
            )
        )
    return results
