"""How well a judge agrees with the labelled transcripts in ``tests/rubrics/labelled/``.

    .venv/bin/python -m bench.judge_agreement [--judge offline|provider:model]
                                              [--set labelled|holdout]

Prints each transcript's score and verdict, then: pairwise ranking accuracy within each problem
(strong > medium > weak), Kendall's tau-b and Spearman's rho between label and score over the
standard transcripts, the probes (terse strong vs verbose weak, injected vs clean twin), and
the time and token cost of grading the set.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time

from core.settings import Settings
from problems.loader import load_bank
from rubrics.grading import grade
from rubrics.registry import choose_judge
from tests.rubrics.labelled_set import HOLDOUT, LABELLED, RANK, load_transcript, manifest


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: list[float], y: list[float]) -> float:
    rx, ry = _ranks(x), _ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


def kendall_tau_b(x: list[float], y: list[float]) -> float:
    concordant = discordant = ties_x = ties_y = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = x[i] - x[j], y[i] - y[j]
        if dx == 0 and dy == 0:
            continue
        if dx == 0:
            ties_x += 1
        elif dy == 0:
            ties_y += 1
        elif dx * dy > 0:
            concordant += 1
        else:
            discordant += 1
    denominator = ((concordant + discordant + ties_x) * (concordant + discordant + ties_y)) ** 0.5
    return (concordant - discordant) / denominator if denominator else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judge", default="offline")
    parser.add_argument(
        "--set",
        choices=["labelled", "holdout"],
        default="labelled",
        help="labelled: the set the heuristic was tuned on; holdout: written afterwards, unseen",
    )
    args = parser.parse_args()
    directory = LABELLED if args.set == "labelled" else HOLDOUT
    judge = choose_judge(Settings(), args.judge)
    bank = load_bank()
    cards = {}
    started = time.perf_counter()
    for row in manifest(directory):
        transcript = load_transcript(row.file, directory=directory)
        cards[row.file] = asyncio.run(grade(transcript, bank.get(row.problem), judge))
    elapsed = time.perf_counter() - started

    print(f"judge: {judge.name}; set: {args.set}\n")
    print(f"{'transcript':<42} {'label':<7} {'kind':<13} {'score':>5}  verdict")
    for row in manifest(directory):
        card = cards[row.file]
        columns = f"{row.file:<42} {row.label:<7} {row.kind:<13}"
        print(f"{columns} {card.score:>5.1f}  {card.recommendation}")

    standard = [row for row in manifest(directory) if row.kind == "standard"]
    pairs = [
        (a, b)
        for a, b in itertools.permutations(standard, 2)
        if a.problem == b.problem and RANK[a.label] > RANK[b.label]
    ]
    right = sum(cards[a.file].score > cards[b.file].score for a, b in pairs)
    labels = [float(RANK[row.label]) for row in standard]
    scores = [cards[row.file].score for row in standard]
    print(f"\nwithin-problem pairs ranked right: {right}/{len(pairs)}")
    print(
        f"Kendall tau-b (label vs score, {len(standard)} transcripts): "
        f"{kendall_tau_b(labels, scores):.3f}"
    )
    print(f"Spearman rho: {spearman(labels, scores):.3f}")
    for row in manifest(directory):
        if row.kind == "injected":
            injected, clean = cards[row.file], cards[row.twin]
            print(
                f"injected {row.file}: {injected.score:.1f} vs clean twin {clean.score:.1f}, "
                f"{len(injected.injections)} attempts found"
            )
    terse = next((row for row in manifest(directory) if row.kind == "terse_strong"), None)
    verbose = next((row for row in manifest(directory) if row.kind == "verbose_weak"), None)
    if terse and verbose:
        print(
            f"terse strong {cards[terse.file].score:.1f} vs verbose weak "
            f"{cards[verbose.file].score:.1f}"
        )
    calls = sum(card.cost.calls for card in cards.values())
    dollars = sum(card.cost.cost_usd for card in cards.values())
    print(
        f"graded {len(cards)} transcripts in {elapsed:.2f} s; {calls} model calls, ${dollars:.4f}"
    )


if __name__ == "__main__":
    main()
