"""The offline judge: deterministic scores from what the candidate's own words show.

Relevance comes before volume. Every signal reads only the candidate's *own* sentences (echoes of
the interviewer or the problem statement earn nothing), in the phases where they belong, and is
capped and counts distinct things, so saying more does not score more:

- **Topicality gates.** A phase that never names the problem's defining concepts for that phase
  scores at most 2; a design that fits another problem of the bank better than this one is
  flagged as pasted and its design phases score 1 (:mod:`rubrics.topicality`).
- **Phases.** Key-point coverage in the phase (:mod:`rubrics.coverage`) plus the phase's own
  evidence: questions asked while clarifying, requirements with numbers, the estimation check,
  statements tracing the request flow, mechanisms with a reason or a number, explicit trade-offs
  and failure modes, metrics with thresholds and alerts.
- **Quantification.** Numbers count when they are tied to a requirement, a component or a
  decision in their sentence, and when they are right (the estimation check).
- **Communication.** Whether the interviewer's questions got an answer of substance, whether the
  answer walked through the steps, and whether turns stay focused.
- **Hedging** is counted per claim: the share of the candidate's claims wrapped in "I guess",
  "probably" or buzzwords, whatever the padding around them.

Each dimension gets a strength between 0 and 1, mapped to the 1-4 scale by :data:`LEVEL_CUTS`.
"""

from __future__ import annotations

import asyncio
import re

from rubrics.coverage import FLOW, buzzword_count, explains, is_substantive
from rubrics.judge import GradingContext, JudgedDimension, Progress
from rubrics.quantities import extract_quantities
from rubrics.rubric import Dimension
from rubrics.scorecard import Cost, Evidence
from rubrics.text import Sentence, word_count

__all__ = ["ESTIMATE_CREDIT", "LEVEL_CUTS", "HeuristicJudge", "strength_to_score"]

PROMPT_VERSION = "heuristic.v2"
LEVEL_CUTS = ((0.8, 4), (0.55, 3), (0.3, 2))
OFF_TOPIC_CAP = 2  # a phase without the problem's defining concepts
PASTED_CAP = 1  # a design phase of an answer pasted from another problem
WRONG_NUMBERS_CAP = 3  # "4" needs numbers that hold: not with estimates 10x or more off
# Hedged claims beyond this share shrink phase strengths, by HEDGE_SLOPE per extra share and at
# most VAGUENESS_MAX_PENALTY.
HEDGE_FREE_SHARE = 0.15
HEDGE_SLOPE = 1.6
VAGUENESS_MAX_PENALTY = 0.5
MAX_EVIDENCE = 3
# What each verdict of the estimation check is worth; "given" estimates count neither way.
ESTIMATE_CREDIT = {
    "right": 1.0,
    "off": 0.35,
    "unsupported": 0.15,
    "wrong_unit": 0.1,
    "magnitude": 0.0,
    "missing": 0.0,
}

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
    r"|quorum|idempoten\w*|fail (?:open|closed))\b",
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
_HEDGE = re.compile(
    r"\b(i guess|i think|maybe|probably|kind of|sort of|hopefully|should be fine|i'm not sure"
    r"|not sure|somehow|stuff|things like that|or something|whatever|basically|i suppose"
    r"|more or less|i'd assume)\b",
    re.I,
)
# Options listed without a choice: "we could use X, or Y, or Z, whatever performs best".
_UNDECIDED = re.compile(
    r"\bwhatever (?:performs|works|is) best\b|\bimplementation detail\b|\bor a hybrid\b"
    r"|\bwe could (?:also )?(?:use|do|have|add|try)\b|\bwe'?d evaluate\b|\bit depends\b"
    r"|\bpros and cons\b|(?:,? or (?:a |an |the )?[\w-]+(?: [\w-]+)?){3,}",
    re.I,
)
_DECIDED = re.compile(
    r"\b(?:i'?d (?:pick|choose|go with|use|do)|we(?:'ll| will) use|i(?:'ll| will) (?:pick|use|go)"
    r"|my choice|i'd rather|the (?:right|better) choice)\b",
    re.I,
)
# What ties a number to the design: a requirement, a component, or a decision.
_REQUIREMENT = re.compile(
    r"\b(p50|p90|p95|p99|p999|latency|availability|uptime|nines|slo|sla|target|budget"
    r"|throughput|durab\w*|retention|error rate|rpo|rto|deadline|cost|spend)\b",
    re.I,
)
_COMPONENT = re.compile(
    r"\b(cache|caches|database|postgres|mysql|cassandra|dynamo\w*|redis|queue|kafka|topic"
    r"|partitions?|shards?|replicas?|nodes?|servers?|gpus?|h100s?|index|pods?|cluster|broker"
    r"|workers?|regions?|instances?|disk|ram|cdn|gateway|proxy|load balancer|pool)\b",
    re.I,
)
_DECISION = re.compile(
    r"\b(so we|which means|means we|we need|fits?|enough|provision\w*|choose|pick|go with"
    r"|budget for|headroom|rules out|too (?:big|much|many|slow))\b|→|=>",
    re.I,
)
_LONG_TURN_WORDS = 220
_ANSWER_WORDS = 5
_ASKS_HOW = re.compile(
    r"\b(how (?:does|do|would|will|is|are)|what happens|which (?:component|store|database)"
    r"|what kind|where (?:does|do|is)|walk me through|trace|sketch|why)\b",
    re.I,
)
_ASKS_FOR_NUMBERS = re.compile(
    r"\b(how (?:many|much|big|fast|long)|numbers?|peak|rate|size|estimate|qps|budget)\b", re.I
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
    usable = [s for s in _distinct(sentences) if word_count(s.text) >= 4]
    return [_quote(sentence) for sentence in usable[:MAX_EVIDENCE]]


def _tied(sentence: Sentence, context: GradingContext) -> bool:
    """A number said about a requirement, a component, a decision, or this problem's things."""
    text = sentence.text
    if _REQUIREMENT.search(text) or _COMPONENT.search(text) or _DECISION.search(text):
        return True
    return context.topicality.on_topic(sentence)


def estimate_accuracy(context: GradingContext) -> tuple[float, int]:
    """Mean credit of the estimation check over the estimates left to the candidate."""
    judged = [row for row in context.estimates if row.status != "given"]
    if not judged:
        return 0.0, 0
    return sum(ESTIMATE_CREDIT[row.status] for row in judged) / len(judged), len(judged)


class HeuristicJudge:
    """Deterministic and offline; the same transcript always gets the same scorecard."""

    name = "offline-heuristic"
    prompt_version = PROMPT_VERSION

    async def judge(
        self, context: GradingContext, dimensions: list[Dimension], progress: Progress
    ) -> tuple[dict[str, JudgedDimension], Cost]:
        # The counting is CPU work: off the event loop, then progress is told on it.
        results = await asyncio.to_thread(
            lambda: {
                dimension.id: self.judge_one(context, dimension.id) for dimension in dimensions
            }
        )
        for dimension in dimensions:
            progress(dimension.id, "started")
            progress(dimension.id, "done")
        return results, Cost()

    def judge_one(self, context: GradingContext, dimension_id: str) -> JudgedDimension:
        method = getattr(self, f"_{dimension_id}", None)
        if method is None:
            return JudgedDimension(None, error=f"the offline judge cannot grade {dimension_id}")
        strength, rationale, evidence = method(context)
        flags: list[str] = []
        if dimension_id in context.problem.key_points:
            strength, rationale = self._discount_hedging(context, strength, rationale)
        strength = max(0.0, min(1.0, strength))
        score = strength_to_score(strength)
        score, flags = self._gates(context, dimension_id, score)
        return JudgedDimension(
            score,
            rationale=f"{rationale} (strength {strength:.2f})",
            evidence=evidence,
            flags=flags,
        )

    # -- gates and helpers ------------------------------------------------------------------

    def _gates(self, context: GradingContext, dimension_id: str, score: int) -> tuple[int, list]:
        flags = []
        topicality = context.topicality
        pasted_caps = {
            "high_level_design": PASTED_CAP,
            "deep_dive": PASTED_CAP,
            "tradeoffs": PASTED_CAP,
            "monitoring": PASTED_CAP,
            "communication": OFF_TOPIC_CAP,  # answered, but for another problem
        }
        cap = pasted_caps.get(dimension_id)
        if topicality.pasted and cap is not None and score > cap:
            flags.append(f"capped at {cap}: {topicality.describe()}")
            score = cap
        design = ("high_level_design", "deep_dive")
        off_design = all(topicality.missing.get(phase) for phase in design)
        if off_design and dimension_id in design and score > PASTED_CAP:
            flags.append(
                f"capped at {PASTED_CAP}: the design never names what this problem is about "
                f"({'; '.join(topicality.missing['high_level_design'])})"
            )
            score = PASTED_CAP
        if dimension_id in design and score > WRONG_NUMBERS_CAP and self._wildly_wrong(context):
            flags.append(
                f"capped at {WRONG_NUMBERS_CAP}: the design is sized on estimates wrong by orders "
                "of magnitude"
            )
            score = WRONG_NUMBERS_CAP
        missing = topicality.missing.get(dimension_id)
        if off_design and dimension_id in {"tradeoffs", "monitoring"} and not missing:
            missing = ["trade-offs and metrics of a design that is not this problem's"]
        if missing and score > OFF_TOPIC_CAP:
            flags.append(
                f"capped at {OFF_TOPIC_CAP}: never names what this problem is about here "
                f"({'; '.join(missing)})"
            )
            score = OFF_TOPIC_CAP
        return score, flags

    def _claims(self, context: GradingContext) -> list[Sentence]:
        """The candidate's own statements about the design: not questions, of some length, and
        saying something about a component, a number or how something works. Filler ("we would
        meet weekly") is not a claim, so padding cannot dilute the hedged share."""
        return [
            s
            for s in context.own_sentences
            if not s.text.rstrip().endswith("?")
            and word_count(s.text) >= 5
            and (explains(s.text) or _COMPONENT.search(s.text) or extract_quantities(s.text))
        ]

    def _hedged_share(self, context: GradingContext) -> float:
        # Only claims about this problem count, so generic filler cannot dilute the share.
        claims = [s for s in self._claims(context) if context.topicality.on_topic(s)]
        if not claims:
            return 0.0
        hedged = [
            s
            for s in claims
            if _HEDGE.search(s.text)
            or (_UNDECIDED.search(s.text) and not _DECIDED.search(s.text))
            or not is_substantive(s)
            or buzzword_count(s.normalised) >= 2
        ]
        return len(hedged) / len(claims)

    def _discount_hedging(self, context: GradingContext, strength: float, rationale: str):
        share = self._hedged_share(context)
        factor = 1 - min(VAGUENESS_MAX_PENALTY, HEDGE_SLOPE * max(0.0, share - HEDGE_FREE_SHARE))
        if factor < 1:
            strength *= factor
            rationale += f"; discounted to {factor:.0%}: {share:.0%} of claims hedged or buzzwords"
        return strength, rationale

    def _wildly_wrong(self, context: GradingContext) -> bool:
        """Two or more estimates off by orders of magnitude or in the wrong unit, and at least
        two in five of the estimates left to the candidate."""
        judged = [row for row in context.estimates if row.status != "given"]
        wild = [row for row in judged if row.status in {"magnitude", "wrong_unit"}]
        return len(wild) >= 2 and len(wild) >= 0.4 * len(judged)

    def _in(self, context: GradingContext, *phases: str) -> list[Sentence]:
        return [s for s in context.own_sentences if s.phase in phases and is_substantive(s)]

    def _coverage(self, context: GradingContext, phase: str) -> tuple[float, str, list[Sentence]]:
        coverage = context.coverage[phase]
        hits = [hit.sentence for hit in coverage.hits]
        return coverage.score, f"covered {len(coverage.hits)} of {coverage.total} key points", hits

    def _phases_of(self, context: GradingContext, dimension_id: str) -> tuple[str, ...]:
        rule = context.rubric.dimension(dimension_id).evidence
        return tuple(rule.phases) if rule and rule.phases else (dimension_id,)

    # -- the phases -------------------------------------------------------------------------

    def _clarify(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "clarify")
        questions = _distinct([s for s in self._in(context, "clarify") if "?" in s.text])
        strength = 0.45 * coverage + 0.55 * _capped(len(questions), 3)
        if not coverage:
            strength = min(strength, 0.54)  # questions, but none about what changes the design
        return (
            strength,
            f"{said}; asked {len(questions)} question{'' if len(questions) == 1 else 's'}",
            _evidence(hits + questions),
        )

    def _requirements(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "requirements")
        stated = [s for s in self._in(context, "requirements") if not s.text.rstrip().endswith("?")]
        numbered = _distinct([s for s in stated if extract_quantities(s.text)])
        strength = 0.6 * coverage + 0.4 * _capped(len(numbered), 3)
        rationale = f"{said}; {len(numbered)} requirement statements carry numbers"
        return strength, rationale, _evidence(numbered + hits)

    def _estimation(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "estimation")
        accuracy, judged = estimate_accuracy(context)
        counts = {status: 0 for status in ESTIMATE_CREDIT}
        for row in context.estimates:
            if row.status in counts:
                counts[row.status] += 1
        worked = _distinct(
            [s for s in self._in(context, "estimation") if len(extract_quantities(s.text)) >= 2]
        )
        strength = 0.3 * coverage + 0.55 * accuracy + 0.15 * _capped(len(worked), 4)
        if judged and (accuracy < 0.3 or self._wildly_wrong(context)):
            strength = min(strength, 0.54)  # wrong orders of magnitude: at most "Partial"
        rationale = (
            f"{said}; estimation check over {judged}: {counts['right']} right, "
            f"{counts['off']} off, {counts['magnitude']} off by an order of magnitude, "
            f"{counts['wrong_unit']} in the wrong unit, {counts['unsupported']} without working, "
            f"{counts['missing']} missing"
        )
        by_turn = {s.turn_id: s for s in worked}
        right = [
            by_turn[r.turn_id]
            for r in context.estimates
            if r.status == "right" and r.turn_id in by_turn
        ]
        return strength, rationale, _evidence(right + worked + hits)

    def _high_level_design(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "high_level_design")
        flow = _distinct([s for s in self._in(context, "high_level_design") if FLOW.search(s.text)])
        strength = 0.75 * coverage + 0.25 * _capped(len(flow), 3)
        return strength, f"{said}; {len(flow)} statements trace the flow", _evidence(hits + flow)

    def _deep_dive(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "deep_dive")
        mechanisms = _distinct(
            [
                s
                for s in self._in(context, "deep_dive")
                if not s.text.rstrip().endswith("?") and explains(s.text)
            ]
        )
        strength = 0.75 * coverage + 0.25 * _capped(len(mechanisms), 4)
        rationale = f"{said}; {len(mechanisms)} statements explain how something works or why"
        return strength, rationale, _evidence(hits + mechanisms)

    def _tradeoffs(self, context: GradingContext):
        coverage, said, hits = self._coverage(context, "tradeoffs")
        # A trade-off or failure of this design names something of this problem.
        candidates = [
            s
            for s in self._in(context, *self._phases_of(context, "tradeoffs"))
            if not s.text.rstrip().endswith("?") and context.topicality.on_topic(s)
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
        metrics = [
            s
            for s in self._in(context, *self._phases_of(context, "monitoring"))
            if _METRIC.search(s.text) and context.topicality.on_topic(s)
        ]
        with_threshold = _distinct(
            [
                s
                for s in metrics
                if extract_quantities(s.text)
                and (_THRESHOLD.search(s.text) or _ALERT.search(s.text))
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
        phases: set[str] = set()
        loose = 0
        for sentence in self._claims(context):
            quantities = extract_quantities(sentence.text)
            if not quantities:
                continue
            if not _tied(sentence, context):
                loose += 1
                continue
            for quantity in quantities:
                key = (quantity.kind, round(quantity.value, 6))
                if key not in seen:
                    seen.add(key)
                    numbered.append(sentence)
                    phases.add(sentence.phase)
        expected = {"requirements", "estimation", "high_level_design", "deep_dive", "monitoring"}
        spread = len(phases & expected) / len(expected)
        accuracy, judged = estimate_accuracy(context)
        strength = 0.35 * _capped(len(seen), 10) + 0.35 * spread + 0.3 * accuracy
        if judged and (accuracy < 0.25 or self._wildly_wrong(context)):
            strength = min(strength, 0.54)  # numbers wrong by orders of magnitude
        rationale = (
            f"{len(seen)} distinct quantities tied to a requirement, component or decision, in "
            f"{len(phases & expected)} of {len(expected)} phases that call for numbers; "
            f"{loose} statements with numbers tied to nothing"
        )
        return strength, rationale, _evidence(numbered)

    def _answers(self, context: GradingContext) -> tuple[int, int, list[Sentence]]:
        """How many interviewer questions got an answer of substance, of how many asked."""
        turns = context.transcript.turns
        own = {}
        for sentence in context.own_sentences:
            own.setdefault(sentence.turn_id, []).append(sentence)
        asked = answered = 0
        examples: list[Sentence] = []
        for index, turn in enumerate(turns):
            if turn.role != "interviewer" or "?" not in turn.text:
                continue
            reply = next((t for t in turns[index + 1 :] if t.role == "candidate"), None)
            nxt = next((t for t in turns[index + 1 :] if t.role == "interviewer"), None)
            if reply is None or (nxt is not None and nxt.id < reply.id):
                asked += 1
                continue
            asked += 1
            statements = [
                s
                for s in own.get(reply.id, [])
                if not s.text.rstrip().endswith("?")
                and word_count(s.text) >= _ANSWER_WORDS
                and is_substantive(s)
            ]
            if not statements:
                continue
            wants_numbers = _ASKS_FOR_NUMBERS.search(turn.text) and turn.phase == "estimation"
            if wants_numbers and not any(extract_quantities(s.text) for s in statements):
                continue
            # "How does it work?" wants how, not more figures.
            if _ASKS_HOW.search(turn.text) and not any(explains(s.text) for s in statements):
                continue
            answered += 1
            examples.append(statements[0])
        return answered, asked, examples

    def _communication(self, context: GradingContext):
        turns = [turn for turn in context.transcript.candidate_turns if turn.text.strip()]
        if not turns or not context.own_sentences:
            return 0.0, "the candidate said nothing of their own", []
        answered, asked, examples = self._answers(context)
        responsiveness = answered / asked if asked else 0.0
        claims = self._claims(context)
        phases_spoken = {s.phase for s in claims if is_substantive(s)}
        structure = len(phases_spoken) / 7
        words = [word_count(turn.text) for turn in turns]
        focus = 1 - sum(1 for count in words if count > _LONG_TURN_WORDS) / len(turns)
        hedged = self._hedged_share(context)
        signposts = _distinct([s for s in claims if _SIGNPOST.search(s.text)])
        covered = sum(len(c.hits) for c in context.coverage.values())
        points = sum(c.total for c in context.coverage.values()) or 1
        # Focus and plain speech count only in answers there are: saying nothing is not concise.
        said = min(1.0, responsiveness / 0.5)
        strength = (
            0.3 * responsiveness
            + 0.2 * structure
            + (0.1 * focus + 0.1 * max(0.0, 1 - 2 * hedged)) * said
            + 0.1 * _capped(len(signposts), 3)
            + 0.2 * min(1.0, covered / points / 0.7)
        )
        if asked and not answered:
            strength = min(strength, 0.29)  # evasive: no question got an answer
        elif len(signposts) < 2 or covered / points < 0.5:
            # 4 is driving the interview: signposting the steps and covering what matters.
            strength = min(strength, 0.79)
        rationale = (
            f"answered {answered} of {asked} questions with substance; covered {covered} of "
            f"{points} key points; made claims of their own "
            f"in {len(phases_spoken)} of 7 phases; "
            f"{len(words) - round(focus * len(words))} turns over {_LONG_TURN_WORDS} words; "
            f"{hedged:.0%} of claims hedged or buzzwords"
        )
        return strength, rationale, _evidence(examples + signposts)
