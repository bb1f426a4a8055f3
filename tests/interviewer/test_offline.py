"""The offline interviewer: deterministic, grounded in the problem file, phase-aware."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from interviewer.base import TurnContext
from interviewer.conversation import Conversation, Message
from interviewer.offline import OfflineInterviewer, compose_reply, matching_facts
from problems.loader import load_bank
from problems.phases import load_phase_plan

BANK = load_bank()
PLAN = load_phase_plan()
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def context(problem_id="url-shortener", phase="clarify", said=(), changed_from=None):
    messages = [Message(1, "interviewer", "clarify", "opening", T0)]
    for index, text in enumerate(said, start=2):
        role = "candidate" if index % 2 == 0 else "interviewer"
        messages.append(Message(index, role, phase, text, T0 + timedelta(seconds=index)))
    conversation = Conversation(T0, tuple(messages), phase, T0, len(messages))
    return TurnContext(BANK.get(problem_id), PLAN, 45, conversation, changed_from)


def test_opening_states_the_problem_and_the_plan():
    opening = compose_reply(replace(context(), conversation=Conversation(T0, (), "clarify", T0, 1)))
    assert BANK.get("url-shortener").statement in opening
    assert "45 minutes" in opening
    assert PLAN.phases[0].opening_questions[0] in opening


def test_a_clarifying_question_is_answered_from_the_matching_fact():
    reply = compose_reply(context(said=["Do links expire, or do we keep them forever?"]))
    assert "ten years by default" in reply


def test_a_question_with_no_fact_gets_make_an_assumption():
    reply = compose_reply(context(said=["What colour is the logo?"]))
    assert "reasonable assumption" in reply


def test_a_fact_is_not_repeated_once_given():
    first = compose_reply(context(said=["Do links expire?"]))
    again = compose_reply(context(said=["Do links expire?", first, "Do links expire, really?"]))
    assert "ten years" not in again


def test_estimation_without_numbers_gets_a_nudge_for_numbers():
    reply = compose_reply(context(phase="estimation", said=["It will be a lot of storage."]))
    assert "numbers" in reply


def test_estimation_with_numbers_gets_the_next_probe():
    reply = compose_reply(context(phase="estimation", said=["100B x 500 B = 50 TB"]))
    assert reply in PLAN.phase("estimation").probes


def test_deep_dive_draws_on_the_problems_deep_dive_probes_without_repeating():
    asked: list[str] = []
    said: list[str] = []
    for _ in range(4):
        said.append("I'd use counter ranges per server, 1M ids each.")
        reply = compose_reply(context(phase="deep_dive", said=said))
        assert reply not in asked
        asked.append(reply)
        said.append(reply)
    problem_probes = {
        probe for dive in BANK.get("url-shortener").deep_dives for probe in dive.probes
    }
    assert set(asked) & problem_probes


def test_transition_announces_the_new_phase():
    reply = compose_reply(context(phase="requirements", said=["move on"], changed_from="clarify"))
    assert reply.startswith("Let's move on to requirements.")


def test_matching_prefers_the_fact_with_more_keyword_hits():
    facts = matching_facts(BANK.get("url-shortener"), "what p99 latency and response time?")
    assert facts[0].topic == "latency"


def test_streaming_is_deterministic_and_reassembles_the_reply():
    ctx = context(said=["How many links in total?"])

    async def collect():
        return [piece async for piece in OfflineInterviewer().stream_reply(ctx)]

    first, second = asyncio.run(collect()), asyncio.run(collect())
    assert first == second
    assert len(first) > 5
    assert "".join(first) == compose_reply(ctx)


def test_pacing_uses_the_injected_sleep():
    slept: list[float] = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    async def collect():
        interviewer = OfflineInterviewer(token_delay=0.05, sleep=fake_sleep)
        return [piece async for piece in interviewer.stream_reply(context(said=["Scale?"]))]

    pieces = asyncio.run(collect())
    assert slept == [0.05] * len(pieces)
