"""The offline interviewer: deterministic, grounded in the problem file, phase-aware."""

from __future__ import annotations

import asyncio

from interviewer.base import ReplyMeta, TurnContext
from interviewer.offline import GOAL_TURNS, OfflineInterviewer, compose_reply, matching_facts
from tests.interviewer.factories import BANK, PLAN, Log, context


def reply(ctx: TurnContext) -> str:
    return compose_reply(ctx)[0]


def test_opening_states_the_problem_and_the_plan():
    ctx = TurnContext(BANK.get("url-shortener"), PLAN, 45, Log().state())
    opening = reply(ctx)
    assert BANK.get("url-shortener").statement in opening
    assert "45 minutes" in opening
    assert PLAN.phases[0].opening_questions[0] in opening


def test_a_clarifying_question_is_answered_from_the_matching_fact():
    assert "ten years by default" in reply(context(said=["Do links expire, or live forever?"]))


def test_a_question_with_no_fact_gets_make_an_assumption():
    assert "reasonable assumption" in reply(context(said=["What colour is the logo?"]))


def test_a_fact_is_not_repeated_once_given():
    first = reply(context(said=["Do links expire?"]))
    again = reply(context(said=["Do links expire?", first, "Do links expire, really?"]))
    assert "ten years" not in again


def test_estimation_without_numbers_gets_a_nudge_for_numbers():
    text, advance, note = compose_reply(context(phase="estimation", said=["A lot of storage."]))
    assert "numbers" in text
    assert not advance
    assert note == "No numbers given in estimation."


def test_estimation_with_numbers_gets_the_next_probe():
    assert reply(context(phase="estimation", said=["100B x 500 B = 50 TB"])) in (
        PLAN.phase("estimation").probes
    )


def test_deep_dive_asks_a_curveball_and_the_problems_probes_without_repeating():
    asked: list[str] = []
    said: list[str] = []
    for _ in range(GOAL_TURNS - 1):
        said.append("I'd use counter ranges per server, 1M ids each.")
        question = reply(context(phase="deep_dive", said=said))
        assert question not in asked
        asked.append(question)
        said.append(question)
    curveballs = {c.prompt for c in BANK.get("url-shortener").curveballs if c.phase == "deep_dive"}
    assert asked[1] in curveballs


def test_after_enough_substance_the_interviewer_moves_on():
    said = []
    for _ in range(GOAL_TURNS):
        said += ["The read path goes through a cache, then the key-value store.", "ok?"]
    text, advance, _ = compose_reply(context(phase="high_level_design", said=said[:-1]))
    assert advance
    assert PLAN.phase("deep_dive").opening_questions[0] in text


def test_the_last_phase_closes_with_the_closing_question():
    said = []
    for _ in range(GOAL_TURNS):
        said += ["p99 redirect latency under 50 ms, alert at 80 ms for 5 minutes.", "and?"]
    text, advance, _ = compose_reply(context(phase="monitoring", said=said[:-1]))
    assert advance
    assert text == PLAN.closing_question.strip()


def test_transition_announces_the_new_phase():
    text = reply(context(phase="requirements", said=["move on"], changed_from="clarify"))
    assert text.startswith("Let's move on to requirements.")


def test_a_timeout_transition_says_time_ran_out():
    ctx = context(phase="requirements", said=["hm"], changed_from="clarify", reason="timeout")
    assert reply(ctx).startswith("We're out of time for clarify. Let's move on to requirements.")


def test_matching_prefers_the_fact_with_more_keyword_hits():
    facts = matching_facts(BANK.get("url-shortener"), "what p99 latency and response time?")
    assert facts[0].topic == "latency"


def collect(interviewer, ctx):
    async def run():
        return [piece async for piece in interviewer.stream_reply(ctx)]

    return asyncio.run(run())


def test_streaming_is_deterministic_and_reassembles_the_reply():
    ctx = context(said=["How many links in total?"])
    first, second = collect(OfflineInterviewer(), ctx), collect(OfflineInterviewer(), ctx)
    assert first == second
    *pieces, meta = first
    assert len(pieces) > 5
    assert "".join(pieces) == reply(ctx)
    assert isinstance(meta, ReplyMeta)
    assert meta.usage.output_tokens > 5 and meta.usage.input_tokens == 0
    assert meta.notes == "Asked about: scale."


def test_pacing_uses_the_injected_sleep():
    slept: list[float] = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    items = collect(OfflineInterviewer(token_delay=0.05, sleep=fake_sleep), context(said=["Hi?"]))
    assert slept == [0.05] * (len(items) - 1)
