"""``interview grade FILE.json``: grade a transcript in the exchange format from the terminal."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from problems.loader import UnknownProblemError, load_bank
from rubrics.export import scorecard_markdown
from rubrics.grading import grade
from rubrics.judge import Judge
from rubrics.rubric import load_rubric
from rubrics.transcript import InvalidTranscriptError, Transcript

__all__ = ["INCOMPLETE_EXIT", "GradeError", "grade_file"]

MAX_FILE_BYTES = 5 * 1024 * 1024
INCOMPLETE_EXIT = 3  # the card was printed, but too much could not be graded for a verdict


class GradeError(Exception):
    """A problem with the input, told to the user in one line."""


def _load(path: Path, level: str | None) -> Transcript:
    if not path.is_file():
        raise GradeError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise GradeError(f"{path}: larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise GradeError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise GradeError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    file_level = data.get("level") if isinstance(data, dict) else None
    chosen = level or (file_level if file_level in {"mid", "senior", "staff"} else "senior")
    try:
        return Transcript.from_exchange(data, level=chosen)
    except InvalidTranscriptError as exc:
        raise GradeError(f"{path}: {exc}") from None


class _ProgressLine:
    """Grading progress on stderr, one line per finished dimension."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total = total
        self.finished = 0
        self.out = out

    def __call__(self, dimension: str, status: str) -> None:
        if status == "started":
            return
        self.finished += 1
        mark = "unscored" if status == "unscored" else "done"
        print(f"  [{self.finished}/{self.total}] {dimension}: {mark}", file=self.out, flush=True)


def grade_file(
    path: Path,
    judge: Judge,
    *,
    as_json: bool,
    level: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    transcript = _load(path, level)
    bank = load_bank()
    try:
        problem = bank.get(transcript.problem)
    except UnknownProblemError as exc:
        raise GradeError(f"{path}: {exc}") from None
    total = len(load_rubric().dimensions)
    print(f"Grading {path.name} ({problem.id}) with {judge.name}...", file=err, flush=True)
    card = asyncio.run(
        grade(transcript, problem, judge, bank=bank, progress=_ProgressLine(total, err))
    )
    if as_json:
        out.write(card.model_dump_json(indent=2) + "\n")
    else:
        out.write(scorecard_markdown(card, title=problem.title))
    if card.incomplete is not None:
        print(
            f"{path.name}: {card.incomplete.message}; no recommendation. Run it again to regrade.",
            file=err,
        )
        return INCOMPLETE_EXIT
    return 0
