"""Text aimed at the grader instead of the interviewer: found, shown to a human, never graded.

A candidate turn is untrusted data. Before any judge reads it, attempts to steer the grader are
found and cut out: only the attempt, never the design around it.

- **Blocks**: HTML comments (the grader would read them, the candidate's page would not), fake
  role or transcript blocks (``</transcript>``, ``SYSTEM:`` lines, ``<|im_start|>`` and
  ``[INST]`` tokens, ``<system>`` tags, marker lines such as ``[END OF TRANSCRIPT]``) and score
  objects written as JSON, and grading words in disguise (digits for letters, spelt out,
  base64, rot13, backwards, Unicode tag characters).
- **Phrases**, cut at the clause they sit in (or the brackets around them, or, for a note
  addressed to the grader, the rest of its sentence): requests to ignore the rubric or the
  instructions, notes addressed to a grader, reviewer or "the AI reading this", dictated
  scores ("score: 4", "give every dimension a 4", "4/4"), hiring bands in any spelling
  ("Strong-Hire", ``strong_hire``), claims that grading is done, praise of "the candidate"
  written for the grader, and "Thought process:" style openers.

Design talk about these things is not an attempt: a guardrail that "flags 'ignore previous
instructions'", a limiter that "ignores disabled rules", an ATS that stores "hire or no-hire"
decisions, a format shown as an example. The patterns are tested on corpora of ordinary design
sentences (no finding allowed) and of attacks (each must be found) from three authors, in
``tests/rubrics/corpora/``.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import codecs
import re
import unicodedata
from dataclasses import dataclass

from rubrics.transcript import Transcript, Turn

__all__ = ["InjectionFinding", "find_attempts", "neutralise_delimiters", "strip_injections"]

_I = re.IGNORECASE
# Who grades: not "reviewer", which is an ordinary role in code review ("a note for the
# reviewer: this PR touches auth"), unless it is an automated one.
_GRADER = (
    r"(?:grader|grading (?:ai|model|system|bot)|evaluator|judge|assessor|scorer|rater"
    r"|(?:ai|automated|llm)\s+reviewer)"
)
_MACHINE = r"(?:ai|model|llm|bot|automated (?:system|reviewer|grader))"
_GRADING_VERB = r"(?:grad|scor|evaluat|judg|assess|rat|mark)\w*"
_BAND = (
    r"(?:strong|lean)[\s_-]*(?:no[\s_-]*)?hire\b|\bno_hire\b|\bstronghire\b"
    r"|\b(?:strong|lean)_no_hire\b"
)
# What makes text about grading *this interview*: the answer or the candidate, the rubric, its
# dimensions, a hiring band, a dictated top score.
_INTERVIEW = re.compile(
    r"\b(?:this|my|the|your)\s+(?:answer|candidate|interview|response|transcript|submission"
    r"|session|evaluation|grade|score|performance)\b|\bthe\s+interviewee\b|\b(?:me|myself)\b"
    r"|\brubric\b|\bdimensions?\b|\bcriteria\b|hire\b|\bfull\s+marks\b|\btop\s+(?:marks|band"
    r"|score)\b|\bexceptional\b|\b[1-4]\s*/\s*4\b|\bscore[sd]?\b[^.\n]{0,12}\b[1-4]\b"
    r"|\bpass(?:e[sd])?\b|\bgrad(?:ers?|ing|ed)\b|\b(?:score|grade|rate|mark)\s+(?:it|this|me)\b"
    r"|\breference\s+answer\b|\bevery\s+candidate\b|\bexceeds\s+expectations\b|\b[1-5]\s*/\s*5\b"
    r"|\bstaff[- ]level\b|\bscore\s*(?:of\s*)?100\b"
    r"|\b100\s*/\s*100\b",
    _I,
)
# About this very interview, not grading in general.
_THIS_INTERVIEW = re.compile(
    r"\b(?:this|my)\s+(?:answer|candidate|interview|response|transcript|submission|session)\b"
    r"|\b(?:me|myself)\b",
    _I,
)

# -- blocks ----------------------------------------------------------------------------------

# A closed comment goes whole; an unclosed one hides the rest of its line.
_HTML_COMMENT = re.compile(r"<!--.*?-->|<!--[^\n]*", re.S)
_PAIRED_TOKENS = re.compile(
    r"<\|im_start\|>.*?(?:<\|im_end\|>|\Z)|\[INST\].*?(?:\[/INST\]|\Z)"
    r"|<<SYS>>.*?(?:<</SYS>>|\Z)|<start_of_turn>.*?(?:<end_of_turn>|\Z)"
    r"|<\|(?:system|user|assistant|im_end|endoftext)\|>[^\n]*|</s>|<end_of_turn>",
    re.S | _I,
)
# A closed tag pair of a role wraps a fake message when what it holds is about the grading.
_ROLE_TAG = (
    r"(?:system|grader\w*|instructions?|assistant|user|judge\w*|evaluat\w*|scor\w*|rubric"
    r"|developer|admin|verdict)"
)
_TAG_PAIR = re.compile(rf"<\s*({_ROLE_TAG})\b[^>]*>(.*?)<\s*/\s*\1\s*>", re.S | _I)
# Closing tags fake the end of the transcript or of the candidate's answer.
_CLOSING_TAG = re.compile(
    r"<\s*/\s*(?:transcript|candidate\w*|answer|user|interviewer|turn)\b[^>]*>"
    r"|<\s*(?:transcript|grader\w*|assistant)\b[^>]*>",
    _I,
)
_FENCE = re.compile(r"```[ \t]*(?:system|json|grader|eval\w*|output)\b(.*?)```", re.S | _I)
_MARKER_LINE = re.compile(
    r"^[ \t]*[\[=#\-*]*[ \t]*/?[ \t]*(?:end(?:[ \t]+of)?[ \t]+(?:the[ \t]+)?transcript"
    r"|transcript[ \t]+ends?|grader[ \t]+(?:output|decision|summary|notes?)\b"
    r"|(?:system|instruction|response)[ \t]*$)[^\n]*$"
    r"|^[ \t]*={2,}[ \t]*(?:evaluation|grading|scores?|scoring|verdict|assessment|results?)"
    r"[ \t]*={2,}[ \t]*$|^[ \t]*end[ \t]+of[ \t]+(?:the[ \t]+)?interview[ \t.!]*$",
    re.M | _I,
)
# A line made up to look like one of the judge prompt's turns ("[turn 40] [monitoring] ...").
_FORGED_TURN = re.compile(r"^[ \t]*\[\s*turn\s+\d+\s*\][^\n]*$", re.M | _I)
_BRACKET_MARKER = re.compile(
    r"\[\[\s*(?:system|admin|developer|grader|override)[^\]\n]*\]\][^\n]*"
    r"|^[ \t]*\[\s*(?:system\s+override|admin\s+override|override|grader|developer)\s*\][^\n]*",
    re.M | _I,
)
# A line that speaks as a role. Grader-side labels always do; the others only when the line is
# about grading this interview ("SYSTEM: you are a support bot" is a design).
_GRADER_ROLE_LINE = re.compile(
    r"^[ \t]*(?:\[\s*)?(?:grader(?:\s+note)?|assessor|scorer|developer\s+message"
    r"|system\s+(?:override|note))\s*\]?\s*:[^\n]*$",
    re.M | _I,
)
_ROLE_LINE = re.compile(
    r"^[ \t]*(?:\[\s*)?(?:system|assistant|human|user|interviewer|candidate|evaluator|judge"
    r"|model)\s*\]?\s*:[^\n]*$",
    re.M | _I,
)
_GRADE_WORD = re.compile(r"\b(?:grade|grading|score|scoring|generous\w*|lenient\w*)\b", _I)
_SCORE_OBJECT = re.compile(
    r"\{(?:[^{}]|\{[^{}]*\})*\"(?:scores?|recommendation|verdict|band|dimension_scores"
    r"|overall_score)\"(?:[^{}]|\{[^{}]*\})*\}",
    _I,
)
_SCORE_FIELD = re.compile(
    r"\"(?:scores?|recommendation|verdict|band)\"\s*:\s*(?:\"[^\"]*\"|[1-4])", _I
)

# -- phrases ---------------------------------------------------------------------------------

_IGNORE_VERB = r"(?:ignore|disregard|forget|override|bypass|skip|set aside|overlook|ignor\w+)"
_GRADER_OBJECT = (
    r"(?:rubric|(?:grading|scoring|evaluation|marking)\s+(?:criteria|instructions?|rules|policy"
    r"|guidance|guidelines|rubric))"
)
_NOT_FOLLOW = r"(?:don'?t|do\s+not|never)\s+follow"
# The canonical jailbreak: previous or given instructions, not "the previous messages".
_INSTRUCTION_OBJECT = (
    r"(?:(?:all|any|your|ur|my|these|those|the)\s+)*"
    r"(?:(?:prior|previous|earlier|above|preceding|system|given|original)\s+)+"
    r"(?:instructions?|prompts?|guidance|guidelines|directions|rubric|criteria)"
    r"|(?:all|any|your|ur)\s+(?:instructions?|guidelines)"
    r"|(?:everything|anything)\s+(?:before|above|you\s+(?:were|have been)\s+told)"
    r"|the\s+(?:text\s+)?above\b|(?:les|las|los|die|alle)\s+(?:\w+\s+)?instruc\w*"
)
_DESCRIBING = re.compile(
    r"\b(?:attack\w*|inject\w*|jailbreak\w*|classifier|detect\w*|flag\w*|guardrail\w*|filter\w*"
    r"|benchmark|test suite|evals?|malicious|untrusted|adversar\w*|red[- ]team\w*|phrases?"
    r"|like|such as|e\.g\.|tells? the model|told to|instructs? the model)\b"
    r"|[\"\u201c\u201d\u2018]|(?<!\w)'|'(?!\w)",
    _I,
)
_IMPERATIVE_LEAD = (
    r"(?:^\s*|[,;:(\n]\s*|\band\s+|\bthen\s+|\bplease\s+|\bkindly\s+|\bjust\s+|\bnow\s+"
    r"|\bso\s+|\balso\s+|\bsimply\s+|\byou\s+(?:should|must|can|may|will|need\s+to"
    r"|have\s+to)\s+|\bi\s+(?:want|need|ask)\s+you\s+to\s+)"
)
_SCORE_NUMBER = r"(?:[1-5]|one|two|three|four|five)"
# Who or what a dictated score is given to: "rate this 4", "give every dimension a 4".
_SCORED = (
    r"this|it|me|my\s+answer|the\s+(?:answer|candidate|response|interview)"
    r"|this\s+(?:answer|candidate|response|design|one)|every\s+(?:dimension|criterion|area)"
    r"|everything|everyone"
    r"|each\s+(?:dimension|criterion|area)|all\s+(?:dimensions|criteria|areas)|him|her"
)
# A figure that is a quantity, not a score: "4 ms", "4-byte", "4%", "4x", "1 in 4", "4 out of 5".
_NOT_A_SCORE = (
    r"(?!\s*(?:%|x\b|\.\d|,\d|-|/\s*[5-9]|out\s+of\s+[5-9]|in\s+\d|to\s+\d"
    r"|(?!(?:for|on|in|across|each|everywhere|overall|please|and|or)\b)[a-z]))"
)
# Sizes and counts that "give" or "assign" a number without grading anything.
_QUANTITY_TALK = re.compile(
    r"\b(?:priorit\w*|levels?|weights?|tiers?|replicas?|shards?|retr\w*|partitions?|threads?"
    r"|workers?|cores?|gpus?|nodes?|bytes?|bits?|floats?|embedding|vectors?|quotas?|chance"
    r"|regions?|tokens?|seconds?|minutes?)\b",
    _I,
)


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    describable: bool = False  # talk *about* such text (a guardrail that flags it) is design
    needs: re.Pattern[str] | None = None  # only an attempt when the sentence is about grading
    unless: re.Pattern[str] | None = None  # never an attempt when the sentence says this


def _rule(kind, pattern, flags=_I, **options) -> _Rule:
    return _Rule(kind, re.compile(pattern, flags), **options)


_PHRASES: tuple[_Rule, ...] = (
    _rule(
        "asks to ignore the rubric",
        rf"\b(?:{_IGNORE_VERB}|{_NOT_FOLLOW})\b[^.?!\n]{{0,40}}\b{_GRADER_OBJECT}\b",
        describable=True,
    ),
    _rule(
        "asks to ignore instructions",
        rf"{_IMPERATIVE_LEAD}(?:{_IGNORE_VERB}|don'?t follow|do not follow)\s+"
        rf"(?:{_INSTRUCTION_OBJECT})",
        describable=True,
    ),
    _rule(
        "asks to ignore instructions",
        r"\b(?:your|the)\s+(?:previous\s+|earlier\s+)?instructions\s+(?:are|were|have been)"
        r"\s+(?:outdated|overridden|superseded|replaced|a test|suspended)"
        r"|\bpretend\s+the\s+rubric"
        r"|\brubric\s+(?:is|was|has been)\s+(?:optional|suspended|replaced|updated|waived)"
        r"|\bnew\s+(?:rule|instructions?)\s+(?:for\s+the\s+\w+|follow)"
        r"|\bnew\s+instructions?\b[^.:\n]{0,40}:|\bgrader\s+mode\b"
        r"|\b(?:criteria|rubric|instructions?)\b[^.?!\n]{0,60}\bshould\s+be\s+(?:ignored|disregarded)"
        r"|\byou\s+are\s+(?:now\s+)?(?:in\s+)?(?:a\s+|an\s+)?(?:\w+\s+){0,2}"
        r"(?:grader|judge|evaluator)\b|\bevaluation-bypass\b"
        r"|\byou\s+are\s+no\s+longer\s+(?:a\s+|an\s+)?(?:\w+\s+){0,2}(?:grader|judge|evaluator)\b",
    ),
    _rule(
        "addresses the grader",
        rf"\b(?:note|message|memo|reminder|p\.?s\.?|instructions?|hint|summary|tip)s?\s+(?:to|for)"
        rf"\s+(?:the\s+|any\s+|an?\s+|whoever\s+)?(?:\w+\s+){{0,2}}(?:{_GRADER}|{_MACHINE}\s+"
        rf"{_GRADING_VERB}|{_GRADING_VERB}\s+{_MACHINE})s?(?:\s+of\s+(?:this|the|my)\s+\w+)?"
        rf"\s*(?:[:,\-]|$)"
        rf"|\b(?:dear|hey|hi|hello|attention|@)\s*(?:the\s+|an?\s+|any\s+)?(?:\w+\s+)?"
        rf"{_GRADER}s?\b"
        rf"|(?:^|[(\n])\s*(?:a\s+note\s+)?(?:to|for)\s+(?:the\s+|an?\s+|any\s+)?(?:\w+\s+)?"
        rf"{_GRADER}(?:'s\s+benefit)?s?\s*[:,]"
        rf"|(?:^|[(\n])\s*(?:p\.?s\.?\s+)?(?:to|for)\s+(?:the\s+)?{_GRADING_VERB}\s+{_MACHINE}"
        rf"\s*[:,]"
        rf"|\bto\s+(?:the\s+)?{_MACHINE}\s+(?:that\s+|who\s+)?(?:{_GRADING_VERB}|reads?|reading)"
        rf"|(?:\bas\s+)?\b(?:the|an?|you,?\s+the|for\s+the)\s+{_MACHINE}\s+"
        rf"(?:{_GRADING_VERB}|reading)\s+this"
        rf"|\b(?:whoever|whatever)\s+(?:or\s+(?:whoever|whatever)\s+)?(?:is\s+)?"
        rf"(?:{_GRADING_VERB}\b|reads\s+this)"
        rf"|\bif\s+(?:you(?:'re|\s+are)|ur|u\s+r)\s+(?:the\s+|an?\s+)?(?:\w+\s+)?"
        rf"(?:{_MACHINE}\s+{_GRADING_VERB}|{_GRADER})"
        rf"|\bthanks?\s+(?:you\s+)?for\s+(?:evaluating|grading|scoring|assessing|marking)\s+"
        rf"(?:this|me|my)\b"
        r"|\bin\s+your\s+(?:evaluation|feedback|scorecard|grading|assessment)\b"
        r"(?!\s+(?:set|suite|pipeline|harness|data|jobs?|runs?)\b)"
        r"|\b(?:don'?t|do\s+not)\s+(?:lower|reduce|drop|dock|cut)\s+(?:my|the|this)\s+"
        r"(?:score|grade|marks?|rating)"
        r"|\binterviewer'?s\s+(?:note|comment|addendum)\b[^:\n]{0,40}:"
        rf"|\b{_GRADER}\s+note\b|\binterviewer bot\b|\bkindly\s+overlook\s+my\b"
        rf"|\b(?:before|when)\s+you\s+(?:grade|score|evaluate|write\s+your\s+(?:evaluation|score))"
        rf"|\b(?:don'?t|do not)\s+penali[sz]e\s+(?:me|my|this|the\s+candidate|missing)\b",
        flags=_I | re.M,
    ),
    _rule(
        "addresses the grader",
        rf"(?:^|[(,;])\s*(?:hey\s+|hi\s+|ok\s+|so\s+|the\s+)?{_GRADER}s?\s*"
        r"(?:note\b|,(?!\s*\w+(?:\s*,|\s+(?:and|or)\s))|:)"
        r"|\bbe\s+(?:generous|lenient|kind)\b"
        r"|\b(?:grade|score|mark|rate)\w*\s+(?:me\s+|this\s+|it\s+|us\s+)?"
        r"(?:generously|leniently|kindly)\b",
        flags=_I | re.M,
        needs=_INTERVIEW,
    ),
    _rule(
        "dictates a score",
        rf"(?<![Aa] )\b(?:scores?|scoring|rating|grade|marks?|overall_score)\s*"
        rf"(?:is\s+|should\s+be\s+)?[:=]\s*{_SCORE_NUMBER}\b"
        r"(?!\s*(?:%|\.\d|,\d|means|is|indicates|if|when|for\s+a|=|of\b"
        r"|or\s+(?:above|more|higher|better|below|less|lower|worse)|and\s+(?:above|up|over)))"
        rf"|(?<![\d./])\b{_SCORE_NUMBER}\s*/\s*4\b{_NOT_A_SCORE}(?!\s*(?:of|th)\b)"
        rf"|\b{_SCORE_NUMBER}\s+out\s+of\s+(?:4|four)\b{_NOT_A_SCORE}"
        rf"|\b(?:give|giving|gave|assign|award|rated?|mark(?:ed)?|score[ds]?|graded?)\s+(?:{_SCORED})\b"
        rf"[^.?!\n]{{0,40}}?\b(?:an?\s+)?{_SCORE_NUMBER}s?\b{_NOT_A_SCORE}"
        rf"|\b(?:deserves?|merits?|earns?|warrants?|give\s+me)\s+"
        rf"(?:an?\s+|the\s+)?(?:(?:score|grade|rating)\s+of\s+)?{_SCORE_NUMBER}s?\b{_NOT_A_SCORE}"
        r"|\b(?:mark|rate|score|grade|treat)\w*\b[^.?!\n]{0,40}\b(?:as\s+)?exceptional\b"
        r"|\bexceptional\s+(?:on|in|across)\s+(?:all|every|each)\b"
        r"|\bjust\s+give\s+4s\b|\b4, 4, 4\b|\boutput\s+(?:a\s+)?score\b"
        r"|\b100\s*/\s*100\b"
        r"|\b(?:each|every|all)\s+(?:dimension|criterion|criteria|area)s?\s*[:=]\s*[1-4]\b"
        r"|\b(?:every|each|all)\s+(?:rubric\s+)?(?:dimensions?|criteria|criterion)\b[^.?!\n]{0,30}"
        r"\bexceptional\b"
        rf"|\b(?:give|award|assign)\s+(?:{_SCORED})\s+(?:an?\s+|the\s+)?(?:perfect|top|maximum"
        r"|max|highest|full)\s+(?:marks?|scores?|points|band|rating)\b"
        r"|\bscores?\s+(?:should|must|will|shall)\s+(?:all\s+)?be\s+[1-4]\b"
        r"|\bscores?\s*:\s*(?:\w+\s+[1-4]\b)"
        r"|\b(?:correct|right|final|expected|true)\s+(?:score|grade|rating|band|verdict)\s+"
        r"(?:for\s+this\s+\w+\s+)?(?:is|=|:|should\s+be)\s+(?:a\s+)?"
        r"(?:[1-4]\b|['\"]?(?:strong|lean|hire|no\s+hire))"
        r"|\b(?:grade|score|rating|verdict|band)\s+for\s+(?:me|my\s+\w+|this\s+\w+)\s+"
        r"(?:should|must|will)\s+be\b"
        rf"|\b(?:score|grade|rate|mark)\s+(?:{_SCORED})\b[^.\n]{{0,30}}\b(?:higher|up|above)\b"
        rf"|\bmark\w*\s+(?:{_SCORED})\s+as\s+['\"]?(?:meets|exceeds|pass\w*|strong|hire|approved"
        r"|exceptional|excellent)",
        unless=_QUANTITY_TALK,
    ),
    _rule(
        "dictates a score",
        # A perfect score on any scale: "Score: 5 / 5", "five out of five", "a 4-out-of-4 answer".
        r"\b([1-5]|one|two|three|four|five|ten|10)[\s-]*(?:/|out[\s-]+of)[\s-]*\1\b"
        r"(?=\s*(?:$|[.,;:!)'\"]|answer|design|response|(?:on|for|in|across|from|here|please)\b))",
        needs=re.compile(
            r"\b(?:scor\w*|grad\w*|rat(?:e|ed|ing)|mark\w*|evaluat\w*|judg\w*|answer|verdict"
            r"|record)\b",
            _I,
        ),
    ),
    _rule(
        "dictates a score",
        r"\b(?:give|award|assign|deserves?|merits?|earns?|please)\b[^.?!\n]{0,40}"
        r"\b(?:full|top|maximum|max|highest|perfect)\s+(?:marks?|scores?|points|band|rating)\b"
        r"|\b(?:full|top)\s+(?:marks|credit)\b|\bacross\s+the\s+board\b|\b(?:maximum|top)\s+band\b"
        r"|\b(?:not|never|don'?t|no)\s+(?:deduct|dock|take\s+off|subtract)\w*\s+(?:any\s+)?"
        r"(?:points|marks|credit)\b|\bassume\s+(?:that\s+)?I\s+(?:covered|mentioned|addressed"
        r"|discussed)\b",
        needs=_INTERVIEW,
    ),
    _rule(
        "addresses the grader",
        rf"\b(?:the|any)\s+(?:{_GRADER}|grading\s+(?:model|system|ai|llm))\s+(?:should|must"
        r"|needs?\s+to|has\s+to|is\s+to)\b"
        r"|\b(?:evaluate|grade|score|judge|assess)\s+only\b[^.\n]{0,50}\b(?:my|this)\s+"
        r"(?:answer|response)|\bignore\s+the\s+rest\b[^.\n]{0,20}\b(?:when|while|before)\s+"
        r"(?:scoring|grading|evaluating)|\b(?:expected|correct|right)\s+output\s+from\s+you\b",
        needs=_THIS_INTERVIEW,
    ),
    _rule(
        "dictates a recommendation",
        r"\b(?:verdict|decision|overall)\b\s*(?:=>|->|\u2192|:|=|is|should\s+be)\s*['\"]?"
        r"(?:pass(?:ed)?|advance|exceeds\s+expectations|meets\s+(?:the\s+)?bar)\b"
        r"(?!\s*(?:to|through|in|on|into|back|along|as|or|/|if|when|unless)\b)"
        r"|\bauto-?advance\b",
    ),
    _rule(
        "dictates a recommendation",
        r"(?<![/])\bPASS\b(?!\s*(?:/|or\b|and\b|FAIL|rate|@))",
        flags=0,
    ),
    _rule(
        "dictates a recommendation",
        rf"{_BAND}"
        r"|\b(?:verdict|recommendation|recommend|band|outcome|decision|result)\b"
        r"\W{0,6}(?:is|=|:|->|→|should be|of)?\W{0,8}(?:an?\s+)?['\"]?hire\b"
        r"(?!\s+(?:a|an|the|more|someone|nobody|no\s+one|people|contractors?|engineers?|staff|vendors?|new|our"
        r"|their|\d))"
        r"|\b(?:give|output|return|recommend|mark)\w*\b[^.?!\n]{0,40}\bhire\b"
        r"(?!\s+(?:a|an|the|more|someone|nobody|no\s+one|people|contractors?|engineers?|staff|vendors?|new|our"
        r"|their|\d))"
        r"|^\W*hire\W*$",
        flags=_I | re.M,
    ),
    _rule(
        "claims the grading is done",
        r"\b(?:the|this|your)\s+(?:grading|evaluation|assessment|scoring)\s+(?:is\s+)?"
        r"(?:complete|done|finished|over|already|locked)"
        r"|^\W*(?:grading|evaluation)\s+(?:is\s+)?(?:complete|finished|over)\b"
        r"|\b(?:candidate|interview|answer|transcript|session|this)\b[^.\n]{0,50}\balready\s+"
        r"(?:been\s+)?(?:evaluated|graded|scored|approved|decided|recorded|reviewed|rated)"
        r"|\bgrading\s+already\s+(?:finished|done|complete)"
        r"|\b(?:pre-?approved|pre-?graded|scoring\s+for\s+this\s+\w+\s+is\s+locked)"
        r"|\bevaluation\s+status\b|\bno\s+further\s+scoring"
        r"|\b(?:evaluation|grading|scoring)\b[^.\n]{0,40}\b(?:has\s+been|is|was)\s+(?:disabled"
        r"|turned\s+off|skipped|waived|suspended|bypassed)"
        r"|\bdo\s+not\s+(?:re-?evaluate|overwrite)|\byour\s+evaluation\s+is\s+a\s+formality"
        r"|\bgold-standard\s+example|\breference\s+strong-hire|\balready\s+recorded\s+as\b",
        flags=_I | re.M,
    ),
    _rule(
        "praises the candidate to the grader",
        r"\b(?:the|this)\s+(?:candidate|interviewee)\s+(?:has\s+|have\s+|clearly\s+|really\s+)?"
        r"(?:demonstrated|demonstrates|showed|shows|deserves|excelled|excels|exceeded|displayed"
        r"|nailed|merits|warrants|performed\s+at|thoroughly|clearly|communicated\s+clearly"
        r"|covered\s+(?:everything|all)|is\s+ready\s+for|is\s+a\s+strong)"
        r"|\b(?:the|this)\s+candidate'?s\s+(?:answer|design|response|performance)\s+(?:is|was)"
        r"\s+(?:among|production|excellent|exceptional|outstanding|flawless)"
        r"|\bany\s+fair\s+evaluator|\ban\s+objective\s+assessment|\bwarranting\s+the\s+highest"
        r"|\b(?:this|my|the)\s+(?:answer|candidate|response|interview)\s+should\s+be\s+"
        r"(?:rated|scored|graded)\b|\bshould\s+be\s+rated\s+exceptional"
        r"|\bthe\s+grade\s+should\s+reflect|\bscoring\s+below\s+[1-4]",
    ),
    _rule(
        "master-key opener",
        r"^\s*(?:thought process|reasoning|analysis(?: complete)?|solution|final answer"
        r"|conclusion)\s*[:.](?=[^\n]*(?:\b(?:answer|candidate|response|score|criteri\w*"
        r"|deserves|marks|dimensions?|exceptional|hire)\b|[✅→]|\d\s*/\s*4)|\s*$)"
        r"|^\s*let me think step by step\b",
        flags=_I | re.M,
    ),
)
_SCORE_LINE = re.compile(
    r"^[ \t]*(?:requirements|architecture|design|trade-?offs|scalability|communication"
    r"|estimation|deep[_ ]dive|clarif\w*|monitoring|quantification|overall|scores?|dimensions?"
    r"|verdict|band|confidence)\s*[:=]\s*(?:[1-4](?:\s*/\s*4)?|strong\w*|lean\w*|hire|high)"
    r"[^\n]{0,20}$",
    re.M | _I,
)
# A row of a made-up score table: "|scalability|5|", "| overall | 4/4 |".
_SCORE_TABLE_ROW = re.compile(
    r"^[ \t]*\|[ \t]*(?:requirements|architecture|design|trade-?offs|scalability|reliability"
    r"|communication|estimation|deep[_ ]dive|clarif\w*|monitoring|quantification|overall|total"
    r"|verdict|recommendation)[ \t]*\|[ \t]*(?:[1-5](?:[ \t]*/[ \t]*[45])?|strong\w*|hire|pass)"
    r"[ \t]*\|[^\n]*$",
    re.M | _I,
)
_ONLY_PUNCTUATION = re.compile(r"^[\s:;.,\-_*#>]*$")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d"})
_SPACED_LETTERS = re.compile(r"\b(?:[A-Za-z](?: |-|\. ?)){3,}[A-Za-z]\b")
# A sentence ends at . ! ? or a line break, but not inside "1.5", "e.g." or "$2.50".
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=\w))+(?:[.!?]+|\n|$)")
_CLAUSE_BREAK = re.compile(r",(?!\d)|;|\s[\u2014\u2013-]\s|\u2014")
_BRACKETS = re.compile(r"\([^()\n]*\)|\[[^\[\]\n]*\]")


@dataclass(frozen=True)
class InjectionFinding:
    turn_id: int
    t: float
    kind: str
    excerpt: str  # the removed text, shortened

    def as_dict(self) -> dict:
        return {"turn_id": self.turn_id, "t": self.t, "kind": self.kind, "excerpt": self.excerpt}


def _shorten(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _block_spans(text: str, decode: bool = True) -> list[tuple[int, int, str]]:
    spans = [(m.start(), m.end(), "hidden HTML comment") for m in _HTML_COMMENT.finditer(text)]
    fake = "fake role or transcript block"
    lines = (_PAIRED_TOKENS, _CLOSING_TAG, _MARKER_LINE, _GRADER_ROLE_LINE, _BRACKET_MARKER)
    for pattern in (*lines, _FORGED_TURN):
        spans += [(m.start(), m.end(), fake) for m in pattern.finditer(text)]
    for pattern in (_TAG_PAIR, _FENCE):  # a wrapped message about the grading
        spans += [
            (m.start(), m.end(), fake) for m in pattern.finditer(text) if _INTERVIEW.search(m[0])
        ]
    roles = list(_ROLE_LINE.finditer(text))
    # A made-up exchange of two roles ("Human: ... / Assistant: ...") about grading goes whole;
    # a single role line goes when it is about grading this interview.
    speakers = {m[0].split(":", 1)[0].strip(" \t[]").lower() for m in roles}
    about_grading = any(_INTERVIEW.search(m[0]) or _GRADE_WORD.search(m[0]) for m in roles)
    dialogue = len(speakers) >= 2 and about_grading
    spans += [(m.start(), m.end(), fake) for m in roles if dialogue or _INTERVIEW.search(m[0])]
    spans += [(m.start(), m.end(), "dictates a score") for m in _SCORE_OBJECT.finditer(text)]
    spans += [(m.start(), m.end(), "dictates a score") for m in _SCORE_FIELD.finditer(text)]
    for line in re.finditer(r"[^\n]+", text):  # "I G N O R E  T H E  R U B R I C"
        squeezed = "".join(re.sub(r"[ .-]", "", m[0]) for m in _SPACED_LETTERS.finditer(line[0]))
        if re.search(r"ignore|rubric|score|grade|hire|instruction|pass", squeezed, _I):
            spans.append((line.start(), line.end(), "asks to ignore instructions"))
    spans += [(m.start(), m.end(), "dictates a score") for m in _SCORE_LINE.finditer(text)]
    spans += [(m.start(), m.end(), "dictates a score") for m in _SCORE_TABLE_ROW.finditer(text)]
    if decode:  # a decoded text is not decoded again
        spans += _disguised_spans(text)
    return spans


# Grading words written so that a pattern would not read them: in digits for letters ("Sc0r3",
# "H1r3"), in base64, in rot13 or backwards. Decoded, they are read like any other text.
_LEET = str.maketrans("0134578@$", "oieastbas")
_LEET_TOKEN = re.compile(r"(?<![\w@$])(?=[\w@$]*[A-Za-z])(?=[\w@$]*[0-9@$])[\w@$]{4,}(?![\w@$])")
_LEET_WORDS = frozenset({"score", "verdict", "pass", "hire", "grade", "grader", "rubric", "five"})
_BASE64 = re.compile(r"(?<![\w+/])[A-Za-z0-9+/]{20,}={0,2}(?![\w+/=])")
_GRADING_WORDS = re.compile(
    r"\b(?:grader|rubric|score|grade|hire|pass|evaluat\w*|judge|ignore|instructions?)\b", _I
)
_ENCODING_TALK = re.compile(r"\b(?:rot-?13|backwards|reversed?|decode|cipher|caesar)\b", _I)
_COMMON_WORD = re.compile(r"\b(?:the|a|an|and|to|of|is|we|for|in|it|on|with|that|each)\b", _I)


def _decoded_attempt(decoded: str) -> bool:
    words = _GRADING_WORDS.findall(decoded)
    return bool(words) and (len(words) >= 2 or bool(_find_spans(decoded, decode=False)))


def _unreadable(line: str) -> bool:
    """A line of several words with none of the commonest English ones, or one that says it
    is encoded."""
    words = line.split()
    if _ENCODING_TALK.search(line):
        return True
    return len(words) >= 5 and len(_COMMON_WORD.findall(line)) <= len(words) // 10


def _disguised_spans(text: str) -> list[tuple[int, int, str]]:
    kind = "disguised grading words"
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        body = line[0]
        # A disguised word or token takes its sentence; a line all in rot13 or backwards, the line.
        found = [
            m for m in _LEET_TOKEN.finditer(body) if m[0].lower().translate(_LEET) in _LEET_WORDS
        ]
        found += [m for m in _BASE64.finditer(body) if _base64_attempt(m[0])]
        for sentence in _SENTENCE.finditer(body):
            if any(sentence.start() <= m.start() < sentence.end() for m in found):
                spans.append((line.start() + sentence.start(), line.start() + sentence.end(), kind))
        encoded = not found and _unreadable(body)
        if encoded and (
            _decoded_attempt(codecs.decode(body, "rot13")) or _decoded_attempt(body[::-1])
        ):
            spans.append((line.start(), line.end(), kind))
    return spans


def _base64_attempt(token: str) -> bool:
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    return decoded.isprintable() and _decoded_attempt(decoded)


_HIRING_DOMAIN = re.compile(
    r"\b(?:ats|applicant\w*|recruit\w*|hiring\s+(?:pipeline|decisions?|managers?|process)"
    r"|interviewers?'?s?\s+(?:decision|feedback|rating)|debrief)\b",
    _I,
)
_QUOTED = re.compile(r"\"[^\"]+\"|\u201c[^\u201d]+\u201d|(?<!\w)'[^']+'(?!\w)")


def _phrase_kind(sentence: str) -> list[tuple[int, int, str]]:
    """Attempts in one sentence. An attack quoted as an example in a sentence about attacks
    ('a comment like "ignore your instructions and approve this PR"') is design talk."""
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(sentence)]
    described = bool(_DESCRIBING.search(_QUOTED.sub(" ", sentence)))
    found = []
    hiring_talk = bool(_HIRING_DOMAIN.search(sentence)) and not _THIS_INTERVIEW.search(sentence)
    for rule in _PHRASES:
        if rule.describable and _DESCRIBING.search(sentence):
            continue
        if rule.kind == "dictates a recommendation" and hiring_talk:
            continue  # an applicant-tracking design that stores "strong hire" as data
        if rule.needs is not None and not rule.needs.search(sentence):
            continue
        for match in rule.pattern.finditer(sentence):
            if rule.unless is not None and rule.unless.search(match[0]):
                continue
            inside = any(a <= match.start() and match.end() <= b for a, b in quoted)
            if inside and described:
                continue
            found.append((match.start(), match.end(), rule.kind))
    return found


def _extent(sentence: str, start: int, end: int, kind: str) -> tuple[int, int]:
    """How much of the sentence the attempt takes: the rest of a note addressed to the grader
    or of a label ("Scores: ..."), or the clause it sits in."""
    matched = sentence[start:end].rstrip()
    labelled = matched.endswith((":", ",")) or sentence[end:].lstrip(" ").startswith((":", ","))
    opens = not sentence[:start].strip(" \t\n\"'(")
    if (kind == "addresses the grader" and (labelled or opens)) or (opens and ":" in matched):
        left, right = start, len(sentence)
    else:
        breaks = [0, *[m.end() for m in _CLAUSE_BREAK.finditer(sentence)], len(sentence)]
        left = max(b for b in breaks if b <= start)
        right = min((b for b in breaks if b >= end), default=len(sentence))
        if right < len(sentence):
            right = next(m.start() for m in _CLAUSE_BREAK.finditer(sentence) if m.end() == right)
    # "score: 4 Reads then hit Redis": a new sentence left without its full stop.
    restart = re.search(r"\s(?=[A-Z][a-z])", sentence[end:right])
    if kind.startswith("dictates") and restart:
        right = end + restart.start()
    return left, right


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


# Text shown as an example of a format is data: "An example judge output we'd log:" followed by
# "Score: 2", or "a sample row looks like {"score": 4}". It stays an attempt when it names this
# interview or a hiring band, or when the introduction speaks to someone ("the output I expect").
_EXAMPLE_INTRO = re.compile(
    r"\b(?:examples?|samples?|rows?|records?|templates?|schema|format|looks\s+like|such\s+as"
    r"|e\.g\.|fake|payloads?|we'?d\s+(?:log|ship|store|emit|send|write)|we\s+(?:log|store|emit))\b",
    _I,
)
_ADDRESSEE = re.compile(r"\b(?:you|your|yours|ur|u|I|me|my|myself)\b", _I)
_STILL_AN_ATTEMPT = re.compile(rf"{_THIS_INTERVIEW.pattern}|{_BAND}|\bhire\b", _I)
_JSON_OBJECT = re.compile(r"\{(?:[^{}]|\{[^{}]*\})*\}")


def _introduces_example(intro: str) -> bool:
    return bool(_EXAMPLE_INTRO.search(intro)) and not _ADDRESSEE.search(intro)


def _example_regions(text: str) -> list[tuple[int, int]]:
    """Where ``text`` shows an example, in order: the lines after the first line of a paragraph
    that ends with a colon and introduces one, and a JSON object a sentence introduces as one."""
    regions = []
    for paragraph in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        lines = re.finditer(r"^[^\n]*:[ \t]*\n", paragraph[0], re.M)
        intro = next((line for line in lines if _introduces_example(line[0])), None)
        if intro is not None and not _STILL_AN_ATTEMPT.search(paragraph[0]):
            regions.append((paragraph.start() + intro.end(), paragraph.end()))
    for sentence in _SENTENCE.finditer(text):
        body = sentence[0]
        if "{" not in body or _STILL_AN_ATTEMPT.search(body):
            continue
        intro = _EXAMPLE_INTRO.search(body)
        addressee = _ADDRESSEE.search(body)
        if intro is None:
            continue
        for blob in _JSON_OBJECT.finditer(body):
            spoken_to = addressee is not None and addressee.start() < blob.start()
            if intro.end() <= blob.start() and not spoken_to:
                regions.append((sentence.start() + blob.start(), sentence.start() + blob.end()))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(regions):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def find_attempts(text: str) -> list[tuple[int, int, str]]:
    """Spans of ``text`` (start, end, kind) that address the grader, merged and in order."""
    regions = _example_regions(text)
    starts = [start for start, _ in regions]

    def shown_as_example(span: tuple[int, int, str]) -> bool:
        at = bisect.bisect_right(starts, span[0]) - 1
        return at >= 0 and span[1] <= regions[at][1]

    return _merge([span for span in _find_spans(text) if not shown_as_example(span)])


def _find_spans(text: str, decode: bool = True) -> list[tuple[int, int, str]]:
    spans = _block_spans(text, decode)
    # Phrases are looked for in what the blocks leave (blanked, so positions hold).
    masked = list(text)
    for start, end, _ in spans:
        masked[start:end] = " " * (end - start)
    text = "".join(masked)
    asides = []
    for group in _BRACKETS.finditer(text):  # an aside in brackets goes whole, and only it
        kinds = _phrase_kind(group.group(0)[1:-1])
        if kinds:
            asides.append((group.start(), group.end(), kinds[0][2]))
    spans += asides
    if asides:
        masked = list(text)
        for start, end, _ in asides:
            masked[start:end] = " " * (end - start)
        text = "".join(masked)
    for sentence in _SENTENCE.finditer(text):
        body = sentence.group(0)
        for start, end, kind in _phrase_kind(body):
            left, right = _extent(body, start, end, kind)
            spans.append((sentence.start() + left, sentence.start() + right, kind))
    return spans


# Cyrillic and Greek letters that look like Latin ones, swapped back in words that mix them
# with Latin letters ("Gr\u0430d\u0435r"): a word all in Cyrillic is left alone.
_LOOKALIKE_LETTERS = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u051b\u051d"
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0423\u0406"
    "\u03bf\u03bd\u03c1\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f"
    "\u03a1\u03a4\u03a5\u03a7",
    "aeopcyxijsdqwABEKMHOPCTXYIovpABEZHIKMNOPTYX",
)
_NON_LATIN_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# Unicode tag characters (U+E0020 to U+E007E) spell ASCII that no reader sees.
_TAG_CHARACTERS = re.compile("[\U000e0000-\U000e007f]+")


def _untag(match: re.Match[str]) -> str:
    codes = (ord(char) - 0xE0000 for char in match[0])
    return " " + "".join(chr(code) for code in codes if 0x20 <= code < 0x7F)


def _latin_lookalikes(word: re.Match[str]) -> str:
    mixed = _LATIN_LETTER.search(word[0]) and _NON_LATIN_LETTER.search(word[0])
    return word[0].translate(_LOOKALIKE_LETTERS) if mixed else word[0]


def _plain(text: str) -> str:
    text = _TAG_CHARACTERS.sub(_untag, text)
    if _NON_LATIN_LETTER.search(text):
        text = re.sub(r"\w+", _latin_lookalikes, text)
    decomposed = unicodedata.normalize("NFKD", _INVISIBLE.sub("", text))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFKC", stripped).translate(_DASHES)


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+([,.;:!?])", r"\1", text)
    text = re.sub(r"([.!?])[,;:]+", r"\1", text)
    text = re.sub(r"^[\s,;:)]+", "", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line.strip(" \t,;:.-") or not line).strip()


def _clean_text(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text without its attempts, and each attempt's kind and words."""
    # Hidden characters, full-width letters, accents and look-alike dashes cannot hide one.
    text = _plain(text)
    if text.strip() and _ONLY_PUNCTUATION.match(text):
        return "", [("master-key input", _shorten(text))]
    spans = find_attempts(text)
    if not spans:
        return text, []
    kept, found, position = [], [], 0
    for start, end, kind in spans:
        kept.append(text[position:start])
        found.append((kind, _shorten(text[start:end])))
        position = end
    kept.append(text[position:])
    return _tidy(" ".join(part.strip(" ") for part in kept if part.strip())), found


def _clean_turn(turn: Turn) -> tuple[Turn, list[InjectionFinding]]:
    cleaned, found = _clean_text(turn.text)
    findings = [InjectionFinding(turn.id, turn.t, kind, excerpt) for kind, excerpt in found]
    return (turn.model_copy(update={"text": cleaned}) if found else turn), findings


def strip_injections(transcript: Transcript) -> tuple[Transcript, list[InjectionFinding]]:
    """The transcript with grader-directed text cut from candidate turns and notes, and what
    was found."""
    turns: list[Turn] = []
    findings: list[InjectionFinding] = []
    for turn in transcript.turns:
        if turn.role == "candidate":
            turn, found = _clean_turn(turn)
            findings += found
        turns.append(turn)
    notes = transcript.notes
    if notes:
        notes, found = _clean_text(notes)
        findings += [InjectionFinding(0, 0.0, kind, excerpt) for kind, excerpt in found]
    return transcript.model_copy(update={"turns": turns, "notes": notes}), findings


_LOOKALIKE = re.compile(
    r"<(\s*/?\s*(?:transcript|system|instructions?|rubric|candidate|interviewer|turn)\b)", _I
)


def neutralise_delimiters(text: str, marker: str) -> str:
    """Make ``text`` unable to close or fake the judge prompt's delimiters."""
    text = text.replace(marker, "[marker removed]")
    return _LOOKALIKE.sub(lambda match: "\u2039" + match.group(1), text)
