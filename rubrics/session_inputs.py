"""The inputs of each reference estimate as the interviewer actually gave them in this session.

A problem file's reference estimates are computed from the bank's figures ("5 million requests
a day"). An interviewer, especially a model, may state other figures ("about 8 million a
day"); a candidate who computes from what they were told is right for *this* session. So each
estimate is recomputed with the figures the interviewer stated.

Which words state which input is learnt from the problem file itself: an input whose value is
written in a hidden fact (or the statement) gets that figure as its template, with the fact's
kind of quantity, counted noun and surrounding words. An interviewer sentence, before the
design starts, carrying a quantity of the same kind and noun in the same words replaces the
input by the same ratio. An input no fact states (a derived figure, a constant such as seconds
per day) keeps the bank's value, and so does one whose "new" figure is another input's, or ten
times away or more (a total read as a per-unit figure).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from problems.arithmetic import ArithmeticError_
from problems.models import Problem, ReferenceEstimate
from rubrics.echo import content_stems
from rubrics.quantities import Quantity, extract_quantities, seconds_in, stem, unit_factor
from rubrics.text import split_sentences
from rubrics.transcript import Transcript

__all__ = ["SessionEstimate", "StatedInput", "session_estimates"]

# Where the interviewer gives the facts that estimates are built on.
_FACT_PHASES = frozenset({"clarify", "requirements", "estimation"})
_MAX_CHANGE = 10.0  # an interviewer restates a figure, not a different order of magnitude
_SAME = 0.03  # relative difference under which two figures are the same (KB and KiB are not)
# Words that say nothing about which fact a figure belongs to.
_VAGUE = frozenset(
    {"about", "around", "roughly", "average", "peak", "time", "day", "second", "hundred"}
    | {"thousand", "million", "billion", "trillion", "per", "total"}
)


@dataclass(frozen=True)
class StatedInput:
    name: str
    bank_value: float
    value: float
    said: str  # the interviewer's words for it
    turn_id: int


@dataclass(frozen=True)
class SessionEstimate:
    estimate: ReferenceEstimate
    inputs: dict[str, float]
    stated: tuple[StatedInput, ...]  # only the inputs the interviewer changed
    low: float
    high: float

    @property
    def name(self) -> str:
        return self.estimate.name

    @property
    def changed(self) -> bool:
        return bool(self.stated)


@dataclass(frozen=True)
class _Template:
    quantity: Quantity
    context: frozenset[str]


@dataclass(frozen=True)
class _InputKind:
    """What an input's name says it measures: the kinds of figure that can state it."""

    kinds: frozenset[str]
    period: float = 1.0  # seconds per the rate's time unit ("per day": 86400)
    unit: float = 1.0  # base units per the input's unit (days: 86400 s, gb: 1e9 bytes)


_CONSTANT = re.compile(
    r"^(?:seconds|minutes|hours|days|weeks|months|years|workdays|working_hours)"
    r"(?:_per_(?:second|minute|hour|day|week|month|year))?$"
)
_RULES: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"price|usd|cost|spend|budget|infra"), frozenset({"money", "money_rate"})),
    (re.compile(r"bytes|(?:^|_)(?:gb|mb|tb|kb)(?:_|$)"), frozenset({"bytes", "bytes_rate"})),
    (re.compile(r"_per_(?:s|sec|second|min|minute|hour|day|week|month)$|(?:^|_)[rq]ps$|^per_"),
     frozenset({"rate", "count"})),
    (re.compile(r"(?:_s|_ms|_min|_days|_hours|_seconds)$|^(?:seconds|minutes|hours)_per_"
                r"|latency|interval|window|ttl|ttft"),
     frozenset({"duration"})),
    (re.compile(r"ratio|factor|share|fraction|saving|_rate$|utili[sz]ation|mfu|compression"),
     frozenset({"percent"})),
)  # fmt: skip


def _input_kind(name: str) -> _InputKind | None:
    """None for constants (seconds per day) and inputs no figure can state."""
    if _CONSTANT.match(name):
        return None
    words = name.split("_")
    for pattern, kinds in _RULES:
        if pattern.search(name):
            per = re.search(r"_per_([a-z]+)$", name)
            period = (seconds_in(per.group(1)) or 1.0) if per else 1.0
            if "duration" in kinds:
                unit = unit_factor(words[0] if "_per_" in name else words[-1]) or 1.0
            else:
                unit = next((f for word in words if (f := unit_factor(word)) is not None), 1.0)
            return _InputKind(kinds, period, unit if kinds & {"duration", "bytes"} else 1.0)
    return _InputKind(frozenset({"count"}))


def _amount(quantity: Quantity, kind: _InputKind) -> float:
    """A figure in the input's own terms: a rate over the input's period, a size or duration in
    the input's unit, a count as it is."""
    if quantity.kind == "rate" and "count" in kind.kinds:
        return quantity.value * kind.period
    return quantity.value / kind.unit


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_SAME)


def _states(quantity: Quantity, amount: float, value: float) -> bool:
    """Is ``quantity`` the written form of the input ``value`` (18% for 0.18 too)?"""
    if quantity.kind == "percent":
        return _same(quantity.number / 100, value)
    if quantity.kind in {"duration", "bytes", "bytes_rate"}:
        return _same(amount, value)
    return _same(quantity.number, value) or _same(amount, value)


def _context(sentence: str) -> frozenset[str]:
    return frozenset(word for word in content_stems(sentence) if not word[0].isdigit()) - _VAGUE


def _templates(problem: Problem) -> dict[str, tuple[_Template, ...]]:
    """Input name -> the places in the problem file where its value is written."""
    sentences = [s for fact in problem.hidden_facts for s in split_sentences(fact.answer)]
    sentences.append(problem.statement)
    found = []
    for sentence in sentences:
        quantities = extract_quantities(sentence)
        for quantity in quantities:
            alone = sum(1 for other in quantities if other.kind == quantity.kind) == 1
            found.append((quantity, _context(sentence), alone))
    templates: dict[str, tuple[_Template, ...]] = {}
    for estimate in problem.reference_estimates:
        for name, value in estimate.inputs.items():
            kind = _input_kind(name)
            if name in templates or kind is None or value in (0, 1):
                continue
            named = {stem(word) for word in name.split("_")}
            matches = tuple(
                _Template(q, context)
                for q, context, alone in found
                if q.kind in kind.kinds
                and _states(q, _amount(q, kind), value)
                # A counted thing must be the input's own ("8 KV heads" for kv_heads), or the
                # only figure of its kind where the problem file states it.
                and (not q.nouns or q.nouns & named or alone)
            )
            if matches:
                templates[name] = matches
    return templates


def _matches(quantity: Quantity, context: frozenset[str], template: _Template, kind) -> bool:
    other = template.quantity
    counted = {"count", "rate"}
    if quantity.kind != other.kind and not {quantity.kind, other.kind} <= counted:
        return False
    if quantity.kind not in kind.kinds or bool(quantity.nouns) != bool(other.nouns):
        return False
    if other.nouns and not quantity.nouns & other.nouns:
        return False
    # The same words around it: a content word besides the counted noun, or two for a figure
    # that names no counted thing ("1.5 million per second").
    shared = (context & template.context) - quantity.nouns
    return len(shared) >= (1 if other.nouns else 2)


def _stated_inputs(problem: Problem, transcript: Transcript) -> dict[str, StatedInput]:
    templates = _templates(problem)
    bank = {
        name: value
        for estimate in problem.reference_estimates
        for name, value in estimate.inputs.items()
    }
    said: dict[str, list[StatedInput]] = {}
    known = list(bank.values())
    for turn in transcript.turns:
        if turn.role != "interviewer" or turn.phase not in _FACT_PHASES:
            continue
        for sentence in split_sentences(turn.text):
            context = _context(sentence)
            for quantity in extract_quantities(sentence):
                for name, options in templates.items():
                    kind = _input_kind(name)
                    template = next(
                        (t for t in options if _matches(quantity, context, t, kind)), None
                    )
                    if template is None:
                        continue
                    base = _amount(template.quantity, kind)
                    said_value = _amount(quantity, kind)
                    if base <= 0 or said_value <= 0 or not math.isfinite(said_value):
                        continue  # nothing a formula could take ("every 0 seconds")
                    value = bank[name] * said_value / base
                    if not _same(value, bank[name]) and any(_same(value, v) for v in known):
                        continue  # another input's figure ("1,500 tokens in and 300 out")
                    if not 1 / _MAX_CHANGE <= value / bank[name] <= _MAX_CHANGE:
                        continue  # a total, not the per-unit input ("5 million series" in all)
                    item = StatedInput(name, bank[name], value, quantity.text, turn.id)
                    said.setdefault(name, []).append(item)
    # The bank's own figure said anywhere confirms it; otherwise the first statement counts.
    return {
        name: items[0]
        for name, items in said.items()
        if not any(_same(item.value, item.bank_value) for item in items)
    }


def session_estimates(problem: Problem, transcript: Transcript) -> list[SessionEstimate]:
    """Every reference estimate, recomputed with the interviewer's figures where they differ."""
    stated = _stated_inputs(problem, transcript)
    out = []
    for estimate in problem.reference_estimates:
        low, high = estimate.expected_range
        changed = tuple(stated[name] for name in estimate.inputs if name in stated)
        inputs = dict(estimate.inputs)
        if changed:
            recomputed = _recompute(estimate, {item.name: item.value for item in changed})
            if recomputed is None:  # the figures said make no sense in the formula
                changed = ()
            else:
                inputs, low, high = recomputed
        out.append(SessionEstimate(estimate, inputs, changed, low, high))
    return out


def _recompute(
    estimate: ReferenceEstimate, changes: dict[str, float]
) -> tuple[dict[str, float], float, float] | None:
    """The estimate's inputs and range with ``changes``, or None when the formula cannot take
    them (a zero divisor, a logarithm of nothing, an overflow)."""
    inputs = {**estimate.inputs, **changes}
    low, high = estimate.expected_range
    try:
        bank_value = estimate.compute()
        new_value = estimate.model_copy(update={"inputs": inputs}).compute()
    except (ArithmeticError, ArithmeticError_, ValueError):
        return None
    if not math.isfinite(new_value) or new_value <= 0 or bank_value <= 0:
        return None
    ratio = new_value / bank_value
    return inputs, low * ratio, high * ratio
