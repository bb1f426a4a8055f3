"""The conversation as chat turns, kept under a token budget.

Recent turns go to the model word for word. When the whole conversation would not fit, the
older turns are condensed into one short recap (the first words of each), and the recap itself
is trimmed, oldest lines first, until everything fits. Deterministic, and it costs no model call.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from interviewer.base import TurnContext
from interviewer.prompts import OPENING_CUE
from llm.usage import count_tokens

__all__ = ["DEFAULT_CONTEXT_TOKENS", "chat_messages", "messages_tokens"]

DEFAULT_CONTEXT_TOKENS = 6000
RECAP_WORDS = 25
# Each chat message carries a few tokens of framing besides its text.
PER_MESSAGE_OVERHEAD = 4

CONTINUE_CUE = "(The candidate has not answered yet. Continue as the interviewer.)"

Counter = Callable[[str], int]


@lru_cache(maxsize=16_384)
def _count(text: str) -> int:
    # Cached: a long conversation is counted again at every turn, nearly all of it unchanged.
    # Room for the turns of a few hundred live sessions at once (1,024 made a server with a
    # hundred long sessions count every turn of every conversation again at each reply).
    return count_tokens(text)[0]


def messages_tokens(messages: list[dict[str, str]], count: Counter = _count) -> int:
    return sum(count(message["content"]) + PER_MESSAGE_OVERHEAD for message in messages)


def _turns(context: TurnContext) -> list[dict[str, str]]:
    turns = [{"role": "user", "content": OPENING_CUE}]
    for message in context.conversation.replies:
        role = "assistant" if message.role == "interviewer" else "user"
        if turns[-1]["role"] == role:
            turns[-1] = {"role": role, "content": turns[-1]["content"] + "\n\n" + message.text}
        else:
            turns.append({"role": role, "content": message.text})
    if turns[-1]["role"] == "assistant":
        # The interviewer speaks again unprompted (time ran out): give the model a user turn.
        turns.append({"role": "user", "content": CONTINUE_CUE})
    return turns


def _recap_line(turn: dict[str, str]) -> str:
    who = "Interviewer" if turn["role"] == "assistant" else "Candidate"
    words = turn["content"].split()
    text = " ".join(words[:RECAP_WORDS]) + (" …" if len(words) > RECAP_WORDS else "")
    return f"- {who}: {text}"


def _with_recap(recap: list[str], kept: list[dict[str, str]]) -> list[dict[str, str]]:
    header = "(Earlier in this interview, condensed:\n" + "\n".join(recap) + ")"
    if kept and kept[0]["role"] == "user":
        return [{"role": "user", "content": header + "\n\n" + kept[0]["content"]}, *kept[1:]]
    return [{"role": "user", "content": header}, *kept]


def chat_messages(
    context: TurnContext, *, budget_tokens: int = DEFAULT_CONTEXT_TOKENS, count: Counter = _count
) -> list[dict[str, str]]:
    """Alternating user/assistant turns, starting with the user, within ``budget_tokens``."""
    turns = _turns(context)
    # A token is at least one byte, so a conversation with fewer bytes than the budget fits
    # without counting anything: the common case, and the cheap one.
    size = sum(len(turn["content"].encode()) + PER_MESSAGE_OVERHEAD for turn in turns)
    if size <= budget_tokens or messages_tokens(turns, count) <= budget_tokens:
        return turns
    # Keep as many recent turns verbatim as fit in the budget, leaving room for a recap.
    kept: list[dict[str, str]] = []
    used = 0
    for turn in reversed(turns):
        cost = count(turn["content"]) + PER_MESSAGE_OVERHEAD
        if kept and used + cost > budget_tokens * 0.75:
            break
        kept.insert(0, turn)
        used += cost
    dropped = turns[: len(turns) - len(kept)]
    recap = [_recap_line(turn) for turn in dropped]
    messages = _with_recap(recap, kept)
    while recap and messages_tokens(messages, count) > budget_tokens:
        recap.pop(0)
        messages = _with_recap(recap, kept)
    if messages_tokens(messages, count) > budget_tokens:
        # A single enormous turn: keep its end, which is what the candidate said last.
        last = messages[-1]
        budget_chars = max(200, (budget_tokens - PER_MESSAGE_OVERHEAD * 2) * 3)
        messages = [{"role": last["role"], "content": "…" + last["content"][-budget_chars:]}]
        if messages[0]["role"] != "user":
            messages.insert(0, {"role": "user", "content": OPENING_CUE})
    return messages
