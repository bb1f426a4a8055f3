"""The offline interviewer: a deterministic drill partner that needs no network or API key.

It opens with the problem, answers clarifying questions from the problem's hidden facts when the
question touches their topic, nudges for numbers in the phases that need them, asks the phase's
probing questions one at a time, and closes with the plan's closing question.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable

from interviewer.base import TurnContext
from problems.models import HiddenFact, Problem

__all__ = ["OfflineInterviewer", "compose_reply", "matching_facts"]

_NUMBER = re.compile(r"\d")
_PIECE = re.compile(r"\S+\s*|\s+")
_NUMBER_HUNGRY_PHASES = ("requirements", "estimation")
_MAX_FACTS_PER_ANSWER = 3
_CLOSING_TURNS_IN_MONITORING = 2


def matching_facts(problem: Problem, question: str) -> list[HiddenFact]:
    """Hidden facts whose keywords occur in the question, best match first."""
    lowered = question.lower()
    scored = []
    for index, fact in enumerate(problem.hidden_facts):
        hits = sum(1 for keyword in fact.keywords if keyword.lower() in lowered)
        if hits:
            scored.append((-hits, index, fact))
    return [fact for _, _, fact in sorted(scored, key=lambda item: item[:2])]


def _already_asked(context: TurnContext, question: str) -> bool:
    return any(
        question in message.text
        for message in context.conversation.messages
        if message.role == "interviewer"
    )


def _first_unasked(context: TurnContext, questions: list[str]) -> str | None:
    for question in questions:
        if not _already_asked(context, question):
            return question
    return None


def _phase_questions(context: TurnContext) -> list[str]:
    phase = context.plan.phase(context.phase)
    questions = list(phase.probes)
    if context.phase == "deep_dive":
        for dive in context.problem.deep_dives:
            questions.extend(dive.probes)
    questions.extend(
        curveball.prompt
        for curveball in context.problem.curveballs
        if curveball.phase == context.phase
    )
    return questions


def _opening(context: TurnContext) -> str:
    problem, plan = context.problem, context.plan
    steps = ", ".join(phase.title.lower() for phase in plan.phases)
    return (
        f"Hello, I'll be your interviewer for the next {context.minutes} minutes. "
        f"Today's problem: {problem.statement}\n\n"
        f"We'll go through {len(plan.phases)} steps: {steps}. "
        "Ask me anything you need to know as we go; when I have no number for you, "
        "make a reasonable assumption and say it out loud.\n\n"
        f"{plan.phase(plan.phases[0].id).opening_questions[0]}"
    )


def _transition(context: TurnContext) -> str:
    phase = context.plan.phase(context.phase)
    return f"Let's move on to {phase.title.lower()}. {phase.opening_questions[0]}"


def _clarify_reply(context: TurnContext, said: str) -> str:
    facts = [
        fact
        for fact in matching_facts(context.problem, said)
        if not _already_asked(context, fact.answer)
    ][:_MAX_FACTS_PER_ANSWER]
    if facts:
        answer = " ".join(fact.answer for fact in facts)
        return f"{answer} What else would you like to pin down?"
    if "?" in said:
        return (
            "I don't have a fixed figure for that. Make a reasonable assumption, state it, "
            "and we'll go with it. Anything else before we write down requirements?"
        )
    follow_up = _first_unasked(context, _phase_questions(context))
    return follow_up or "Anything else you'd like to clarify before we write down requirements?"


def _closing(context: TurnContext) -> str:
    closing = context.plan.closing_question.strip()
    if _already_asked(context, closing):
        return (
            "Thank you, that's our time. Your transcript is saved; "
            "the scorecard will point to the moments behind each score."
        )
    return closing


def compose_reply(context: TurnContext) -> str:
    conversation = context.conversation
    if not conversation.messages:
        return _opening(context)
    if context.phase_changed_from is not None:
        return _transition(context)
    said = conversation.messages[-1].text
    if context.phase == "clarify":
        return _clarify_reply(context, said)
    if context.phase in _NUMBER_HUNGRY_PHASES and not _NUMBER.search(said):
        return (
            "Can you put numbers on that? Give me the figures with their units, "
            "even rough ones, and how you got them."
        )
    is_last_phase = context.plan.next_phase_id(context.phase) is None
    if is_last_phase and conversation.candidate_turns_in_phase() >= _CLOSING_TURNS_IN_MONITORING:
        return _closing(context)
    question = _first_unasked(context, _phase_questions(context))
    if question is None:
        return "Is there anything you'd add here before we move on?"
    return question


class OfflineInterviewer:
    """Streams :func:`compose_reply` word by word, optionally paced like typing."""

    model_id = "offline"
    offline = True

    def __init__(
        self,
        *,
        token_delay: float = 0.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._token_delay = token_delay
        self._sleep = sleep

    async def stream_reply(self, context: TurnContext) -> AsyncIterator[str]:
        for piece in _PIECE.findall(compose_reply(context)):
            if self._token_delay:
                await self._sleep(self._token_delay)
            yield piece
