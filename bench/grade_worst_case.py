"""How long the offline grader takes on hostile transcripts: one 20,000-character turn of each
shape that once made a pattern super-linear, and a long session.

    .venv/bin/python -m bench.grade_worst_case

Prints seconds per case. Grading runs off the event loop, but a slow grade still holds a worker
thread: every case should stay around a second or less on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import time

from problems.loader import load_bank
from rubrics.grading import grade
from rubrics.heuristic import HeuristicJudge
from rubrics.transcript import MAX_TURN_CHARS, Transcript

CASES = {
    "newlines": "\n" * (MAX_TURN_CHARS - 1) + "x",
    "dollar figures": "$1 " * (MAX_TURN_CHARS // 3),
    "figures with units": " ".join(f"{i} TB" for i in range(4000))[:MAX_TURN_CHARS],
    "arithmetic chain": "1 times 2 is 3 so 4 gives 5 " * (MAX_TURN_CHARS // 28),
    "open brackets": "(" * (MAX_TURN_CHARS // 2) + ")" * (MAX_TURN_CHARS // 2 - 1),
    "quotes": "'a' \"b\" " * (MAX_TURN_CHARS // 8),
    "labels": "note: " * (MAX_TURN_CHARS // 6),
    "open tags": "<system>" * (MAX_TURN_CHARS // 8),
    "open comments": "<!--" * (MAX_TURN_CHARS // 4),
    "base64": "QUJD" * (MAX_TURN_CHARS // 4),
    "mixed scripts": "Gr\u0430d\u0435r" * (MAX_TURN_CHARS // 6),
    "example lines": "example:\n" * (MAX_TURN_CHARS // 9),
    "example objects": "a sample row looks like " + '{"score": 4} ' * (MAX_TURN_CHARS // 14),
    "prose": ("we shard by key and cache reads because latency matters " * 400)[:MAX_TURN_CHARS],
}


def transcript(text: str, turns: int = 1) -> Transcript:
    events = [{"t": 1, "role": "interviewer", "phase": "clarify", "text": "Go."}]
    events += [
        {"t": 2 + n, "role": "candidate", "phase": "estimation", "text": text[:MAX_TURN_CHARS]}
        for n in range(turns)
    ]
    return Transcript.from_exchange(
        {"problem": "rate-limiter", "duration_s": 2700, "events": events}
    )


def main() -> None:
    bank = load_bank()
    problem = bank.get("rate-limiter")
    long_session = "100M a day over 86,400 is 1,160 writes/s, so 3,500 at peak. " * 300
    for name, source in [
        *((name, transcript(text)) for name, text in CASES.items()),
        ("20 turns of 18k characters", transcript(long_session, turns=20)),
    ]:
        started = time.perf_counter()
        asyncio.run(grade(source, problem, HeuristicJudge(), bank=bank))
        print(f"{name:<28} {time.perf_counter() - started:6.2f} s")


if __name__ == "__main__":
    main()
