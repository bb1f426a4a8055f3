"""Text helpers shared by the judges: normalising, sentences and keyword matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property

from rubrics.quantities import stem
from rubrics.transcript import Transcript

__all__ = [
    "Sentence",
    "candidate_sentences",
    "contains_phrase",
    "normalise",
    "split_sentences",
    "word_count",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[<A-Z0-9*-])|\n+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'^%$/.-]*")


_PER_UNIT = re.compile(
    r"(?<=[\w%$])/(?=(?:s|sec|second|min|minute|h|hr|hour|day|week|mo|month|yr|year)\b)"
)
_UNIT_WORDS = {"s": "second", "sec": "second", "min": "minute", "h": "hour", "hr": "hour"}
_UNIT_WORDS |= {"mo": "month", "yr": "year"}
_PER_SHORT = re.compile(r"\bper (s|sec|min|h|hr|mo|yr)\b")


def normalise(text: str) -> str:
    """Lower case, typographic quotes and dashes made plain, whitespace collapsed, and rates
    written out ("12k/s" reads "12k per second", as a keyword would say it)."""
    text = text.lower()
    text = text.translate(
        str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})
    )
    text = text.replace("\u2014", " - ")
    text = _PER_UNIT.sub(" per ", text)
    text = _PER_SHORT.sub(lambda match: "per " + _UNIT_WORDS[match.group(1)], text)
    return " ".join(text.split())


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


@dataclass(frozen=True)
class Sentence:
    turn_id: int
    t: float
    phase: str
    text: str

    # Computed once per sentence: the judges ask for these in loops over points and estimates.
    @cached_property
    def normalised(self) -> str:
        return normalise(self.text)

    @cached_property
    def stems(self) -> set[str]:
        return {stem(word) for word in re.findall(r"[A-Za-z][A-Za-z0-9-]*", self.text)}


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def candidate_sentences(transcript: Transcript, phase: str | None = None) -> list[Sentence]:
    return [
        Sentence(turn.id, turn.t, turn.phase, sentence)
        for turn in transcript.candidate_turns
        if phase is None or turn.phase == phase
        for sentence in split_sentences(turn.text)
    ]


# Words whose "s" form is another word, not a plural: "semantic" must not match "semantics".
_NOT_PLURALS = frozenset(
    {"semantic", "analytic", "logistic", "economic", "dynamic", "mechanic", "ethic", "physic"}
    | {"graphic", "optic", "politic", "basic", "new", "mean", "genetic", "robotic", "diagnostic"}
)


@cache
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in normalise(phrase).split()]
    if words:
        words[-1] = _singular_or_plural(words[-1])
    body = r"[\s-]+".join(words)
    # Whole words only; a plural or possessive "s" may follow the last one, unless that makes
    # another word ("semantics" is not more than one "semantic").
    suffix = "(?:'s)?" if words and words[-1] in _NOT_PLURALS else "(?:s|es|'s)?"
    return re.compile(rf"(?<![a-z0-9]){body}{suffix}(?![a-z0-9])")


def _singular_or_plural(word: str) -> str:
    """A keyword written in the plural also matches the singular ("templates", "template")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "(?:y|ie)"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def contains_phrase(normalised_text: str, phrase: str) -> bool:
    """Whole-word, case-insensitive match of ``phrase`` in already normalised text."""
    return bool(_phrase_pattern(phrase).search(normalised_text))
