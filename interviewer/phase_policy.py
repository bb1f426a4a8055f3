"""When the interview moves from one phase to the next.

A phase ends when the candidate asks to move on, when its time budget is spent, or when it has
gone on for several exchanges. The budget is measured on the server's clock from the moment the
phase began.
"""

from __future__ import annotations

import re
from datetime import datetime

from interviewer.conversation import Conversation
from problems.phases import PhasePlan

__all__ = ["MAX_CANDIDATE_TURNS_PER_PHASE", "asks_to_move_on", "next_phase"]

MAX_CANDIDATE_TURNS_PER_PHASE = 4

_MOVE_ON = re.compile(
    r"\b(move on|moving on|next (phase|step|section|part)|let'?s (go|move) (on|ahead)"
    r"|ready to (move|go) on|skip ahead|proceed to)\b",
    re.IGNORECASE,
)


def asks_to_move_on(text: str) -> bool:
    return _MOVE_ON.search(text) is not None


def next_phase(
    conversation: Conversation, plan: PhasePlan, *, minutes: int, now: datetime
) -> str | None:
    """The phase to move to before the interviewer's next reply, or ``None`` to stay."""
    if not conversation.messages or conversation.messages[-1].role != "candidate":
        return None
    if conversation.phase_changed_since_candidate_spoke:
        return None
    following = plan.next_phase_id(conversation.phase)
    if following is None:
        return None
    if asks_to_move_on(conversation.messages[-1].text):
        return following
    budget_seconds = plan.phase(conversation.phase).budget_minutes(minutes) * 60
    if (now - conversation.phase_started_at).total_seconds() >= budget_seconds:
        return following
    if conversation.candidate_turns_in_phase() >= MAX_CANDIDATE_TURNS_PER_PHASE:
        return following
    return None
