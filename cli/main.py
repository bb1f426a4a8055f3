"""``interview``: serve the web app, practise or grade in the terminal, browse the problems."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError

__all__ = ["main"]


def _settings():
    from core.settings import Settings

    return Settings()


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from core.gc_tuning import tune_for_serving
    from web.app import make_app

    settings = _settings()
    host = args.host or settings.host
    port = args.port or settings.port
    app = make_app(settings)
    tune_for_serving()
    info = app.state.interviewer_info
    print(f"Serving on http://{host}:{port}  (interviewer: {info.model}; {info.reason})")
    # Live feeds never end by themselves: give them a few seconds at shutdown, not forever.
    uvicorn.run(app, host=host, port=port, log_level=args.log_level, timeout_graceful_shutdown=3)
    return 0


def _show_problem(problem_id: str) -> int:
    from problems.loader import UnknownProblemError, load_bank
    from problems.phases import load_phase_plan

    try:
        view = load_bank().get(problem_id).candidate_view()
    except UnknownProblemError as exc:
        print(f"interview: {exc} (see `interview problems`)", file=sys.stderr)
        return 1
    print(f"{view.title}  [{view.id}]")
    print(f"{view.category} · {view.difficulty} · {', '.join(view.tags)}")
    print()
    print(view.statement)
    print()
    print("Interview plan (45 minutes):")
    for phase in load_phase_plan().phases:
        print(f"  {phase.budget_minutes(45):>2} min  {phase.title}")
    return 0


def _cmd_problems(args: argparse.Namespace) -> int:
    from problems.loader import load_bank

    if args.action == "show":
        if not args.problem_id:
            print("interview: `interview problems show` needs a problem id", file=sys.stderr)
            return 2
        return _show_problem(args.problem_id)
    bank = load_bank()
    rows = bank.filter(category=args.category, difficulty=args.difficulty)
    if not rows:
        print("no problems match")
        return 0
    width = max(len(problem.id) for problem in rows)
    for problem in rows:
        columns = f"{problem.id:<{width}}  {problem.category:<7}  {problem.difficulty:<6}"
        print(f"{columns}  {problem.statement}")
    return 0


def _cmd_practice(args: argparse.Namespace) -> int:
    from cli.practice import run_practice
    from core.wiring import build_service
    from problems.loader import load_bank

    bank = load_bank()
    if args.problem_id not in bank:
        print(
            f"interview: unknown problem id {args.problem_id!r} (see `interview problems`)",
            file=sys.stderr,
        )
        return 1
    settings = _settings()
    if args.model:
        settings = settings.model_copy(update={"interviewer_model": args.model})
    wired = build_service(settings, bank=bank)
    try:
        run_practice(
            wired.service,
            problem_id=args.problem_id,
            minutes=args.minutes,
            persona=args.persona,
            level=args.level,
            out=sys.stdout,
        )
    except KeyboardInterrupt:
        print("\ninterview: stopped; the session is saved")
    finally:
        wired.engine.dispose()
    return 0


def _cmd_grade(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cli.grade import GradeError, grade_file
    from core.wiring import UnknownModelError, choose_judge

    try:
        judge = choose_judge(_settings(), args.judge, samples=args.samples)
        return grade_file(Path(args.file), judge, as_json=args.json, level=args.level)
    except (GradeError, UnknownModelError) as exc:
        print(f"interview: {exc}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="interview", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the web app (http://127.0.0.1:8000)")
    serve.add_argument("--host", help="interface to listen on (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: PORT or 8000)")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(handler=_cmd_serve)

    practice = commands.add_parser("practice", help="run a whole interview in the terminal")
    practice.add_argument("problem_id", metavar="ID")
    practice.add_argument("--minutes", type=int, default=45, choices=[30, 45, 60])
    practice.add_argument("--model", help="offline, openai:MODEL or anthropic:MODEL")
    practice.add_argument(
        "--persona", default="neutral", choices=["supportive", "neutral", "adversarial"]
    )
    practice.add_argument("--level", default="senior", choices=["mid", "senior", "staff"])
    practice.set_defaults(handler=_cmd_practice)

    grade = commands.add_parser(
        "grade",
        help="grade a transcript file (the exchange format) and print the scorecard",
        epilog="Exit status: 0 graded; 2 bad input; 3 incomplete (too much could not be graded "
        "for a recommendation: the card is printed, run it again to regrade).",
    )
    grade.add_argument("file", metavar="FILE.json")
    grade.add_argument("--judge", help="offline, openai:MODEL or anthropic:MODEL")
    grade.add_argument("--json", action="store_true", help="print the scorecard as JSON")
    grade.add_argument("--level", choices=["mid", "senior", "staff"], help="target level")
    grade.add_argument(
        "--samples",
        type=int,
        default=1,
        choices=range(1, 6),
        metavar="N",
        help="LLM judge samples per dimension (median score, spread reported); 1-5",
    )
    grade.set_defaults(handler=_cmd_grade)

    problems = commands.add_parser(
        "problems", help="list the practice problems, or `problems show ID` for one"
    )
    problems.add_argument("action", nargs="?", choices=["show"], help="show one problem")
    problems.add_argument("problem_id", nargs="?", metavar="ID")
    problems.add_argument("--category", choices=["classic", "ai"])
    problems.add_argument("--difficulty", choices=["medium", "hard", "expert"])
    problems.set_defaults(handler=_cmd_problems)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        print(f"interview: invalid configuration: {where}: {first['msg']}", file=sys.stderr)
    except Exception as exc:  # one line for the user, never a traceback
        print(f"interview: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
