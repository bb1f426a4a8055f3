"""Which of a problem's expected key points the candidate covered, and where.

A key point counts once, however often its keywords come up: coverage is the number of
*distinct* key points, not keyword hits. A point is covered only in the phase it belongs to, or
the phases the rubric lets back that dimension (a monitoring point said during the requirements
is not a monitoring answer), by the candidate's own
words: an echo of the interviewer or the problem statement covers nothing. A keyword only counts
in a sentence with substance: a question, a number, a reason, or plain words; a sentence that is
mostly buzzwords ("scalable, robust, cloud-native microservices with Kafka and caching") covers
nothing, and one sentence can cover at most two key points, so a list of keywords is not a
design. A point needs two of its keywords, or one in a sentence that carries a number, a reason
or a question. Keywords match whole words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache

from problems.models import KeyPoint, Problem
from rubrics.quantities import extract_quantities
from rubrics.text import Sentence, contains_phrase, word_count

__all__ = [
    "BUZZWORDS",
    "DESIGN_VERB",
    "FLOW",
    "KeyPointHit",
    "PhaseCoverage",
    "buzzword_count",
    "cover_key_points",
    "explains",
    "has_reason",
    "is_keyword_salad",
    "is_precise",
    "is_recital",
    "is_substantive",
]

BUZZWORDS = (
    "scalable",
    "scalability",
    "robust",
    "cloud-native",
    "cloud native",
    "best practices",
    "best-in-class",
    "microservices",
    "kubernetes",
    "k8s",
    "kafka",
    "event-driven",
    "highly available",
    "high availability",
    "ai-powered",
    "serverless",
    "seamless",
    "seamlessly",
    "state-of-the-art",
    "cutting-edge",
    "enterprise-grade",
    "world-class",
    "resilient",
    "future-proof",
    "blazing fast",
    "web-scale",
    "synergy",
    "leverage",
    "next-gen",
    "industry standard",
    "battle-tested",
    "elastic",
    "mission-critical",
    "performant",
)
MAX_POINTS_PER_SENTENCE = 2
_REASON = re.compile(
    r"\b(because|since|so that|which means|so we|otherwise|instead of|rather than|at the cost of"
    r"|the cost is|trade-?off|in exchange|if\b.*\bthen|when\b.*\b(fails?|dies|goes down)|unless"
    r"|to avoid|to keep|to make sure|given that)\b",
    re.I,
)


FLOW = re.compile(
    r"(->|→|\bflows?\b|\bgoes to\b|\bhits?\b|\bforwards?\b|\broutes?\b|\bthen\b|\bwrites? to\b"
    r"|\breads? from\b|\bcalls?\b|\bpublish\w*\b|\bconsume\w*\b|\benqueue\w*\b)",
    re.I,
)


# Verbs that say what a component does: "the proxy checks Redis", "workers claim jobs".
DESIGN_VERB = re.compile(
    r"\b(?:uses?|using|stores?|keeps?|holds?|sends?|routes?|caches?|shards?|replicates?"
    r"|partitions?|retries|retry|checks?|returns?|assigns?|generates?|hashes|hash(?:ing)?"
    r"|encodes?|locks?|leases?|writes?|reads?|calls?|publishes|consumes?|queues?|batch(?:es)?"
    r"|evicts?|expires?|invalidates?|forwards?|serves?|looks? up|fetch\w*|computes?|increments?"
    r"|decrements?|refills?|streams?|splits?|merges?|compares?|validates?|rejects?|allows?"
    r"|denies|blocks?|falls? back|fails? (?:open|closed)|runs?|schedules?|emits?|indexes"
    r"|embeds?|embedding|retriev\w*|rerank\w*|filters?|dedup\w*|claims?|acks?|sits?|lives?"
    r"|talks? to|owns?|maps?|points? to|tracks?|records?|appends?|replays?|polls?|pushes"
    r"|pulls?|subscribes?|notif(?:y|ies)|drains?|throttles?|limits?|sheds?|spreads?|pins?"
    r"|prefetch\w*|precomputes?|builds?|rebuilds?|swaps?|promotes?|rolls? back|signs?"
    r"|go(?:es)? in(?:to)?|put in(?:to)?|stored|saved|persist\w*|lands? in|moves?|flips?)\b",
    re.IGNORECASE,
)


@cache
def buzzword_count(normalised_text: str) -> int:
    return sum(1 for word in BUZZWORDS if contains_phrase(normalised_text, word))


def has_reason(text: str) -> bool:
    return bool(_REASON.search(text))


def is_substantive(sentence: Sentence) -> bool:
    """Not buzzword fluff: a question, a number with a unit, a reason, or few buzzwords."""
    return _substantive(sentence.text)


@cache
def _substantive(raw: str) -> bool:
    sentence = Sentence(0, 0.0, "", raw)
    text = sentence.normalised
    buzz = buzzword_count(text)
    if buzz == 0:
        return True
    if sentence.text.rstrip().endswith("?"):
        return True
    if extract_quantities(sentence.text) or has_reason(sentence.text):
        return buzz <= max(2, word_count(text) // 12)
    return buzz < 2 and word_count(text) >= 6


@dataclass(frozen=True)
class KeyPointHit:
    point: str
    sentence: Sentence


@dataclass(frozen=True)
class PhaseCoverage:
    phase: str
    hits: list[KeyPointHit]
    missed: list[str]
    total: int

    @property
    def score(self) -> float:
        """0-1: the share of the phase's key points covered in that phase."""
        return len(self.hits) / self.total if self.total else 0.0


def is_precise(sentence: Sentence) -> bool:
    """Carries a number with a unit, a reason, or asks a question."""
    text = sentence.text
    return "?" in text or has_reason(text) or bool(extract_quantities(text))


_FIGURE = re.compile(r"(?<![A-Za-z])\d[\d,.]*[kKmMbB%x]?\b")
NUMERIC_SHARE = 0.2  # a sentence this much made of figures recites numbers


def is_recital(text: str) -> bool:
    """Mostly figures ("50 TB at 2 TB per node is 25 nodes, 75 with RF 3"): a sizing, not a
    description of how something works."""
    words = word_count(text)
    return bool(words) and len(_FIGURE.findall(text)) / words >= NUMERIC_SHARE


def explains(text: str) -> bool:
    """Says how something works or why: a reason, a flow, or a design verb, in a sentence
    that is more than a recital of figures."""
    if is_recital(text):
        return False
    return has_reason(text) or bool(FLOW.search(text) or DESIGN_VERB.search(text))


def _matches(sentence: Sentence, point: KeyPoint) -> bool:
    """Two of the point's keywords, or one in a sentence that asks about it or explains it.

    A lone keyword dropped in passing ("the gateway calls it"), or next to a figure with
    nothing said about it ("p99 latency 50 ms"), does not make the point.
    """
    text = sentence.normalised
    hits = sum(1 for keyword in point.keywords if contains_phrase(text, keyword))
    return hits >= 2 or (hits == 1 and ("?" in sentence.text or explains(sentence.text)))


SALAD_KEYWORDS = 12  # a sentence naming this many of the problem's keywords...
SALAD_SHARE = 0.4  # ...as this share of its words or more is a list of keywords


def is_keyword_salad(sentence: Sentence, problem: Problem) -> bool:
    """The problem's keywords strung together ("I covered sharding, caching, TTLs, ..."): a
    list, not a design; it covers nothing and says nothing of the candidate's own. Real
    sentences name a handful of keywords at most, however dense."""
    text = sentence.normalised
    keywords = {kw for points in problem.key_points.values() for p in points for kw in p.keywords}
    named = sum(1 for keyword in keywords if contains_phrase(text, keyword))
    return named >= SALAD_KEYWORDS and named >= SALAD_SHARE * word_count(text)


def cover_key_points(
    problem: Problem,
    sentences: list[Sentence],
    where: Mapping[str, Collection[str]] | None = None,
) -> dict[str, PhaseCoverage]:
    """Coverage of every phase's key points by the candidate's own substantive sentences.

    ``where`` names, per phase, the phases whose sentences can cover its points (the rubric's
    evidence phases: a requirement stated while clarifying counts); by default only the phase
    itself. ``sentences`` should already leave out echoes.
    """
    where = where or {}
    substantive = [sentence for sentence in sentences if is_substantive(sentence)]
    used_per_sentence: dict[int, int] = {}
    coverage = {}
    for phase, points in problem.key_points.items():
        hits: list[KeyPointHit] = []
        missed: list[str] = []
        allowed = set(where.get(phase) or ()) | {phase}
        in_phase = [
            sentence
            for sentence in substantive
            if sentence.phase in allowed
            # Asking about a point is the clarify step's job; elsewhere it shows nothing.
            and (phase == "clarify" or not sentence.text.rstrip().endswith("?"))
        ]
        for point in points:
            hit = None
            for sentence in in_phase:
                key = id(sentence)
                if used_per_sentence.get(key, 0) >= MAX_POINTS_PER_SENTENCE:
                    continue
                if _matches(sentence, point):
                    used_per_sentence[key] = used_per_sentence.get(key, 0) + 1
                    hit = KeyPointHit(point.point, sentence)
                    break
            if hit is None:
                missed.append(point.point)
            else:
                hits.append(hit)
        coverage[phase] = PhaseCoverage(phase, hits, missed, len(points))
    return coverage
