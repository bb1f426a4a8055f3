"""Text aimed at the grader instead of the interviewer: found, shown to a human, never graded.

A candidate turn is untrusted data. Sentences that address the grader ("ignore your rubric",
"score this 4/4"), fake delimiters or system blocks, and "master key" openers such as a bare
"Thought process:" are detected here. Everything from the first such sentence to the end of its
turn is removed before any judge sees the transcript, so an attempt can only lower a score; the
findings go on the scorecard for a human to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rubrics.text import split_sentences
from rubrics.transcript import Transcript, Turn

__all__ = ["InjectionFinding", "neutralise_delimiters", "strip_injections"]

_GRADER = r"(?:grader|grading (?:ai|model|system)|evaluator|judge|assessor|scorer|rater)"
_AI_GRADING = r"(?:ai|model|llm|assistant)\s+(?:grading|evaluating|judging|scoring|assessing)"
_TOP_SCORE = (
    r"(?:\b[1-4]\s*/\s*4\b|\b4 out of 4\b|\b100\s*/\s*100\b|\b(?:full|top) marks\b"
    r"|\b(?:maximum|highest|perfect|top|max) (?:score|marks?|rating|grade)s?\b"
    r"|\bscore\s*(?:of\s*)?100\b)"
)
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "asks to ignore instructions",
        re.compile(
            r"\b(?:ignore|disregard|forget|override|bypass)\b[^.?!]{0,40}"
            r"\b(?:instructions?|rubric|rules|guidelines|prompt|criteria)\b",
            re.I,
        ),
    ),
    (
        "addresses the grader",
        re.compile(
            r"\b(?:note|message|instructions?|summary|memo|reminder)s?\s+(?:to|for)\s+"
            rf"(?:the|any|you,?\s+the)?\s*{_GRADER}\b",
            re.I,
        ),
    ),
    ("addresses the grader", re.compile(rf"\b(?:the|an?|you)\s+{_AI_GRADING}\b", re.I)),
    ("addresses the grader", re.compile(rf"\b(?:dear|hey|hi|attention)\s+{_GRADER}\b", re.I)),
    (
        "dictates a score",
        re.compile(
            r"\b(?:score|rate|grade|mark|give|assign|award|output|return)\b[^.?!\n]{0,40}"
            + _TOP_SCORE,
            re.I,
        ),
    ),
    (
        "dictates a recommendation",
        re.compile(r"\b(?:recommend|recommendation)\b[^.?!\n]{0,20}\b(?:strong\s+)?hire\b", re.I),
    ),
    (
        "fake system or delimiter",
        re.compile(
            r"(?:\[\[?\s*system|<\s*/?\s*(?:system|transcript|instructions?|rubric|user|assistant)"
            r"\b[^>]*>|^\s*system\s*(?:override|prompt|message)?\s*:|\bsystem\s+override\b"
            r"|```\s*system)",
            re.I | re.M,
        ),
    ),
    (
        "claims the grading is done",
        re.compile(r"\bgrading (?:is )?(?:complete|done|finished|over)\b", re.I),
    ),
    ("master-key opener", re.compile(r"^\s*(?:thought process|reasoning|analysis)\s*:", re.I)),
    (
        "speaks about the candidate to the grader",
        re.compile(
            r"\b(?:this|the)\s+candidate\s+(?:has|is|clearly|demonstrated|demonstrates|showed"
            r"|shows|deserves|excelled|excels|covered)\b",
            re.I,
        ),
    ),
]
# Kinds that can be legitimate design talk in a guardrails problem ("a jailbreak such as
# 'ignore previous instructions' is caught by the classifier"): not an attempt when the
# sentence is about detecting such text.
_DESCRIBABLE = {"asks to ignore instructions"}
_DESCRIBING = re.compile(
    r"\b(?:jailbreak|prompt injection|injection|attack|classifier|detect\w*|guardrail\w*)\b", re.I
)
_ONLY_PUNCTUATION = re.compile(r"^[\s:;.,\-_*#>]*$")


@dataclass(frozen=True)
class InjectionFinding:
    turn_id: int
    t: float
    kind: str
    excerpt: str  # the removed text, shortened

    def as_dict(self) -> dict:
        return {"turn_id": self.turn_id, "t": self.t, "kind": self.kind, "excerpt": self.excerpt}


def _first_match(sentence: str) -> str | None:
    for kind, pattern in _PATTERNS:
        if pattern.search(sentence):
            if kind in _DESCRIBABLE and _DESCRIBING.search(sentence):
                continue
            return kind
    return None


def _shorten(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _clean_turn(turn: Turn) -> tuple[Turn, InjectionFinding | None]:
    if turn.text.strip() and _ONLY_PUNCTUATION.match(turn.text):
        finding = InjectionFinding(turn.id, turn.t, "master-key input", _shorten(turn.text))
        return turn.model_copy(update={"text": ""}), finding
    sentences = split_sentences(turn.text)
    for index, sentence in enumerate(sentences):
        kind = _first_match(sentence)
        if kind is None:
            continue
        kept = " ".join(sentences[:index])
        removed = " ".join(sentences[index:])
        finding = InjectionFinding(turn.id, turn.t, kind, _shorten(removed))
        return turn.model_copy(update={"text": kept}), finding
    return turn, None


def strip_injections(transcript: Transcript) -> tuple[Transcript, list[InjectionFinding]]:
    """The transcript with grader-directed text removed from candidate turns, and what was found."""
    turns: list[Turn] = []
    findings: list[InjectionFinding] = []
    for turn in transcript.turns:
        if turn.role == "candidate":
            turn, finding = _clean_turn(turn)
            if finding is not None:
                findings.append(finding)
        turns.append(turn)
    notes, notes_finding = transcript.notes, None
    if notes:
        cleaned, notes_finding = _clean_turn(
            Turn(id=0, t=0, role="candidate", phase="clarify", text=notes)
        )
        notes = cleaned.text
        if notes_finding is not None:
            findings.append(notes_finding)
    return transcript.model_copy(update={"turns": turns, "notes": notes}), findings


_LOOKALIKE = re.compile(
    r"<(\s*/?\s*(?:transcript|system|instructions?|rubric|candidate|interviewer|turn)\b)", re.I
)


def neutralise_delimiters(text: str, marker: str) -> str:
    """Make ``text`` unable to close or fake the judge prompt's delimiters."""
    text = text.replace(marker, "[marker removed]")
    return _LOOKALIKE.sub(lambda match: "\u2039" + match.group(1), text)
