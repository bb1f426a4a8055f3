"""Is the answer about this problem at all? Defining concepts, and designs pasted from another.

1. **Defining concepts.** Each problem names, per phase, what an answer must name to be about it
   (a semantic cache's design names embeddings or a vector index; its deep dive names the
   similarity threshold). A phase whose own sentences name none of a concept's keywords lacks
   it; the heuristic judge scores such a phase at most 2.
2. **Pasted designs.** Every problem in the bank has a vocabulary drawn from its own texts (key
   point keywords, defining concepts, hidden-fact topics, tags and title), each term weighted by
   how few problems share it. The design phases are matched against every problem's vocabulary;
   an answer that lacks this problem's defining design concepts and fits another problem better
   by a margin is flagged as that problem's design.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from problems.models import Problem
from rubrics.coverage import explains
from rubrics.text import Sentence, contains_phrase, normalise

__all__ = ["DESIGN_PHASES", "PASTE_MARGIN", "Topicality", "check_topicality", "missing_concepts"]

DESIGN_PHASES = ("high_level_design", "deep_dive", "tradeoffs")
_EXPLAINED = frozenset({"high_level_design", "deep_dive"})
PASTE_MARGIN = 1.5  # another problem must fit this many times better...
PASTE_LEAD = 0.06  # ...and by at least this share of its vocabulary
_TITLE_STOP = frozenset({"a", "an", "and", "for", "of", "the", "to", "with", "in", "on", "api"})


@dataclass(frozen=True)
class Topicality:
    missing: dict[str, list[str]]  # phase -> defining concepts its sentences never name
    fit: float  # share (by weight) of this problem's vocabulary the design names
    closest: str | None  # the other problem the design fits best
    closest_fit: float
    terms: frozenset[str] = frozenset()  # this problem's own words, not shared across the bank

    def on_topic(self, sentence: Sentence) -> bool:
        """Does the sentence name something of this problem, not boilerplate any design has
        ("the trade-off is consistency rather than latency")?"""
        return bool(self.terms & _sentence_phrases(sentence.normalised))

    @property
    def pasted(self) -> bool:
        """The design names none of this problem's defining design concepts and fits another
        problem clearly better."""
        lacks_design = bool(self.missing.get("high_level_design") and self.missing.get("deep_dive"))
        better = self.closest_fit >= max(self.fit * PASTE_MARGIN, self.fit + PASTE_LEAD)
        return lacks_design and self.closest is not None and better

    def describe(self) -> str:
        return (
            f"the design fits {self.closest} ({self.closest_fit:.0%} of its vocabulary) better "
            f"than this problem ({self.fit:.0%})"
        )


def _text_of(sentences: Iterable[Sentence], phases: Iterable[str]) -> str:
    wanted = set(phases)
    return normalise(" ".join(s.text for s in sentences if s.phase in wanted))


def missing_concepts(problem: Problem, sentences: list[Sentence]) -> dict[str, list[str]]:
    """Phase -> the defining concepts that the candidate's sentences of that phase never name.

    In the design phases a concept counts when it is named in a sentence that says something
    about it (a reason, a flow, or what a component does), not dropped in passing ("and
    continuous batching too"); estimates and metrics are named with their figures.
    """
    missing: dict[str, list[str]] = {}
    saying = [s for s in sentences if s.phase not in _EXPLAINED or explains(s.text)]
    for phase, concepts in problem.defining_concepts.items():
        text = _text_of(saying, [phase])
        absent = [
            concept.concept
            for concept in concepts
            if not any(contains_phrase(text, keyword) for keyword in concept.keywords)
        ]
        if absent:
            missing[phase] = absent
    return missing


def _terms(problem: Problem) -> frozenset[str]:
    terms: set[str] = set()
    for points in problem.key_points.values():
        for point in points:
            terms.update(point.keywords)
    for concepts in problem.defining_concepts.values():
        for concept in concepts:
            terms.update(concept.keywords)
    for fact in problem.hidden_facts:
        terms.update(fact.keywords)
    terms.update(tag.replace("-", " ") for tag in problem.tags)
    terms.update(w for w in re.findall(r"[a-z0-9]+", problem.title.lower()) if w not in _TITLE_STOP)
    # Figures ("20 ms", "30%") say nothing about which problem an answer is for.
    return frozenset(
        normalise(term) for term in terms if len(term) > 2 and not re.search(r"\d", term)
    )


def _vocabularies(problems: tuple[Problem, ...]) -> dict[str, dict[str, float]]:
    """Problem id -> term -> weight, rarer terms across the bank weighing more."""
    terms = {problem.id: _terms(problem) for problem in problems}
    spread = Counter(term for vocabulary in terms.values() for term in vocabulary)
    count = len(problems)
    return {
        pid: {term: math.log(1 + count / spread[term]) for term in vocabulary}
        for pid, vocabulary in terms.items()
    }


_WORDS = re.compile(r"[a-z0-9][a-z0-9'./]*")
_MAX_TERM_WORDS = 4


def _words(text: str) -> list[str]:
    return [word.rstrip(".'") for word in _WORDS.findall(text.replace("-", " "))]


def _phrases(text: str) -> frozenset[str]:
    """Every run of up to four words of ``text``, also with a plural last word made singular:
    whole-word matching of the bank's terms by set lookup instead of one search per term."""
    words = _words(text)
    found: set[str] = set()
    for start in range(len(words)):
        for size in range(1, _MAX_TERM_WORDS + 1):
            run = words[start : start + size]
            if len(run) < size:
                break
            found.add(" ".join(run))
            last = run[-1]
            for ending in ("'s", "es", "s"):
                if last.endswith(ending) and len(last) > len(ending) + 2:
                    found.add(" ".join([*run[:-1], last[: -len(ending)]]))
    return frozenset(found)


@lru_cache(maxsize=4096)
def _sentence_phrases(text: str) -> frozenset[str]:
    return _phrases(text)


def _fit(vocabulary: dict[str, float], phrases: frozenset[str]) -> float:
    total = sum(vocabulary.values())
    found = sum(weight for term, weight in vocabulary.items() if " ".join(_words(term)) in phrases)
    return found / total if total else 0.0


def check_topicality(
    problem: Problem, sentences: list[Sentence], problems: Iterable[Problem]
) -> Topicality:
    """``sentences``: the candidate's own (echoes left out); ``problems``: the whole bank."""
    bank = tuple(sorted(problems, key=lambda p: p.id))
    vocabularies = _vocabularies(bank)
    phrases = _phrases(_text_of(sentences, DESIGN_PHASES))
    fits = {pid: _fit(vocabulary, phrases) for pid, vocabulary in vocabularies.items()}
    own = fits.pop(problem.id, _fit(_vocabularies((problem,))[problem.id], phrases))
    closest = max(fits, key=fits.get, default=None)
    return Topicality(
        missing=missing_concepts(problem, sentences),
        fit=own,
        closest=closest,
        closest_fit=fits.get(closest, 0.0) if closest else 0.0,
        terms=_distinctive(problem, bank),
    )


def _distinctive(problem: Problem, bank: tuple[Problem, ...]) -> frozenset[str]:
    """This problem's terms that at most a quarter of the bank's problems share, as words."""
    spread = Counter(term for other in bank for term in _terms(other))
    most = max(2, len(bank) // 4)
    return frozenset(" ".join(_words(term)) for term in _terms(problem) if spread[term] <= most)
