"""The offline interviewer: a deterministic drill partner that needs no network or API key.

It follows the phase plan and the server's clock: it opens with the problem, answers clarifying
questions from the problem's hidden facts when the question touches their topic, nudges for
numbers when an answer has none, asks the phase's probing questions and a curveball one at a
time, moves on when a phase has had enough substance, and asks the closing question at the end.
The same conversation always gets the same reply.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable

from interviewer.base import ReplyMeta, TurnContext
from llm.usage import Usage, count_tokens
from problems.models import HiddenFact, Problem

__all__ = ["GOAL_TURNS", "OfflineInterviewer", "compose_reply", "matching_facts"]

_NUMBER = re.compile(r"\d")
_PIECE = re.compile(r"\S+\s*|\s+")
_NUMBER_HUNGRY_PHASES = ("requirements", "estimation")
_CURVEBALL_PHASES = ("deep_dive", "tradeoffs")
_MAX_FACTS_PER_ANSWER = 3
# Substantive candidate answers after which a phase's goals count as met.
GOAL_TURNS = 3


def matching_facts(problem: Problem, question: str) -> list[HiddenFact]:
    """Hidden facts whose keywords occur in the question, best match first."""
    lowered = question.lower()
    scored = []
    for index, fact in enumerate(problem.hidden_facts):
        hits = sum(1 for keyword in fact.keywords if keyword.lower() in lowered)
        if hits:
            scored.append((-hits, index, fact))
    return [fact for _, _, fact in sorted(scored, key=lambda item: item[:2])]


def _already_said(context: TurnContext, text: str) -> bool:
    return any(
        text in message.text
        for message in context.conversation.replies
        if message.role == "interviewer"
    )


def _first_unasked(context: TurnContext, questions: list[str]) -> str | None:
    for question in questions:
        if not _already_said(context, question):
            return question
    return None


def _phase_questions(context: TurnContext) -> list[str]:
    """The phase's questions in asking order: a probe, the curveball, then the rest."""
    probes = list(context.plan.phase(context.phase).probes)
    questions = probes[:1]
    if context.phase in _CURVEBALL_PHASES:
        questions += [c.prompt for c in context.problem.curveballs if c.phase == context.phase][:1]
    if context.phase == "deep_dive":
        questions += [probe for dive in context.problem.deep_dives for probe in dive.probes]
    return questions + probes[1:]


def _opening(context: TurnContext) -> str:
    problem, plan = context.problem, context.plan
    steps = ", ".join(phase.title.lower() for phase in plan.phases)
    return (
        f"Hello, I'll be your interviewer for the next {context.minutes} minutes. "
        f"Today's problem: {problem.statement}\n\n"
        f"We'll go through {len(plan.phases)} steps: {steps}. "
        "Ask me anything you need to know as we go; when I have no number for you, "
        "make a reasonable assumption and say it out loud.\n\n"
        f"{plan.phases[0].opening_questions[0]}"
    )


def _transition(context: TurnContext) -> str:
    phase = context.plan.phase(context.phase)
    if context.phase_change_reason == "timeout" and context.phase_changed_from:
        done = context.plan.phase(context.phase_changed_from).title.lower()
        return (
            f"We're out of time for {done}. "
            f"Let's move on to {phase.title.lower()}. {phase.opening_questions[0]}"
        )
    return f"Let's move on to {phase.title.lower()}. {phase.opening_questions[0]}"


def _goals_met(context: TurnContext) -> bool:
    answers = [m.text for m in context.conversation.messages_in_phase() if m.role == "candidate"]
    if len(answers) < GOAL_TURNS:
        return False
    if context.phase in _NUMBER_HUNGRY_PHASES:
        return any(_NUMBER.search(answer) for answer in answers)
    return True


def _clarify_reply(context: TurnContext, said: str) -> tuple[str, list[str]]:
    facts = [
        fact
        for fact in matching_facts(context.problem, said)
        if not _already_said(context, fact.answer)
    ][:_MAX_FACTS_PER_ANSWER]
    if facts:
        answer = " ".join(fact.answer for fact in facts)
        return f"{answer} What else would you like to pin down?", [fact.topic for fact in facts]
    if "?" in said:
        return (
            "I don't have a fixed figure for that. Make a reasonable assumption, state it, "
            "and we'll go with it. Anything else before we write down requirements?"
        ), []
    follow_up = _first_unasked(context, _phase_questions(context))
    return follow_up or "Anything else you'd like to clarify before we write down requirements?", []


def compose_reply(context: TurnContext) -> tuple[str, bool, str]:
    """The reply, whether the phase's goals are met (move on), and a private note."""
    conversation = context.conversation
    said_by_candidate = [m for m in conversation.replies if m.role == "candidate"]
    if not conversation.replies:
        return _opening(context), False, ""
    if context.phase_changed_from is not None:
        return _transition(context), False, ""
    said = said_by_candidate[-1].text if said_by_candidate else ""
    if context.phase == "clarify":
        reply, topics = _clarify_reply(context, said)
        note = f"Asked about: {', '.join(topics)}." if topics else ""
        if not topics and _goals_met(context):
            following = context.plan.phase(context.plan.next_phase_id("clarify"))
            return f"Good. {following.opening_questions[0]}", True, "Clarification done."
        return reply, False, note
    if context.phase in _NUMBER_HUNGRY_PHASES and not _NUMBER.search(said):
        return (
            (
                "Can you put numbers on that? Give me the figures with their units, "
                "even rough ones, and how you got them."
            ),
            False,
            f"No numbers given in {context.phase}.",
        )
    if _goals_met(context):
        if context.is_last_phase:
            return context.plan.closing_question.strip(), True, "All steps covered."
        following = context.plan.phase(context.plan.next_phase_id(context.phase))
        return f"Okay. {following.opening_questions[0]}", True, ""
    question = _first_unasked(context, _phase_questions(context))
    return question or "Is there anything you'd add here before we move on?", False, ""


class OfflineInterviewer:
    """Streams :func:`compose_reply` word by word, optionally paced like typing."""

    model_id = "offline"
    price_key = "offline"
    offline = True

    def __init__(
        self,
        *,
        token_delay: float = 0.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._token_delay = token_delay
        self._sleep = sleep

    async def stream_reply(self, context: TurnContext) -> AsyncIterator[str | ReplyMeta]:
        reply, advance, note = compose_reply(context)
        for piece in _PIECE.findall(reply):
            if self._token_delay:
                await self._sleep(self._token_delay)
            yield piece
        output_tokens, how = count_tokens(reply)
        yield ReplyMeta(usage=Usage(0, 0, output_tokens, source=how), notes=note, advance=advance)
