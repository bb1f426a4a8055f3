"""Echo: candidate sentences that only say back what the interviewer or the problem said.

"So we need a rate limiter using Redis with sliding window and token bucket" after the problem
statement said exactly that, or "got it, 100 million new links a day" after the interviewer gave
the figure, adds nothing of the candidate's own and earns nothing. A sentence is an echo when
almost every content word (and every number) in it was already said by the problem statement
or by an interviewer turn before it. Questions are never echoes: asking back is clarifying.
"""

from __future__ import annotations

import re
from functools import cached_property

from problems.models import Problem
from rubrics.quantities import stem
from rubrics.transcript import Transcript

__all__ = ["MIN_CONTENT_WORDS", "EchoCheck", "content_stems"]

MIN_CONTENT_WORDS = 1
NOVEL_SHARE = 0.2  # at most this share of new content words (and at least one) is an echo
_TOKEN = re.compile(r"[a-z][a-z0-9'-]*|\d+(?:[.,]\d+)*")
_STOPWORDS = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "alright", "also", "am", "an",
    "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "cool", "could", "did", "do", "does", "doing",
    "down", "during", "each", "either", "else", "few", "fine", "for", "from", "further", "get",
    "gets", "good", "got", "great", "had", "has", "have", "having", "he", "her", "here",
    "hers", "him", "his", "hmm", "how", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into",
    "is", "it", "it's", "its", "itself", "just", "let", "let's", "like", "make", "may", "me",
    "might", "more", "most", "much", "must", "my", "need", "needs", "no", "nor", "not", "now",
    "of", "off", "oh", "ok", "okay", "on", "once", "one", "only", "or", "other", "our", "ours",
    "out", "over", "own", "per", "really", "right", "said", "same", "say", "says", "see",
    "she", "should", "so", "some", "such", "sure", "than", "that", "that's", "the", "their",
    "them", "then", "there", "these", "they", "thing", "things", "this", "those", "through",
    "to", "too", "uh", "um", "under", "until", "up", "us", "very", "want", "was", "way", "we",
    "we'd", "we'll", "we're", "we've", "well", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "would", "yeah", "yes", "you", "your",
    "whatever", "isn't", "aren't", "don't", "doesn't", "wouldn't", "can't", "won't",
    "yours",
})  # fmt: skip


_NUMBER_WORDS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "ten": "10",
    "twenty": "20",
    "hundred": "100",
    "thousand": "1000",
    "twice": "2",
    "double": "2",
}


def _root(word: str) -> str:
    """A light stem, so that "uses", "used" and "use" or "checked" and "check" are one word."""
    word = stem(word.replace(",", ""))
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return _NUMBER_WORDS.get(word, word.rstrip("e") or word)


def content_stems(text: str) -> list[str]:
    """The stems of the words that carry content, numbers included (commas dropped)."""
    words = _TOKEN.findall(text.lower().replace("-", " "))
    return [_root(word) for word in words if word not in _STOPWORDS]


class EchoCheck:
    """Tells, for a candidate turn, whether a piece of its text only repeats earlier words."""

    def __init__(self, transcript: Transcript, problem: Problem) -> None:
        self._transcript = transcript
        self._statement = problem.statement

    @cached_property
    def _heard_before(self) -> dict[int, frozenset[str]]:
        """Turn id -> the content stems said to the candidate before that turn."""
        heard = set(content_stems(self._statement))
        out: dict[int, frozenset[str]] = {}
        current = frozenset(heard)
        for turn in self._transcript.turns:
            if turn.role == "candidate":
                out[turn.id] = current
            else:
                heard.update(content_stems(turn.text))
                current = frozenset(heard)
        return out

    def is_echo(self, text: str, turn_id: int) -> bool:
        if text.rstrip().endswith("?"):
            return False
        words = content_stems(text)
        if len(words) < MIN_CONTENT_WORDS:
            return False
        heard = self._heard_before.get(turn_id, frozenset())
        novel = [word for word in words if word not in heard]
        return len(novel) <= max(1, int(NOVEL_SHARE * len(words)))
