"""The labelled transcripts and their manifests.

``labelled/`` is the set the heuristic judge was tuned against and the tests assert on;
``holdout/`` was written afterwards, without sight of the judges, and is only measured
(``bench/judge_agreement.py --set holdout``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rubrics.transcript import Transcript

LABELLED = Path(__file__).with_name("labelled")
HOLDOUT = Path(__file__).with_name("holdout")
RANK = {"weak": 0, "medium": 1, "strong": 2}


@dataclass(frozen=True)
class Labelled:
    file: str
    problem: str
    label: str
    kind: str
    twin: str | None


@cache
def manifest(directory: Path = LABELLED) -> tuple[Labelled, ...]:
    rows = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return tuple(
        Labelled(row["file"], row["problem"], row["label"], row["kind"], row.get("twin"))
        for row in rows
    )


def load_transcript(name: str, *, level: str = "senior", directory: Path = LABELLED) -> Transcript:
    data = json.loads((directory / name).read_text(encoding="utf-8"))
    return Transcript.from_exchange(data, level=level)
