"""Numbers with units in free text: "50 TB", "12k redirects/s", "$73k per month", "7 chars".

Every quantity is reduced to a *kind* (bytes, rate, money, duration, ...) and a value in that
kind's base unit (bytes, per second, US dollars, seconds), so "0.05 PB" and "50,000 GB" compare
equal. Counts of things ("8 GPUs", "7 characters") have the kind ``count`` and carry their noun.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

__all__ = [
    "Quantity",
    "UnitSpec",
    "extract_quantities",
    "parse_unit",
    "seconds_in",
    "stem",
    "unit_factor",
]

_SCALE_WORDS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mil": 1e6,
    "m": 1e6,
    "mm": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "t": 1e12,
}
_BYTES = {
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 1e3,
    "kib": 1024,
    "kilobyte": 1e3,
    "kilobytes": 1e3,
    "mb": 1e6,
    "mib": 1024**2,
    "megabyte": 1e6,
    "megabytes": 1e6,
    "gb": 1e9,
    "gib": 1024**3,
    "gigabyte": 1e9,
    "gigabytes": 1e9,
    "tb": 1e12,
    "tib": 1024**4,
    "terabyte": 1e12,
    "terabytes": 1e12,
    "pb": 1e15,
    "pib": 1024**5,
    "petabyte": 1e15,
    "petabytes": 1e15,
}
_BITS_PER_SECOND = {
    "bps": 1 / 8,
    "kbps": 1e3 / 8,
    "mbps": 1e6 / 8,
    "gbps": 1e9 / 8,
    "tbps": 1e12 / 8,
}
_SECONDS = {
    "ms": 1e-3,
    "msec": 1e-3,
    "millisecond": 1e-3,
    "milliseconds": 1e-3,
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "day": 86400,
    "days": 86400,
    "week": 604800,
    "weeks": 604800,
    "month": 2_592_000,
    "months": 2_592_000,
    "year": 31_536_000,
    "years": 31_536_000,
}
_PER_SECOND_WORDS = {"qps": "queries", "rps": "requests", "tps": "transactions", "iops": "ops"}
# Rates per minute written as one word: "133M TPM" is 133 million tokens a minute.
_PER_MINUTE_WORDS = {"tpm": "token", "rpm": "request", "qpm": "query"}
_MONEY = {"$": 1, "usd": 1, "dollar": 1, "dollars": 1, "bucks": 1}
_PERCENT = {"%": 1, "percent": 1, "pct": 1}
# Words that may sit between a number and "per second" without being the counted thing.
_FILLER = {"of", "the", "a", "an", "about", "roughly", "around", "new"}
# Words that end the noun after a number ("100B URLs at 500 bytes").
_STOP = {
    "at",
    "in",
    "for",
    "with",
    "to",
    "on",
    "per",
    "each",
    "and",
    "or",
    "is",
    "are",
    "which",
    "that",
    "so",
    "x",
    "times",
    "than",
    "over",
    "under",
    "by",
    "from",
    "into",
    "if",
    "we",
}


def stem(word: str) -> str:
    """A crude stem, enough to match "writes" with "write" and "queries" with "query"."""
    word = word.lower().strip(".,:;!?()[]\"'")
    if len(word) <= 2:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class UnitSpec:
    """What a unit string means: its kind and the factor to the kind's base unit."""

    kind: str
    factor: float
    noun: str = ""  # the counted thing of a rate or count ("write", "gpu")


@dataclass(frozen=True)
class Quantity:
    value: float  # in the kind's base unit
    kind: str
    text: str  # as written
    start: int
    end: int
    noun: str = ""  # stems of the counted thing's words, space-separated ("h100 gpu")
    number: float = 0.0  # the figure as written, scale words applied, before its unit

    @property
    def nouns(self) -> set[str]:
        return set(self.noun.split())


def _time_factor(word: str) -> float | None:
    return _SECONDS.get(word.lower().rstrip("."))


_PERIOD_ADJECTIVES = {
    "hourly": "hour",
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
    "mo": "month",
    "yr": "year",
}


def seconds_in(word: str) -> float | None:
    """Seconds in a unit of time as words name it: "s", "min", "days", "monthly", "annual"."""
    word = word.lower().rstrip(".")
    return _time_factor(_PERIOD_ADJECTIVES.get(word, word))


def unit_factor(word: str) -> float | None:
    """A size or duration unit in its kind's base unit (bytes, seconds): "gb", "ms", "days"."""
    word = word.lower()
    return _BYTES.get(word) if word in _BYTES and word != "b" else seconds_in(word)


def parse_unit(unit: str) -> UnitSpec | None:
    """Interpret a unit as written in a problem file ("writes/s", "USD/month", "TB/day")."""
    text = unit.strip().lower()
    scale = 1.0
    words = text.split()
    while words and words[0] in {"million", "billion", "thousand"}:
        scale *= _SCALE_WORDS[words[0]]
        words = words[1:]
    text = " ".join(words)
    if text in {"percent", "%", "fraction", "fraction of spend"}:
        return UnitSpec("percent", scale * (100 if text.startswith("fraction") else 1))
    numerator, _, denominator = text.partition("/")
    per = 1.0
    if denominator:
        if denominator == "token":
            return _with_scale(_plain_unit(numerator), scale, suffix="/token")
        seconds = _time_factor(denominator)
        if seconds is None:
            return None
        per = seconds
    base = _plain_unit(numerator)
    if base is None:
        return None
    if denominator:
        kind = {"bytes": "bytes_rate", "money": "money_rate"}.get(base.kind, "rate")
        if base.kind == "count":
            kind = "rate"
        return UnitSpec(kind, scale * base.factor / per, base.noun)
    return UnitSpec(base.kind, scale * base.factor, base.noun)


def _with_scale(spec: UnitSpec | None, scale: float, *, suffix: str) -> UnitSpec | None:
    if spec is None:
        return None
    return UnitSpec(spec.kind + suffix, spec.factor * scale, spec.noun)


def _plain_unit(word: str) -> UnitSpec | None:
    word = word.strip()
    if word in _BYTES:
        return UnitSpec("bytes", _BYTES[word])
    if word in _BITS_PER_SECOND:
        return UnitSpec("bytes_rate", _BITS_PER_SECOND[word])
    if word in _MONEY:
        return UnitSpec("money", 1)
    if word in _SECONDS:
        return UnitSpec("duration", _SECONDS[word])
    if word in _PER_SECOND_WORDS:
        return UnitSpec("rate", 1, _PER_SECOND_WORDS[word])
    if word in _PER_MINUTE_WORDS:
        return UnitSpec("rate", 1 / 60, _PER_MINUTE_WORDS[word])
    if re.fullmatch(r"[a-z][a-z-]*( [a-z][a-z-]*)?", word):
        noun = stem(word.split()[-1])
        return UnitSpec("count", 1, noun)
    return None


# -- extraction --------------------------------------------------------------------------------

_NUMBER = r"""
    (?P<money>\$\s?)?
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
    (?:\s?(?:\^|\*\*)\s?(?P<pow>\d+(?:\.\d+)?))?
    (?:\s?[eE](?P<exp>[+-]?\d+))?
    (?:\s?(?:x|×|\*|times)\s?10\s?\^\s?(?P<exp10>[+-]?\d+))?
"""
_SCALE = r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mm|mil|[kKmMbBtT])(?![a-zA-Z]))?"
_TAIL = r"(?=(?P<tail>(?:[ \t]*[^\s.,;:!?()]+){0,4}))"
_QUANTITY = re.compile(
    rf"(?<![\w.^:]){_NUMBER}{_SCALE}{_TAIL}",
    re.VERBOSE,
)
_RATE_TAIL = re.compile(r"^(?:/|\s?per\s|\s?an?\s|\s?each\s)\s?(?P<per>[a-z]+)\b", re.IGNORECASE)


def _number(match: re.Match[str]) -> float | None:
    try:
        value = float(match["num"].replace(",", ""))
        if match["pow"]:
            value = value ** float(match["pow"])
        if match["exp"]:
            value *= 10 ** int(match["exp"])
        if match["exp10"]:
            value *= 10 ** int(match["exp10"])
    except (OverflowError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _per(tail: str) -> tuple[float | None, int]:
    """A "per <time>" right at the start of ``tail``: seconds and characters used."""
    word_match = re.match(r"^\s?(?:qps|rps|tps|iops)\b", tail, re.IGNORECASE)
    if word_match:
        return 1.0, word_match.end()
    word_match = re.match(r"^\s?(?:tpm|rpm|qpm)\b", tail, re.IGNORECASE)
    if word_match:
        return 60.0, word_match.end()
    match = _RATE_TAIL.match(tail)
    if match:
        seconds = _time_factor(match["per"])
        if seconds is not None:
            return seconds, match.end()
    if re.match(r"^\s?(?:daily)\b", tail, re.IGNORECASE):
        return 86400.0, len(tail.split()[0]) + 1
    return None, 0


def _interpret(value: float, money: bool, tail: str) -> tuple[str, float, str, int] | None:
    """Kind, value in base unit, noun and characters of ``tail`` used."""
    words = re.findall(r"[^\s/]+|/", tail)
    lowered = tail.lower()
    first = words[0].lower() if words else ""
    if first in _PERCENT or lowered.startswith("%"):
        return "percent", value, "", lowered.index(first) + len(first) if first else 1
    if money or first in _MONEY:
        used = lowered.index(first) + len(first) if (first in _MONEY) else 0
        seconds, more = _per(tail[used:])
        if seconds:
            return "money_rate", value / seconds, "", used + more
        return "money", value, "", used
    if first in _BYTES and not (first == "b" and not tail.startswith(" ")):
        used = lowered.index(first) + len(first)
        factor = _BYTES[first]
        seconds, more = _per(tail[used:])
        if tail[used:].lower().startswith("/token") or tail[used:].lower().startswith(" per token"):
            return "bytes/token", value * factor, "", used + len("/token")
        if seconds:
            return "bytes_rate", value * factor / seconds, "", used + more
        return "bytes", value * factor, "", used
    if first in _BITS_PER_SECOND:
        return "bytes_rate", value * _BITS_PER_SECOND[first], "", lowered.index(first) + len(first)
    if (first in _SECONDS and first not in {"s", "h"}) or first in {"ms"}:
        return "duration", value * _SECONDS[first], "", lowered.index(first) + len(first)
    seconds, used = _per(tail)
    if seconds:
        noun = _PER_SECOND_WORDS.get(first) or _PER_MINUTE_WORDS.get(first, "")
        return "rate", value / seconds, noun, used
    # A counted thing, possibly followed by a rate: "12k redirects per second", "8 H100 GPUs".
    nouns: list[str] = []
    offset = noun_end = 0
    for word in words[:3]:
        position = lowered.index(word.lower(), offset)
        offset = position + len(word)
        if word.lower() in _FILLER:
            continue
        if word.lower() in _STOP or not re.fullmatch(r"[a-zA-Z][\w-]*", word):
            break
        nouns.append(stem(word))
        noun_end = offset
        seconds, more = _per(tail[offset:])
        if seconds:
            return "rate", value / seconds, " ".join(nouns), offset + more
    if nouns:
        return "count", value, " ".join(nouns), noun_end
    return None


def extract_quantities(text: str) -> tuple[Quantity, ...]:
    """Every number in ``text`` that carries a unit or a counted noun, in order."""
    return _extract(text)


@cache
def _extract(text: str) -> tuple[Quantity, ...]:
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(text):
        value = _number(match)
        if value is None:
            continue
        scale_word = match["scale"]
        tail = match["tail"] or ""
        if scale_word:
            key = scale_word.lower()
            is_bytes = (
                key == "b" and scale_word == "B" and tail.lower().startswith((" each", " per"))
            )
            if is_bytes:
                tail = " bytes" + tail
            else:
                value *= _SCALE_WORDS[key]
        interpreted = _interpret(value, bool(match["money"]), tail)
        if interpreted is None:
            continue
        kind, base_value, noun, used = interpreted
        end = match.start("tail") + used if match["tail"] else match.end()
        found.append(
            Quantity(
                base_value,
                kind,
                text[match.start() : end].strip(),
                match.start(),
                end,
                noun,
                number=value,
            )
        )
    return tuple(found)
