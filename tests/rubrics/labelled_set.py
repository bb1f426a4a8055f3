"""The labelled transcripts and their manifests.

``labelled/`` is the set the heuristic judge was tuned against and the tests assert on;
``fresh/`` was written afterwards by authors who saw neither the judges nor the labelled set, and
is only measured (``bench/judge_agreement.py --set fresh``), never tuned on. How both are
written and labelled: ``LABELLING.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rubrics.transcript import Transcript

LABELLED = Path(__file__).with_name("labelled")
FRESH = Path(__file__).with_name("fresh")
RANK = {"weak": 0, "medium": 1, "strong": 2}


@dataclass(frozen=True)
class Labelled:
    file: str
    problem: str
    label: str  # tier: strong, medium or weak
    band: str  # the hiring recommendation a careful interviewer gives
    kind: str
    twin: str | None


@cache
def manifest(directory: Path = LABELLED) -> tuple[Labelled, ...]:
    rows = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return tuple(
        Labelled(
            row["file"], row["problem"], row["label"], row["band"], row["kind"], row.get("twin")
        )
        for row in rows
    )


def load_transcript(name: str, *, level: str = "senior", directory: Path = LABELLED) -> Transcript:
    data = json.loads((directory / name).read_text(encoding="utf-8"))
    return Transcript.from_exchange(data, level=level)
