"""``interview practice``: a whole interview in the terminal, replies streamed as they come.

Type answers at the prompt. Commands: ``/next`` (move to the next step), ``/pause``,
``/resume``, ``/end`` (finish early), ``/quit`` (leave; the session stays saved), ``/help``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TextIO

from interviewer.service import InterviewService
from interviewer.turn_events import (
    InvalidMessageError,
    PhaseChanged,
    ReplyCompleted,
    ReplyFailed,
    ReplyInterrupted,
    TokenStreamed,
    TurnNotAllowedError,
)
from storage.events import SessionRecord

__all__ = ["run_practice", "status_line"]

OWNER = "terminal"
HELP = "Commands: /next  /pause  /resume  /end  /quit  /help"


def _mmss(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def status_line(service: InterviewService, session: SessionRecord) -> str:
    face = service.clockface(session)
    title = service.plan.phase(face.phase).title
    parts = [title]
    if face.phase_seconds_left is not None and not face.ended:
        parts.append(f"{_mmss(face.phase_seconds_left)} left in this step")
    parts.append(f"{_mmss(face.session_seconds_left)} left in the interview")
    if face.paused:
        parts.append("PAUSED")
    if face.ended:
        parts.append("ENDED")
    return "[" + " · ".join(parts) + "]"


def _play(service: InterviewService, session: SessionRecord, out: TextIO) -> None:
    async def play() -> None:
        started = False
        async for event in service.run_interviewer_turn(session):
            match event:
                case PhaseChanged(title=title):
                    out.write(f"\n── {title} ──\n")
                case TokenStreamed(text=text):
                    if not started:
                        out.write("\nInterviewer: ")
                        started = True
                    out.write(text)
                    out.flush()
                case ReplyCompleted():
                    out.write("\n")
                case ReplyInterrupted(detail=detail):
                    out.write(f"\n[reply interrupted: {detail}; press Enter to retry]\n")
                case ReplyFailed(detail=detail):
                    out.write(
                        f"\n[the interviewer could not reply: {detail}; press Enter to retry]\n"
                    )
        out.flush()

    asyncio.run(play())


def run_practice(
    service: InterviewService,
    *,
    problem_id: str,
    minutes: int,
    persona: str = "neutral",
    level: str = "senior",
    read: Callable[[str], str] = input,
    out: TextIO,
) -> SessionRecord:
    session = service.start(
        owner_id=OWNER, problem_id=problem_id, minutes=minutes, persona=persona, level=level
    )
    problem = service.bank.get(problem_id)
    out.write(
        f"{problem.title} · {minutes} minutes · interviewer: {service.interviewer.model_id}\n"
    )
    out.write(f"{HELP}\n")
    while True:
        if service.tick(session).interviewer_turn_pending:
            _play(service, session, out)
        state = service.conversation(session.id)
        if state.signed_off:
            break
        out.write(status_line(service, session) + "\n")
        try:
            line = read("You: ").strip()
        except EOFError:
            out.write("\n")
            break
        if not line:
            continue
        command = line.lower()
        try:
            if command == "/quit":
                break
            if command == "/help":
                out.write(HELP + "\n")
            elif command == "/pause":
                service.pause(session)
            elif command == "/resume":
                service.resume(session)
            elif command == "/end":
                service.end(session)
            elif command == "/next":
                service.post_candidate_message(session, "I'd like to move on to the next step.")
            elif command.startswith("/"):
                out.write(f"unknown command {line!r}. {HELP}\n")
            else:
                service.post_candidate_message(session, line)
        except (TurnNotAllowedError, InvalidMessageError) as exc:
            out.write(f"[{exc}]\n")
    _summary(service, session, out)
    return session


def _summary(service: InterviewService, session: SessionRecord, out: TextIO) -> None:
    state = service.conversation(session.id)
    used = state.phase_seconds_used(service.clock.now())
    out.write(f"\nSession {session.id} saved.\n")
    for phase in service.plan.phases:
        if phase.id in used:
            out.write(f"  {phase.title:<32} {_mmss(used[phase.id])}\n")
    out.write(
        f"Tokens: {state.input_tokens:,} in ({state.cached_input_tokens:,} cached), "
        f"{state.output_tokens:,} out · ${state.cost_usd:.4f}\n"
    )
