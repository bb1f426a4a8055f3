"""The conversation sent to a model stays under its token budget, however long the session."""

from __future__ import annotations

import itertools

import pytest

from interviewer.context_window import CONTINUE_CUE, chat_messages, messages_tokens
from interviewer.prompts import OPENING_CUE
from tests.interviewer.factories import context


def long_context(turns: int):
    said = []
    for index in range(turns):
        said.append(f"Answer {index}: " + "we shard by user id and cache hot keys " * 20)
        said.append(f"Question {index}: and what happens when a shard fails? " * 3)
    return context(phase="deep_dive", said=said[:-1])


def test_a_short_conversation_is_sent_verbatim():
    messages = chat_messages(context(said=["How many links?"]))
    assert messages[0] == {"role": "user", "content": OPENING_CUE}
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]


@pytest.mark.parametrize("budget", [800, 2000, 6000])
def test_a_long_session_never_exceeds_the_budget(budget):
    ctx = long_context(60)
    messages = chat_messages(ctx, budget_tokens=budget)
    assert messages_tokens(messages) <= budget
    assert messages[-1]["content"] == ctx.conversation.replies[-1].text, "the latest turn is whole"
    assert messages[0]["content"].startswith("(Earlier in this interview, condensed:")
    roles = [m["role"] for m in messages]
    assert roles[0] == "user"
    assert all(a != b for a, b in itertools.pairwise(roles)), "turns alternate"


def test_the_recap_keeps_the_start_of_older_turns_when_room_allows():
    messages = chat_messages(long_context(30), budget_tokens=6000)
    assert "Candidate: Answer 0:" in messages[0]["content"]


def test_an_unprompted_interviewer_turn_gets_a_user_cue():
    ctx = context(said=["How many links?", "100 billion."])
    assert chat_messages(ctx)[-1] == {"role": "user", "content": CONTINUE_CUE}
