"""The offline judge: deterministic scores from what can be counted in the candidate's words.

Every signal is capped and counts distinct things (key points, quantities, statements), so
saying more does not score more: coverage of each phase's expected key points (see
:mod:`rubrics.coverage`), numbers with units and the estimation check, explicit trade-off and
failure-mode statements, monitoring metrics with thresholds, and for communication, structure
and focus, with buzzword density counting against it.

Each dimension gets a strength between 0 and 1, mapped to the 1-4 scale by :data:`LEVEL_CUTS`.
"""

from __future__ import annotations

import re

from problems.phases import PHASE_IDS
from rubrics.coverage import FLOW, buzzword_count, has_reason, is_substantive
from rubrics.judge import GradingContext, JudgedDimension, Progress
from rubrics.quantities import extract_quantities
from rubrics.rubric import Dimension
from rubrics.scorecard import Cost, Evidence
from rubrics.text import Sentence, word_count

__all__ = ["LEVEL_CUTS", "HeuristicJudge", "strength_to_score"]

PROMPT_VERSION = "heuristic.v1"
LEVEL_CUTS = ((0.8, 4), (0.55, 3), (0.3, 2))
# Claims wrapped in hedges and buzzwords are worth less: above VAGUENESS_FREE per 100 words,
# phase strengths shrink by a fifth per extra point, by at most VAGUENESS_MAX_PENALTY.
VAGUENESS_FREE = 0.75
VAGUENESS_MAX_PENALTY = 0.45
MAX_EVIDENCE = 3

_TRADEOFF = re.compile(
    r"\b(trade-?offs?|at the cost of|the cost is|the downside|the price is|we give up|in exchange"
    r"|instead of|rather than|over\b.{1,40}\bbecause|versus|vs\.?|the catch is|worse for|better for"
    r"|which costs|costs us|cost is|costs? (?:is|are)|\w+ over \w+ ?[:,;-]"
    r"|prefer \w+ (?:to|over))\b",
    re.I,
)
_FAILURE = re.compile(
    r"\b(if|when)\b[^.?!]{0,60}\b(fails?|failing|down|dies|crash\w*|unavailable|partition\w*|lost"
    r"|times? out|outage|overload\w*|goes dark|falls over)\b"
    r"|\b(fail ?over|fallback|fall back|retr(y|ies)|circuit breaker|degrade\w*|replay|recover\w*"
    r"|backoff|rpo|rto|fail ?back|replicas?|redundan\w*|melt\w*|blast radius|dead[- ]letter|dlq"
    r"|quorum|idempoten\w*)\b",
    re.I,
)
_METRIC = re.compile(
    r"\b(p50|p90|p95|p99|p999|latency|error rate|errors?|hit (ratio|rate)|saturation|utili[sz]ation"
    r"|throughput|queue depth|lag|availability|uptime|slo|sli|ttft|tokens/s|cost|accuracy|recall"
    r"|precision|drift|budget|burn rate|5xx|4xx|timeouts?)\b",
    re.I,
)
_THRESHOLD = re.compile(
    r"(>|<|≥|≤|\babove\b|\bbelow\b|\bover\b|\bunder\b|\bexceeds?\b|\bdrops?\b|\bmore than\b"
    r"|\bless than\b|\bat least\b|\bat most\b|\bbreach\w*|\bfor \d+ ?(min|minutes|s|seconds))",
    re.I,
)
_ALERT = re.compile(r"\b(alert|page|pager|alarm|notify|on-call|fire|wake)\w*\b", re.I)
_SIGNPOST = re.compile(
    r"\b(first|second|third|next|then|finally|let me|let's|to summari[sz]e|so far|moving on"
    r"|in summary|step \d|my plan|i'll start|i will start|overall)\b",
    re.I,
)
_LONG_TURN_WORDS = 220
# Where design trade-offs and failure modes belong (not "rather than ask questions...").
_DESIGN_PHASES = {"high_level_design", "deep_dive", "tradeoffs", "monitoring"}
_HEDGE = re.compile(
    r"\b(i guess|i think|maybe|probably|kind of|sort of|just|hopefully|should be fine|i'm not sure"
    r"|not sure|somehow|stuff|things like that|or something|whatever|basically)\b",
    re.I,
)


def strength_to_score(strength: float) -> int:
    return next((score for cut, score in LEVEL_CUTS if strength >= cut), 1)


def _capped(count: int, cap: int) -> float:
    return min(count, cap) / cap


def _distinct(sentences: list[Sentence]) -> list[Sentence]:
    seen: set[str] = set()
    unique = []
    for sentence in sentences:
        key = sentence.normalised
        if key not in seen:
            seen.add(key)
            unique.append(sentence)
    return unique


def _quote(sentence: Sentence) -> Evidence:
    words = sentence.text.split()
    text = " ".join(words[:40])
    # The quote must be a verbatim substring of the turn: cut at a word boundary.
    if len(words) > 40:
        text = sentence.text[: sentence.text.find(words[39]) + len(words[39])]
    return Evidence(turn_id=sentence.turn_id, t=sentence.t, quote=text)


def _evidence(sentences: list[Sentence]) -> list[Evidence]:
    return [_quote(sentence) for sentence in _distinct(sentences)[:MAX_EVIDENCE]]


class HeuristicJudge:
    """Deterministic and offline; the same transcript always gets the same scorecard."""

    name = "offline-heuristic"
    prompt_version = PROMPT_VERSION

    async def judge(
        self, context: GradingContext, dimensions: list[Dimension], progress: Progress
    ) -> tuple[dict[str, JudgedDimension], Cost]:
        results = {}
        for dimension in dimensions:
            progress(dimension.id, "started")
            results[dimension.id] = self.judge_one(context, dimension.id)
            progress(dimension.id, "done")
        return results, Cost()

    def judge_one(self, context: GradingContext, dimension_id: str) -> JudgedDimension:
        method = getattr(self, f"_{dimension_id}", None)
        if method is None:
            return JudgedDimension(None, error=f"the offline judge cannot grade {dimension_id}")
        strength, rationale, evidence = method(context)
        if dimension_id in PHASE_IDS:
            vagueness = self._vagueness(context)
            factor = 1 - min(VAGUENESS_MAX_PENALTY, max(0.0, vagueness - VAGUENESS_FREE) / 5)
            if factor < 1:
                strength *= factor
                rationale += (
                    f"; discounted to {factor:.0%} for {vagueness:.1f} hedges or buzzwords "
                    "per 100 words"
                )
        strength = max(0.0, min(1.0, strength))
        return JudgedDimension(
            strength_to_score(strength),
            rationale=f"{rationale} (strength {strength:.2f})",
            evidence=evidence,
        )

    # -- helpers ----------------------------------------------------------------------------

    def _vagueness(self, context: GradingContext) -> float:
        """Hedges ("I guess", "probably") and buzzwords per 100 candidate words."""
        words = sum(word_count(s.text) for s in context.sentences)
        if not words:
            return 0.0
        vague = sum(
            len(_HEDGE.findall(s.text)) + buzzword_count(s.normalised) for s in context.sentences
        )
        return vague / words * 100

    def _in_phase(self, context: GradingContext, phase: str) -> list[Sentence]:
        return [s for s in context.sentences if s.phase == phase and is_substantive(s)]

    def _coverage(self, context: GradingContext, phase: str) -> tuple[float, str, list[Sentence]]:
        coverage = context.coverage[phase]
        hit_sentences = [hit.sentence for hit in coverage.hits]
        covered = len(coverage.hits)
        return coverage.score, f"covered {covered} of {coverage.total} key points", hit_sentences

    def _quantities_in(self, sentences: list[Sentence]) -> list[Sentence]:
        return [s for s in sentences if extract_quantities(s.text)]

    # -- the phases -------------------------------------------------------------------------

    def _clarify(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "clarify")
        questions = _distinct([s for s in self._in_phase(context, "clarify") if "?" in s.text])
        strength = 0.6 * coverage + 0.4 * _capped(len(questions), 4)
        return strength, f"{said}; asked {len(questions)} questions", _evidence(hits + questions)

    def _requirements(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "requirements")
        numbered = self._quantities_in(self._in_phase(context, "requirements"))
        strength = 0.6 * coverage + 0.4 * _capped(len(_distinct(numbered)), 3)
        rationale = f"{said}; {len(numbered)} requirement statements carry numbers"
        return strength, rationale, _evidence(numbered + hits)

    def _estimation(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "estimation")
        results = context.estimates
        right = sum(1 for r in results if r.status == "right")
        off = sum(1 for r in results if r.status == "off")
        accuracy = (right + 0.25 * off) / len(results) if results else 0.0
        numbered = self._quantities_in(self._in_phase(context, "estimation"))
        strength = 0.3 * coverage + 0.5 * accuracy + 0.2 * _capped(len(_distinct(numbered)), 4)
        rationale = (
            f"{said}; estimation check: {right} right, {off} off, "
            f"{len(results) - right - off} missing of {len(results)}"
        )
        by_turn = {s.turn_id: s for s in numbered}
        stated = [
            by_turn[r.turn_id] for r in results if r.status == "right" and r.turn_id in by_turn
        ]
        return strength, rationale, _evidence(stated + numbered + hits)

    def _high_level_design(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "high_level_design")
        flow = [s for s in self._in_phase(context, "high_level_design") if FLOW.search(s.text)]
        strength = 0.8 * coverage + 0.2 * _capped(len(_distinct(flow)), 3)
        return strength, f"{said}; {len(flow)} statements trace the flow", _evidence(hits + flow)

    def _deep_dive(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "deep_dive")
        mechanisms = [
            s
            for s in self._in_phase(context, "deep_dive")
            if has_reason(s.text) or extract_quantities(s.text)
        ]
        strength = 0.6 * coverage + 0.4 * _capped(len(_distinct(mechanisms)), 4)
        rationale = (
            f"{said}; {len(mechanisms)} statements explain a mechanism with a reason or number"
        )
        return strength, rationale, _evidence(hits + mechanisms)

    def _tradeoffs(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "tradeoffs")
        candidates = [
            s for s in context.sentences if is_substantive(s) and s.phase in _DESIGN_PHASES
        ]
        tradeoffs = _distinct([s for s in candidates if _TRADEOFF.search(s.text)])
        failures = _distinct(
            [s for s in candidates if _FAILURE.search(s.text) and s not in tradeoffs]
        )
        strength = (
            0.4 * coverage + 0.35 * _capped(len(tradeoffs), 3) + 0.25 * _capped(len(failures), 2)
        )
        rationale = (
            f"{said}; {len(tradeoffs)} explicit trade-off statements, "
            f"{len(failures)} failure-mode statements"
        )
        return strength, rationale, _evidence(tradeoffs[:2] + failures[:1] + hits)

    def _monitoring(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "monitoring")
        metrics = [s for s in context.sentences if _METRIC.search(s.text) and is_substantive(s)]
        with_threshold = _distinct(
            [
                s
                for s in metrics
                if extract_quantities(s.text)
                and (_THRESHOLD.search(s.text) or _ALERT.search(s.text))
                and s.phase in {"monitoring", "tradeoffs", "deep_dive", "requirements"}
            ]
        )
        alerting = [s for s in with_threshold if _ALERT.search(s.text)]
        strength = 0.5 * coverage + 0.35 * _capped(len(with_threshold), 3)
        strength += 0.15 * _capped(len(alerting), 1)
        rationale = f"{said}; {len(with_threshold)} metrics with thresholds, {len(alerting)} alerts"
        return strength, rationale, _evidence(with_threshold + hits)

    # -- the whole answer -------------------------------------------------------------------

    def _quantification(self, context: GradingContext):
        seen: set[tuple[str, float]] = set()
        numbered: list[Sentence] = []
        phases_with_numbers: set[str] = set()
        for sentence in context.sentences:
            if not is_substantive(sentence):
                continue
            for quantity in extract_quantities(sentence.text):
                key = (quantity.kind, round(quantity.value, 6))
                if key not in seen:
                    seen.add(key)
                    numbered.append(sentence)
                    phases_with_numbers.add(sentence.phase)
        expected = {"requirements", "estimation", "high_level_design", "deep_dive", "monitoring"}
        spread = len(phases_with_numbers & expected) / len(expected)
        results = context.estimates
        accuracy = sum(1 for r in results if r.status == "right") / len(results) if results else 0.0
        strength = 0.35 * _capped(len(seen), 12) + 0.35 * spread + 0.3 * accuracy
        rationale = (
            f"{len(seen)} distinct quantities with units, in {len(phases_with_numbers & expected)} "
            f"of {len(expected)} phases that call for numbers"
        )
        return strength, rationale, _evidence(numbered)

    def _communication(self, context: GradingContext):
        turns = [turn for turn in context.transcript.candidate_turns if turn.text.strip()]
        if not turns or not context.sentences:
            return 0.0, "the candidate said nothing", []
        sentences = context.sentences
        phases_spoken = {s.phase for s in sentences if is_substantive(s)}
        structure = len(phases_spoken) / 7
        words = [word_count(turn.text) for turn in turns]
        focus = 1 - sum(1 for count in words if count > _LONG_TURN_WORDS) / len(turns)
        precise = [s for s in sentences if has_reason(s.text) or extract_quantities(s.text)]
        precision = min(1.0, len(precise) / len(sentences) / 0.5)
        vagueness = self._vagueness(context)
        signposts = _distinct([s for s in sentences if _SIGNPOST.search(s.text)])
        strength = (
            0.25 * structure
            + 0.15 * focus
            + 0.25 * precision
            + 0.15 * _capped(len(signposts), 3)
            + 0.2 * max(0.0, 1 - vagueness / 4)
        )
        rationale = (
            f"spoke with substance in {len(phases_spoken)} of 7 phases; "
            f"{len(precise)} of {len(sentences)} sentences carry a number or a reason; "
            f"{len(words) - round(focus * len(words))} turns over {_LONG_TURN_WORDS} words; "
            f"{vagueness:.1f} hedges or buzzwords per 100 words"
        )
        return strength, rationale, _evidence(signposts + precise)
