"""Validate problem files: ``python -m problems.check [FILE ...]`` (all of bank/ by default)."""

from __future__ import annotations

import sys
from pathlib import Path

from problems.loader import BANK_DIR, ProblemFileError, load_problem_file


def check(paths: list[Path]) -> list[str]:
    errors: list[str] = []
    for path in paths:
        try:
            problem = load_problem_file(path)
        except ProblemFileError as exc:
            errors.append(str(exc))
            continue
        for estimate in problem.reference_estimates:
            if not estimate.is_consistent():
                try:
                    value = f"{estimate.compute():.4g}"
                except ValueError as exc:
                    value = str(exc)
                errors.append(
                    f"{path.name}: estimate {estimate.name!r} computes {value} {estimate.unit}, "
                    f"outside {list(estimate.expected_range)}"
                )
    return errors


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted(BANK_DIR.glob("*.yaml"))
    errors = check(paths)
    for error in errors:
        print(error)
    print(f"{len(paths)} file(s) checked, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
