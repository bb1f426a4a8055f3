"""Interviewer prompts as versioned Jinja2 templates.

The version id is stored with every session. The prompt carries the problem statement, the
current phase and the hidden facts, but never the reference estimates or the key points: those
are for the judge, so no question can make the interviewer leak them.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from interviewer.base import TurnContext

__all__ = ["INTERVIEWER_PROMPT_VERSION", "OPENING_CUE", "render_system_prompt"]

INTERVIEWER_PROMPT_VERSION = "interviewer.v1"
OPENING_CUE = "(The candidate has joined the call. Greet them briefly and present the problem.)"

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    undefined=StrictUndefined,
    autoescape=False,  # plain text for a model, not HTML
    keep_trailing_newline=True,
)


def render_system_prompt(context: TurnContext) -> str:
    template = _ENV.get_template(f"{INTERVIEWER_PROMPT_VERSION}.j2")
    return template.render(
        minutes=context.minutes,
        problem=context.problem,
        plan=context.plan,
        phase=context.plan.phase(context.phase),
        phase_changed_from=context.phase_changed_from,
    )


def chat_messages(context: TurnContext) -> list[dict[str, str]]:
    """The conversation as alternating user/assistant turns, starting with the candidate."""
    messages = [{"role": "user", "content": OPENING_CUE}]
    for message in context.conversation.messages:
        role = "assistant" if message.role == "interviewer" else "user"
        if messages[-1]["role"] == role:
            messages[-1]["content"] += "\n\n" + message.text
        else:
            messages.append({"role": role, "content": message.text})
    return messages
