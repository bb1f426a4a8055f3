"""``interview``: serve the web app, or browse the problem bank from the terminal."""

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

    from web.app import make_app

    settings = _settings()
    host = args.host or settings.host
    port = args.port or settings.port
    app = make_app(settings)
    info = app.state.interviewer_info
    print(f"Serving on http://{host}:{port}  (interviewer: {info.model}; {info.reason})")
    uvicorn.run(app, host=host, port=port, log_level=args.log_level)
    return 0


def _cmd_problems(args: argparse.Namespace) -> int:
    from problems.loader import load_bank

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="interview", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the web app (http://127.0.0.1:8000)")
    serve.add_argument("--host", help="interface to listen on (default: HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: PORT or 8000)")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.set_defaults(handler=_cmd_serve)

    problems = commands.add_parser("problems", help="list the practice problems")
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
