"""The labelled transcripts under ``labelled/`` and their manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rubrics.transcript import Transcript

LABELLED = Path(__file__).with_name("labelled")
RANK = {"weak": 0, "medium": 1, "strong": 2}


@dataclass(frozen=True)
class Labelled:
    file: str
    problem: str
    label: str
    kind: str
    twin: str | None


@cache
def manifest() -> tuple[Labelled, ...]:
    rows = json.loads((LABELLED / "manifest.json").read_text(encoding="utf-8"))
    return tuple(
        Labelled(row["file"], row["problem"], row["label"], row["kind"], row.get("twin"))
        for row in rows
    )


def load_transcript(name: str, *, level: str = "senior") -> Transcript:
    data = json.loads((LABELLED / name).read_text(encoding="utf-8"))
    return Transcript.from_exchange(data, level=level)
