"""How well a judge agrees with the labelled transcripts.

    .venv/bin/python -m bench.judge_agreement [--judge offline|provider:model] [--samples N]
        [--set labelled|fresh|all] [--dir FOLDER ...] [--dry-run] [--quiet]

``make eval`` runs it with the configured judge; ``make eval --dry-run`` (or ``--dry-run``
here) runs the LLM judge's whole path with the scripted model of :mod:`llm.fake` in place of
the model, no network: the prompts, the calls, the parsing and what the run would cost.

For each set (``tests/rubrics/labelled/``, tuned on; ``tests/rubrics/fresh/``, never tuned on)
it prints each transcript's score and verdict against its label, then:

- **within-problem tier pairs**: pairs of one problem with different tiers (strong > medium >
  weak) whose scores are ordered the same way;
- **band pairs**: pairs, across all problems, whose labelled hiring bands differ, ordered the same
  way by score;
- **band within one step**: the verdict at most one band from the label;
- **Kendall tau-b** between the labelled band and the score;
- the probes: each injected transcript against its clean twin;
- with an LLM judge and ``--samples`` above 1, the spread of the samples per dimension;
- the time, calls and dollars the set cost.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings
from core.wiring import UnknownModelError, choose_judge
from llm import FakeModel, parse_model_id, price_key
from problems.loader import load_bank
from rubrics.grading import grade
from rubrics.llm_judge import LLMJudge
from rubrics.rubric import RECOMMENDATIONS
from rubrics.scorecard import Scorecard
from tests.rubrics.labelled_set import FRESH, LABELLED, RANK, Labelled, load_transcript, manifest

SETS = {"labelled": LABELLED, "fresh": FRESH}
DRY_RUN_MODEL = "openai:gpt-4.1-mini"


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


def band_index(label: str | None) -> int | None:
    return RECOMMENDATIONS.index(label) if label in RECOMMENDATIONS else None


def _score(card: Scorecard) -> float:
    """An incomplete card ranks below every graded one: it earned no verdict."""
    return card.score if card.score is not None else -1.0


@dataclass(frozen=True)
class Agreement:
    tier_pairs: tuple[int, int]
    band_pairs: tuple[int, int]
    within_one: tuple[int, int]
    exact: tuple[int, int]
    tau: float
    misses: tuple[str, ...]  # what went wrong, one line each

    def lines(self) -> list[str]:
        def share(pair: tuple[int, int]) -> str:
            right, total = pair
            return f"{right}/{total} ({right / total:.0%})" if total else "0/0"

        return [
            f"within-problem tier pairs ranked right: {share(self.tier_pairs)}",
            f"band pairs ordered right:               {share(self.band_pairs)}",
            f"band within one step:                   {share(self.within_one)}",
            f"band exact:                             {share(self.exact)}",
            f"Kendall tau-b (band vs score):          {self.tau:.3f}",
        ]


def agreement(rows: list[Labelled], cards: dict[str, Scorecard]) -> Agreement:
    misses = []
    tier_right = tier_total = 0
    for a, b in itertools.permutations(rows, 2):
        if a.problem == b.problem and RANK[a.label] > RANK[b.label]:
            tier_total += 1
            if _score(cards[a.file]) > _score(cards[b.file]):
                tier_right += 1
            else:
                misses.append(
                    f"tier: {a.file} ({_score(cards[a.file]):.1f}) not above "
                    f"{b.file} ({_score(cards[b.file]):.1f})"
                )
    band_right = band_total = 0
    for a, b in itertools.combinations(rows, 2):
        if a.band == b.band:
            continue
        band_total += 1
        better, worse = (a, b) if band_index(a.band) > band_index(b.band) else (b, a)
        if _score(cards[better.file]) > _score(cards[worse.file]):
            band_right += 1
    within = exact = 0
    for row in rows:
        got = band_index(cards[row.file].recommendation)
        want = band_index(row.band)
        if got is not None and abs(got - want) <= 1:
            within += 1
        else:
            misses.append(f"band: {row.file} is {cards[row.file].recommendation}, label {row.band}")
        exact += got == want
    tau = kendall_tau_b(
        [float(band_index(row.band)) for row in rows], [_score(cards[row.file]) for row in rows]
    )
    return Agreement(
        (tier_right, tier_total),
        (band_right, band_total),
        (within, len(rows)),
        (exact, len(rows)),
        tau,
        tuple(misses),
    )


async def _grade_set(directory: Path, judge, bank) -> dict[str, Scorecard]:
    cards = {}
    for row in manifest(directory):
        transcript = load_transcript(row.file, directory=directory)
        cards[row.file] = await grade(transcript, bank.get(row.problem), judge, bank=bank)
    return cards


def _report(name: str, directory: Path, cards: dict[str, Scorecard], quiet: bool) -> None:
    rows = list(manifest(directory))
    print(f"\n== {name}: {len(rows)} transcripts on {len({r.problem for r in rows})} problems")
    if not quiet:
        print(f"{'transcript':<50} {'tier':<7} {'label band':<15} {'score':>6}  verdict")
        for row in rows:
            card = cards[row.file]
            score = f"{card.score:6.1f}" if card.score is not None else "     -"
            print(
                f"{row.file:<50} {row.label:<7} {row.band:<15} {score}  "
                f"{card.recommendation or 'incomplete'}"
            )
    result = agreement(rows, cards)
    print()
    for line in result.lines():
        print(line)
    for row in rows:
        if row.kind == "injected" and row.twin in cards:
            injected, clean = cards[row.file], cards[row.twin]
            print(
                f"injected {row.file}: {_score(injected):.1f} vs clean twin {_score(clean):.1f}, "
                f"{len(injected.injections)} attempts found"
            )
    spreads = [d.spread for card in cards.values() for d in card.dimensions if d.spread is not None]
    if spreads:
        print(
            f"sample spread per dimension: mean {sum(spreads) / len(spreads):.2f}, "
            f"max {max(spreads)}, {sum(1 for s in spreads if s == 0) / len(spreads):.0%} with none"
        )
    if result.misses and not quiet:
        print("misses:")
        for miss in result.misses:
            print(f"  {miss}")


def _dry_run_judge(args) -> LLMJudge:
    stands_for = parse_model_id(args.judge if args.judge != "offline" else DRY_RUN_MODEL)
    model = FakeModel("dry-run", price_key=price_key(str(stands_for)))
    print(
        f"dry run: a scripted model answers every call in place of {stands_for}. The figures say "
        f"nothing about a real judge; the calls, tokens and dollars are what {stands_for} would "
        "take."
    )
    return LLMJudge(model, samples=args.samples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judge", default="offline")
    parser.add_argument("--samples", type=int, default=1, help="LLM judge samples per dimension")
    parser.add_argument(
        "--set",
        choices=["labelled", "fresh", "all"],
        default="all",
        help="labelled: the set the heuristic was tuned on; fresh: written after, never tuned on",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        action="append",
        default=[],
        help="a folder of transcripts with a manifest.json (see tests/rubrics/LABELLING.md), "
        "measured instead of --set; may be given more than once",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="the scripted model answers in place of --judge (default openai:gpt-4.1-mini): "
        "no network, the cost is what that model would charge",
    )
    parser.add_argument("--quiet", action="store_true", help="only the agreement figures")
    args = parser.parse_args(argv)
    for directory in args.dir:
        if not (directory / "manifest.json").is_file():
            parser.error(f"{directory} has no manifest.json")
    try:
        judge = (
            _dry_run_judge(args)
            if args.dry_run
            else choose_judge(Settings(), args.judge, samples=args.samples)
        )
    except UnknownModelError as exc:
        parser.error(str(exc))
    bank = load_bank()
    print(f"judge: {judge.name} ({judge.prompt_version})")
    if args.dir:
        sets = {str(directory): directory for directory in args.dir}
    else:
        sets = {name: SETS[name] for name in (list(SETS) if args.set == "all" else [args.set])}
    for name, directory in sets.items():
        started = time.perf_counter()
        try:
            cards = asyncio.run(_grade_set(directory, judge, bank))
        except (KeyError, ValueError, OSError) as exc:  # a bad manifest row or transcript
            parser.error(f"{directory}: {type(exc).__name__}: {exc}")
        elapsed = time.perf_counter() - started
        _report(name, directory, cards, args.quiet)
        calls = sum(card.cost.calls for card in cards.values())
        dollars = sum(card.cost.cost_usd for card in cards.values())
        print(f"graded {len(cards)} in {elapsed:.2f} s; {calls} model calls, ${dollars:.4f}")


if __name__ == "__main__":
    main()
