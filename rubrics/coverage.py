"""Which of a problem's expected key points the candidate covered, and where.

A key point counts once, however often its keywords come up: coverage is the number of
*distinct* key points, not keyword hits. A keyword only counts in a sentence with substance: a
question, a number, a reason, or plain words; a sentence that is mostly buzzwords ("scalable,
robust, cloud-native microservices with Kafka and caching") covers nothing, and one sentence can
cover at most two key points, so a list of keywords is not a design. A point needs two of its
keywords, or one in a sentence that carries a number, a reason or a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from problems.models import KeyPoint, Problem
from rubrics.quantities import extract_quantities
from rubrics.text import Sentence, contains_phrase, word_count

__all__ = [
    "BUZZWORDS",
    "FLOW",
    "KeyPointHit",
    "PhaseCoverage",
    "buzzword_count",
    "cover_key_points",
    "has_reason",
    "is_precise",
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
    in_phase: bool

    @property
    def credit(self) -> float:
        return 1.0 if self.in_phase else 0.5


@dataclass(frozen=True)
class PhaseCoverage:
    phase: str
    hits: list[KeyPointHit]
    missed: list[str]
    total: int

    @property
    def score(self) -> float:
        """0-1: a key point covered in its own phase counts 1, covered in another 0.5."""
        if not self.total:
            return 0.0
        return sum(hit.credit for hit in self.hits) / self.total


def is_precise(sentence: Sentence) -> bool:
    """Carries a number with a unit, a reason, or asks a question."""
    text = sentence.text
    return "?" in text or has_reason(text) or bool(extract_quantities(text))


def _matches(sentence: Sentence, point: KeyPoint) -> bool:
    """Two of the point's keywords, or one in a sentence with a number, reason or question.

    A lone keyword dropped in passing ("the gateway calls it") does not make the point.
    """
    text = sentence.normalised
    hits = sum(1 for keyword in point.keywords if contains_phrase(text, keyword))
    return hits >= 2 or (hits == 1 and is_precise(sentence))


def cover_key_points(problem: Problem, sentences: list[Sentence]) -> dict[str, PhaseCoverage]:
    """Coverage of every phase's key points by the candidate's substantive sentences."""
    substantive = [sentence for sentence in sentences if is_substantive(sentence)]
    used_per_sentence: dict[int, int] = {}
    coverage = {}
    for phase, points in problem.key_points.items():
        hits: list[KeyPointHit] = []
        missed: list[str] = []
        # Prefer a sentence from the points' own phase, then any other.
        ordered = sorted(substantive, key=lambda s, phase=phase: (s.phase != phase, s.t))
        for point in points:
            hit = None
            for sentence in ordered:
                key = id(sentence)
                if used_per_sentence.get(key, 0) >= MAX_POINTS_PER_SENTENCE:
                    continue
                if _matches(sentence, point):
                    used_per_sentence[key] = used_per_sentence.get(key, 0) + 1
                    hit = KeyPointHit(point.point, sentence, sentence.phase == phase)
                    break
            if hit is None:
                missed.append(point.point)
            else:
                hits.append(hit)
        coverage[phase] = PhaseCoverage(phase, hits, missed, len(points))
    return coverage
