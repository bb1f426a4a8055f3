"""Interviewer prompts as versioned Jinja2 templates.

The prompt comes in two parts: a stable prefix (role, persona, rules, the problem and its facts)
that providers can cache, and a short per-turn part (the current step and the time left). The
version id is stored with every session. Reference estimates and key points are never in the
prompt: they are for the judge, so no question can make the interviewer leak them.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from interviewer.base import TurnContext
from interviewer.notes import NOTES_MARKER

__all__ = [
    "INTERVIEWER_PROMPT_VERSION",
    "OPENING_CUE",
    "PERSONAS",
    "render_system_prompt",
    "render_turn_prompt",
]

INTERVIEWER_PROMPT_VERSION = "interviewer.v2"
OPENING_CUE = "(The candidate has joined the call. Greet them briefly and present the problem.)"
PERSONAS = {
    "supportive": (
        "Be warm and encouraging. When the candidate is stuck for a while, you may offer a "
        "small nudge toward an area to consider, never an answer."
    ),
    "neutral": (
        "Be polite, calm and businesslike. Give no hints; let silence and questions do the work."
    ),
    "adversarial": (
        "Be sceptical and push hard, as a bar-raiser would: challenge every number and "
        "assumption, interrupt hand-waving, and give no hints at all. Stay professional."
    ),
}

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    undefined=StrictUndefined,
    autoescape=False,  # plain text for a model, not HTML
    keep_trailing_newline=True,
    auto_reload=False,  # the templates ship with the code: no stat() of the file every turn
)
# The system prompt of a session never changes: render it once per problem, plan, length,
# level and persona. Each entry keeps its problem and plan, so an id is never reused.
_SYSTEM_PROMPTS: dict[tuple, tuple[object, object, str]] = {}
_SYSTEM_PROMPTS_KEPT = 256


def render_system_prompt(context: TurnContext) -> str:
    """The stable prefix: the same for every turn of a session, so it can be cached."""
    problem, plan = context.problem, context.plan
    key = (id(problem), id(plan), context.minutes, context.level, context.persona)
    kept = _SYSTEM_PROMPTS.get(key)
    if kept is not None and kept[0] is problem and kept[1] is plan:
        return kept[2]
    template = _ENV.get_template(f"{INTERVIEWER_PROMPT_VERSION}.system.j2")
    text = template.render(
        minutes=context.minutes,
        level=context.level,
        persona_text=PERSONAS[context.persona],
        problem=problem,
        plan=plan,
        notes_marker=NOTES_MARKER,
    )
    if len(_SYSTEM_PROMPTS) >= _SYSTEM_PROMPTS_KEPT:
        _SYSTEM_PROMPTS.clear()
    _SYSTEM_PROMPTS[key] = (problem, plan, text)
    return text


def render_turn_prompt(context: TurnContext) -> str:
    """The part that changes every turn: the current step and the time left."""
    template = _ENV.get_template(f"{INTERVIEWER_PROMPT_VERSION}.turn.j2")
    session_left = context.session_seconds_left
    if session_left is None:
        session_left = context.minutes * 60.0
    return template.render(
        plan=context.plan,
        phase=context.plan.phase(context.phase),
        phase_seconds_left=context.phase_seconds_left,
        session_seconds_left=session_left,
        phase_changed_from=context.phase_changed_from,
        phase_change_reason=context.phase_change_reason,
    ).strip()
