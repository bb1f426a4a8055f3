"""The estimation check: the candidate's own estimates against the references of this session.

1. **References.** Each of the problem's reference estimates is recomputed with the figures the
   interviewer actually gave in this session (:mod:`rubrics.session_inputs`).
2. **The candidate's figures.** Numbers with units in candidate sentences about the estimate
   (words of its name or its counted noun, in the sentence or the two before it in the turn).
   A figure the interviewer stated earlier and the candidate repeated is not an estimate.
3. **Shown working.** A figure counts as an estimate when the candidate shows how they got it:
   the nearest number before it leads to it with a concluding sign or word ("=", "is", "so",
   "that's", "gives"); or working in brackets follows it; or its sentence opens with "so" after
   a sentence with numbers. A list of figures is not working, nor is an operand ("100 billion
   times 500 bytes"). Worked figures
   in the estimation step are judged (elsewhere only when the step has none), the best one
   deciding; a figure said to be the peak is not the average's estimate, and the reverse.
4. **Verdicts.** ``right`` within a factor of 2 of the range; ``wrong_unit`` when the digits
   would be right in the estimate's unit but the candidate's unit or dimension differs (225 MB
   for 225 GB, a daily count offered per second); ``magnitude`` ten times or more away; ``off``
   in between; ``unsupported`` when figures were stated but never worked out; ``missing``
   when there is none; ``given`` when the interviewer stated the answer itself, which leaves
   nothing to estimate (it counts neither way).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Literal

from problems.models import Problem, ReferenceEstimate
from rubrics.quantities import (
    Quantity,
    UnitSpec,
    extract_quantities,
    parse_unit,
    seconds_in,
    stem,
)
from rubrics.session_inputs import SessionEstimate, StatedInput, session_estimates
from rubrics.text import Sentence, candidate_sentences
from rubrics.transcript import Transcript

__all__ = [
    "MAGNITUDE",
    "TOLERANCE",
    "EstimateResult",
    "Status",
    "check_estimates",
]

TOLERANCE = 2.0  # right within a factor of 2 of the reference range
MAGNITUDE = 10.0  # this far off or more is off by an order of magnitude
Status = Literal["right", "off", "magnitude", "wrong_unit", "unsupported", "missing", "given"]
# Kinds of figure that measure the same dimension, so a figure of the other kind is a unit slip.
_FAMILIES = (
    frozenset({"bytes", "bytes_rate"}),
    frozenset({"rate", "count"}),
    frozenset({"money", "money_rate"}),
)
_GENERIC = frozenset({
    "average", "peak", "total", "rate", "per", "of", "for", "the", "a", "an", "all", "at",
    "to", "needed", "number", "size", "with", "plus", "in", "by", "on", "and", "or", "each",
    "day", "second", "month", "year", "hold", "from", "into", "raw",
})  # fmt: skip
CONTEXT_SENTENCES = 3  # a figure's sentence and the two before it, within one turn
_SAME = 0.01
_SLIP = 1.25  # digits this close to the range, in the wrong unit, are a unit slip


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
    inputs_stated: tuple[str, ...] = ()  # interviewer figures that changed the reference

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
            "inputs_stated": list(self.inputs_stated),
        }


@dataclass(frozen=True)
class _Figure:
    quantity: Quantity
    sentence: Sentence
    index: int  # position of the sentence among the candidate's sentences
    context: frozenset[str]  # stems of the sentence and the ones just before it
    derived: bool  # worked out: an input, then an operator or a concluding word, then it
    qualifier: str | None  # "peak" or "average", when the words before it say so

    @property
    def key(self) -> tuple[int, int]:
        return (self.index, self.quantity.start)


def _name_stems(estimate: ReferenceEstimate, spec: UnitSpec) -> set[str]:
    words = re.findall(r"[A-Za-z][A-Za-z0-9-]*", estimate.name)
    stems = {stem(word) for word in words if word.lower() not in _GENERIC}
    stems = {word for word in stems if not any(char.isdigit() for char in word) or len(word) > 3}
    if spec.noun:
        stems.add(spec.noun)
    return stems


def _family(kind: str) -> frozenset[str]:
    return next((family for family in _FAMILIES if kind in family), frozenset({kind}))


@dataclass(frozen=True)
class _Target:
    """One reference estimate of this session, as the check needs it."""

    session: SessionEstimate
    spec: UnitSpec
    stems: frozenset[str]  # words of its name, and its counted noun
    period: float | None  # seconds of the period its unit or name counts over ("per year")

    @property
    def low(self) -> float:
        return self.session.low

    @property
    def high(self) -> float:
        return self.session.high

    def value_of(self, quantity: Quantity) -> float | None:
        """A figure in the estimate's unit, or None when it measures something else.

        An amount over the estimate's own period compares with its rate ("$3M" for a spend
        in $/month), and a rate compares with an amount its name puts over a period ("95 TB a
        year" for "audit log storage per year", unit TB).
        """
        kind, wanted = quantity.kind, self.spec.kind
        if kind == wanted:
            return quantity.value / self.spec.factor
        if self.period and (kind, wanted) in {("money", "money_rate"), ("bytes", "bytes_rate")}:
            return quantity.value / self.period / self.spec.factor
        if self.period and (kind, wanted) in {("money_rate", "money"), ("bytes_rate", "bytes")}:
            return quantity.value * self.period / self.spec.factor
        return None

    def compatible(self, quantity: Quantity) -> bool:
        """Same kind; a count, or a rate that names what it counts, must count the same thing
        (the unit's noun or a word of the name: "9,600 open streams" for "concurrent streams",
        unit "connections"; not "10k redirects/s" for the write rate)."""
        if self.value_of(quantity) is None:
            return False
        if self.spec.kind == "count" or (self.spec.kind == "rate" and quantity.nouns):
            return bool(quantity.nouns & self.stems)
        return True

    def off(self, value: float) -> float:
        """How many times ``value`` lies outside the range (1 inside, inf if not comparable)."""
        if self.low <= value <= self.high:
            return 1.0
        if value <= 0 or self.low <= 0:
            return math.inf
        return self.low / value if value < self.low else value / self.high

    def slipped(self, quantity: Quantity) -> bool:
        """The digits, read in the estimate's own unit, would be right, but its unit is not."""
        value = self.value_of(quantity)
        return self.off(quantity.number) <= _SLIP and not (
            value is not None and math.isclose(quantity.number, value, rel_tol=_SAME)
        )

    def fits(self, quantity: Quantity) -> bool:
        """Can this figure be an estimate of this: the right kind, or a unit slip of it."""
        if self.compatible(quantity):
            return True
        return quantity.kind in _family(self.spec.kind) and self.slipped(quantity)

    def handed_over(self, quantity: Quantity) -> bool:
        """An interviewer figure that is the answer itself, as written in the estimate's unit
        ("$3 million a month" for the monthly spend), and not one of its inputs."""
        if not self.compatible(quantity):
            return False
        value = self.value_of(quantity)
        written = value if quantity.kind == "percent" else quantity.number
        inputs = self.session.inputs.values()
        return (
            self.off(value) == 1.0
            and self.off(written) == 1.0
            and not any(math.isclose(value, given, rel_tol=_SAME) for given in inputs)
        )

    def verdict(self, quantity: Quantity) -> tuple[Status, float]:
        """The verdict on one figure, and its value in the estimate's unit."""
        value = self.value_of(quantity)
        if value is None:  # another kind of figure whose digits fit: a unit slip
            return "wrong_unit", quantity.number
        if self.compatible(quantity) and self.off(value) <= TOLERANCE:
            return "right", value
        if self.slipped(quantity) or not self.compatible(quantity):
            return "wrong_unit", value
        return ("magnitude" if self.magnitudes(value) >= MAGNITUDE else "off"), value

    def magnitudes(self, value: float) -> float:
        """How many times ``value`` is from the middle of the range (geometric), at least 1."""
        if value <= 0 or self.low <= 0:
            return math.inf
        middle = math.sqrt(self.low * self.high)
        return max(value / middle, middle / value)


class _Heard:
    """The figures the interviewer stated, by kind and value, with the turn that stated them."""

    def __init__(self, transcript: Transcript) -> None:
        self._by_key: dict[tuple[str, str], list[tuple[int, Quantity]]] = {}
        for position, turn in enumerate(transcript.turns):
            if turn.role == "interviewer":
                for quantity in extract_quantities(turn.text):
                    self._by_key.setdefault(_key(quantity), []).append((position, quantity))
        self._position = {turn.id: n for n, turn in enumerate(transcript.turns)}

    def repeats(self, quantity: Quantity, turn_id: int) -> bool:
        """Did the interviewer say this figure of this thing before the turn, as written ("15
        tokens" is not "15 engineers", and "11.6k/s" is the candidate's conversion of "1
        billion a day")?"""
        here = self._position.get(turn_id, 0)
        return any(
            position < here
            and math.isclose(other.value, quantity.value, rel_tol=_SAME)
            and math.isclose(other.number, quantity.number, rel_tol=_SAME)
            and (not (other.nouns and quantity.nouns) or bool(other.nouns & quantity.nouns))
            for position, other in self._by_key.get(_key(quantity), ())
        )


def _key(quantity: Quantity) -> tuple[str, str]:
    return quantity.kind, f"{quantity.number:.2g}"


_NUMBER = re.compile(
    r"(?<![A-Za-z])\d+(?:[.,]\d+)*"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|fifty|hundred"
    r"|thousand|million|billion|double|twice|triple|half)\b",
    re.IGNORECASE,
)
# What stands between the last input and a result: a sign or a word that concludes.
_CONCLUDES = re.compile(
    r"[=≈~→]|\b(?:so|that's|thats|is|are|gives?|giving|comes? to|works? out|makes?|means"
    r"|equals?|totals?|hence|therefore|i\.e\.|call it|needs?|requires?|round(?:ed)?(?: up)? to)\b",
    re.IGNORECASE,
)
# The same result restated right after it: "327,680 bytes, about 0.33 MB", "6 replicas, 24 GPUs".
_RESTATES = re.compile(
    r"^[^,;:]{0,12},\s*(?:about|roughly|around|approximately|or|i\.e\.|call it|say)?\s*$",
    re.IGNORECASE,
)
# A number that labels an item, not an input: "point 2 is 3 million", "option 3 is".
_LIST_LABEL = re.compile(r"(?:point|step|option|item|number|no\.|#|phase|case|part)\s*$", re.I)
_LABEL_END = re.compile(r"[).:]\s")
_LIST_LABEL_IN = re.compile(r"\b(?:point|step|option|item|number|no\.|phase|case|part)\s*\d", re.I)
_ARITHMETIC = re.compile(r"[×*/÷]|\b(?:times|divided|multiplied|plus|minus|over)\b", re.I)
# Both are matched at a position (``pattern.match(text, pos)``), which anchors them there.
_OPENS_WITH_CONCLUSION = re.compile(r"\W*(?:so|that's|thats|which|hence|therefore)\b", re.I)
_WORKING_AFTER = re.compile(r"[^(]{0,12}\(([^)\n]{0,200}\d[^)\n]{0,200}[×x*/÷][^)\n]{0,200})\)")
_PEAK = re.compile(r"\b(?:peak\w*|max(?:imum)?|busiest|burst\w*|spikes?)\b", re.IGNORECASE)
_AVERAGE = re.compile(r"\b(?:average|avg|mean|typical|normal|steady)\b", re.IGNORECASE)


def _concludes(gap: str) -> bool:
    """Does the text between an input and a figure conclude ("times 60 is about", "10x, so")?

    A list ("1,160 writes/s; redirects 11,600/s") or a new clause after a comma that does not
    conclude ("/s, redirects about") is not working.
    """
    if re.search(r"[;:]", gap) or _LIST_LABEL_IN.search(gap):
        return False
    return bool(_CONCLUDES.search(gap.rsplit(",", 1)[-1]))


@dataclass(frozen=True)
class _Numbers:
    """The numbers of one sentence that can be inputs (not list labels), found once."""

    text: str
    matches: tuple[re.Match[str], ...]
    starts: tuple[int, ...]
    first_operator: int  # where the first arithmetic operator is, or past the end

    @classmethod
    def of(cls, text: str) -> _Numbers:
        matches = tuple(
            number
            for number in _NUMBER.finditer(text)
            if not _LIST_LABEL.search(text, max(0, number.start() - 10), number.start())
            and not _LABEL_END.match(text, number.end())
        )
        operator = _ARITHMETIC.search(text)
        return cls(
            text,
            matches,
            tuple(m.start() for m in matches),
            operator.start() if operator else len(text) + 1,
        )

    def before(self, position: int) -> re.Match[str] | None:
        index = bisect_left(self.starts, position) - 1
        while index >= 0 and self.matches[index].end() > position:
            index -= 1
        return self.matches[index] if index >= 0 else None


def _derived(
    quantity: Quantity, numbers: _Numbers, previous: str | None, results: list[Quantity]
) -> bool:
    """Shown working: the nearest number before the figure leads to it with a concluding sign
    or word; or the figure restates a result just before it; or working in brackets follows it;
    or its sentence opens with "so" after a sentence with numbers. An operand ("100 billion
    times 500 bytes") is not a result. ``results``: the worked figures before it."""
    text = numbers.text
    before = numbers.before(quantity.start)
    if before is not None:
        gap = text[before.end() : quantity.start]
        if _concludes(gap):
            return True
        # "6 replicas, 24 GPUs" after a result; "1,000 times 64 bytes, about 64 GB" after a sum.
        restated = results and results[-1].end >= before.end()
        if _RESTATES.match(gap) and (restated or numbers.first_operator < before.start()):
            return True
    if _WORKING_AFTER.match(text, quantity.end):
        return True
    return bool(
        previous
        and before is None
        and _NUMBER.search(previous)
        and _OPENS_WITH_CONCLUSION.match(text, 0, quantity.start)
    )


def _qualifier(quantity: Quantity, text: str) -> str | None:
    """Peak or average, when the words around a figure say which it is ("at peak that's
    3,500 writes/s", "35k/s peak"), or the sentence opens by saying so ("At peak, ...")."""
    window = text[max(0, quantity.start - 40) : quantity.start]
    cut = [m.end() for m in _NUMBER.finditer(window)] + [
        m.end() for m in re.finditer("[,;]", window)
    ]
    window = window[max(cut, default=0) :]
    after = re.match(r"[^,;.\d]{0,30}", text[quantity.end :])
    window += " " + (after.group(0) if after else "")
    opening = " ".join(text.split()[:4])
    for words in (window, opening):
        if _PEAK.search(words):
            return "peak"
        if _AVERAGE.search(words):
            return "average"
    return None


def _figures(transcript: Transcript) -> list[_Figure]:
    sentences = candidate_sentences(transcript)
    heard = _Heard(transcript)
    figures = []
    for index, sentence in enumerate(sentences):
        context = set(sentence.stems)
        for back in range(1, CONTEXT_SENTENCES):
            if index - back < 0 or sentences[index - back].turn_id != sentence.turn_id:
                break
            context |= sentences[index - back].stems
        same_turn = index and sentences[index - 1].turn_id == sentence.turn_id
        previous = sentences[index - 1].text if same_turn else None
        results: list[Quantity] = []
        numbers = _Numbers.of(sentence.text)
        for quantity in extract_quantities(sentence.text):
            derived = _derived(quantity, numbers, previous, results)
            if derived:
                results.append(quantity)
            if heard.repeats(quantity, sentence.turn_id):
                continue
            figures.append(
                _Figure(
                    quantity,
                    sentence,
                    index,
                    frozenset(context),
                    derived,
                    _qualifier(quantity, sentence.text),
                )
            )
    return figures


_ORDER = ("right", "wrong_unit", "off", "magnitude", "unsupported")


def _check_one(
    target: _Target,
    figures: list[_Figure],
    heard: list[tuple[int, Quantity]],
    rivals: list[_Target],
    taken: frozenset[tuple[int, int]] = frozenset(),
) -> tuple[EstimateResult, tuple[int, int] | None]:
    """The verdict on one estimate, and which figure decided it (sentence index, position)."""
    session = target.session
    base = dict(
        name=session.name,
        unit=session.estimate.unit,
        expected_low=target.low,
        expected_high=target.high,
        inputs_stated=tuple(_said(item) for item in session.stated),
    )
    name = session.name
    wanted = "peak" if _PEAK.search(name) else ("average" if _AVERAGE.search(name) else None)
    candidates = [
        figure
        for figure in figures
        if target.fits(figure.quantity)
        and figure.qualifier in (None, wanted)
        and figure.key not in taken
    ]
    about = [figure for figure in candidates if target.stems & figure.context]
    if not about:
        # A figure in the estimation step that names no other estimate may still be this one.
        about = [
            figure
            for figure in candidates
            if figure.sentence.phase == "estimation"
            and not any(rival.stems & figure.sentence.stems for rival in rivals)
        ]
    # The interviewer handed the answer over before the candidate got to it: nothing to
    # estimate. Confirming the candidate's figure afterwards takes nothing away.
    first = min((figure.sentence.turn_id for figure in about), default=None)
    given = next(
        (q for turn_id, q in heard if (first is None or turn_id < first) and target.handed_over(q)),
        None,
    )
    if given is not None:
        return EstimateResult(**base, status="given", stated=given.text), None
    worked = [figure for figure in about if figure.derived]
    pool = [figure for figure in worked if figure.sentence.phase == "estimation"] or worked
    if not pool:
        if not about:
            return EstimateResult(**base, status="missing"), None
        figure, status = about[-1], "unsupported"
        value = figure.quantity.value / target.spec.factor
    else:
        judged = [(target.verdict(figure.quantity), figure) for figure in pool]
        (status, value), figure = min(
            judged, key=lambda item: (_ORDER.index(item[0][0]), target.off(item[0][1]))
        )
    result = EstimateResult(
        **base,
        status=status,
        stated=figure.quantity.text,
        stated_value=float(f"{value:.4g}"),
        turn_id=figure.sentence.turn_id,
        t=figure.sentence.t,
    )
    return result, figure.key


def _period(estimate: ReferenceEstimate) -> float | None:
    """The period a unit ("USD/month") or, for an amount, a name ("... per year") counts over."""
    _, slash, denominator = estimate.unit.partition("/")
    words = [denominator.strip()] if slash else re.findall(r"[a-z]+", estimate.name.lower())
    # In a name only the period words count ("per year"), not "s" or "min" in passing.
    words = words if slash else [w for w in words if len(w) > 2]
    return next((seconds for w in words if (seconds := seconds_in(w)) is not None), None)


def _said(item: StatedInput) -> str:
    return f'{item.name} = {item.value:g} (the interviewer said "{item.said}")'


def check_estimates(
    problem: Problem,
    transcript: Transcript,
    references: list[SessionEstimate] | None = None,
) -> list[EstimateResult]:
    """The check of every reference estimate; ``references`` are this session's, when the
    caller already has them (:func:`rubrics.session_inputs.session_estimates`)."""
    sessions = references if references is not None else session_estimates(problem, transcript)
    targets: dict[str, _Target | None] = {}
    for session in sessions:
        spec = parse_unit(session.estimate.unit)
        stems = frozenset(_name_stems(session.estimate, spec)) if spec else frozenset()
        period = _period(session.estimate)
        targets[session.name] = _Target(session, spec, stems, period) if spec else None
    figures = _figures(transcript)
    heard = [
        (turn.id, q)
        for turn in transcript.turns
        if turn.role == "interviewer"
        for q in extract_quantities(turn.text)
    ]

    def judge(session: SessionEstimate, taken=frozenset()):
        target = targets[session.name]
        if target is None:
            missing = EstimateResult(
                name=session.name,
                unit=session.estimate.unit,
                expected_low=session.low,
                expected_high=session.high,
                status="missing",
            )
            return missing, None
        rivals = [
            other
            for other in targets.values()
            if other is not None
            and other is not target
            and _family(other.spec.kind) == _family(target.spec.kind)
        ]
        return _check_one(target, figures, heard, rivals, taken)

    results = {session.name: judge(session) for session in sessions}
    # One figure answers one estimate: where two claim it, the better verdict keeps it and the
    # other is judged again without it ("2 GB" for the counters is not the log's answer too).
    keeper: dict[tuple[int, int], str] = {}
    for name, (result, key) in results.items():
        if key is None:
            continue
        rival = keeper.get(key)
        if rival is None or _ORDER.index(result.status) < _ORDER.index(results[rival][0].status):
            keeper[key] = name
    for session in sessions:
        result, key = results[session.name]
        if key is not None and keeper[key] != session.name:
            taken = frozenset(k for k, owner in keeper.items() if owner != session.name)
            results[session.name] = judge(session, taken)
    return [results[session.name][0] for session in sessions]
