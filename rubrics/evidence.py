"""Evidence quotes, checked twice: are they real, and are they evidence for this dimension?

1. **Real.** A quote must be found, case and whitespace aside, in the candidate turn it names,
   with at least :data:`MIN_QUOTE_WORDS` words unless it is the whole turn.
2. **Relevant.** A real quote must also be evidence for the dimension it backs, by the rubric's
   rule: said in one of the phases that the dimension grades (a requirements sentence does not
   back a monitoring score), and for the cross-cutting dimensions of the kind they grade (a
   number for quantification; the candidate's own statement, not a command or an echo of the
   interviewer, for communication).

Quotes failing either check are dropped and counted separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rubrics.echo import EchoCheck
from rubrics.rubric import EvidenceRule
from rubrics.scorecard import Evidence
from rubrics.text import normalise
from rubrics.transcript import Transcript, Turn

__all__ = ["MIN_QUOTE_WORDS", "CheckedEvidence", "check_evidence", "is_relevant"]

MIN_QUOTE_WORDS = 3
MIN_STATEMENT_WORDS = 4
_NUMBER = re.compile(
    r"\d|\b(?:hundred|thousand|million|billion|trillion|percent|nines)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class CheckedEvidence:
    kept: list[Evidence]  # real and relevant, with the turn's real time
    fabricated: int  # not found in the candidate's words
    irrelevant: int  # real, but not evidence for this dimension


def _strip_ellipsis(quote: str) -> str:
    return quote.strip().strip("\"'\u201c\u201d").strip(". \u2026").strip()


def _found(quote: str, turn: Turn | None) -> bool:
    if turn is None or turn.role != "candidate" or not quote:
        return False
    text = normalise(turn.text)
    long_enough = len(quote.split()) >= MIN_QUOTE_WORDS or quote == text.strip(" .")
    return long_enough and quote in text


def is_relevant(quote: str, turn: Turn, rule: EvidenceRule | None, echo: EchoCheck) -> bool:
    if rule is None:
        return True
    if rule.phases and turn.phase not in rule.phases:
        return False
    if rule.requires == "number" and not _NUMBER.search(quote):
        return False
    if rule.requires == "statement":
        if quote.lstrip().startswith("/") or len(quote.split()) < MIN_STATEMENT_WORDS:
            return False
        if echo.is_echo(quote, turn.id):
            return False
    return True


def check_evidence(
    evidence: list[Evidence], transcript: Transcript, rule: EvidenceRule | None, echo: EchoCheck
) -> CheckedEvidence:
    kept: list[Evidence] = []
    fabricated = irrelevant = 0
    for item in evidence:
        turn = transcript.turn(item.turn_id)
        quote = _strip_ellipsis(item.quote)
        if not _found(normalise(quote), turn):
            fabricated += 1
        elif not is_relevant(quote, turn, rule, echo):
            irrelevant += 1
        else:
            kept.append(Evidence(turn_id=turn.id, t=turn.t, quote=quote))
    return CheckedEvidence(kept, fabricated, irrelevant)
