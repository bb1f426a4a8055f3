"""When the candidate's own words move the interview to the next phase.

The other two ways a phase ends live elsewhere: its time budget running out (the timekeeper)
and the interviewer judging its goals met (the interviewer's ``advance`` decision).
"""

from __future__ import annotations

import re

from interviewer.conversation import Conversation
from problems.phases import PhasePlan

__all__ = ["asks_to_move_on", "candidate_moves_on"]

_MOVE_ON = re.compile(
    r"\b(move on|moving on|next (phase|step|section|part)|let'?s (go|move) (on|ahead)"
    r"|ready to (move|go) on|skip ahead|proceed to)\b",
    re.IGNORECASE,
)


def asks_to_move_on(text: str) -> bool:
    return _MOVE_ON.search(text) is not None


def candidate_moves_on(conversation: Conversation, plan: PhasePlan) -> str | None:
    """The phase the candidate asked to move to with their last message, or ``None``."""
    said = conversation.replies
    if not said or said[-1].role != "candidate" or conversation.ended:
        return None
    if conversation.phase_changed_since_candidate_spoke:
        return None
    if not asks_to_move_on(said[-1].text):
        return None
    return plan.next_phase_id(conversation.phase)
