"""The turn loop on a fake clock: a whole session, its clock events, and the event log."""

from __future__ import annotations

import asyncio

import pytest

from interviewer.base import InterviewerError, ReplyMeta
from interviewer.service import SIGN_OFF
from interviewer.turn_events import (
    InvalidMessageError,
    PhaseChanged,
    ReplyCompleted,
    ReplyFailed,
    ReplyInterrupted,
    SessionEnded,
    TurnNotAllowedError,
)
from llm.usage import Usage
from storage.events import EventType


def play(service, session):
    async def collect():
        return [event async for event in service.run_interviewer_turn(session)]

    return asyncio.run(collect())


def say(service, session, text):
    service.post_candidate_message(session, text)
    return play(service, session)


def log(service, session, *types):
    events = service.store.events(session.id)
    return [e for e in events if not types or e.type in types]


def started(service, problem_id="url-shortener", minutes=45):
    session = service.start(owner_id="me", problem_id=problem_id, minutes=minutes)
    play(service, session)
    return session


def test_opening_is_stored_as_the_first_interviewer_message(service):
    session = service.start(owner_id="me", problem_id="enterprise-rag", minutes=45)
    events = play(service, session)
    assert isinstance(events[-1], ReplyCompleted)
    assert "Design a RAG system over 10M enterprise documents" in events[-1].message.text
    assert [e.type for e in log(service, session)] == [
        EventType.SESSION_CREATED,
        EventType.INTERVIEWER_MESSAGE,
        EventType.TURN_USAGE,
    ]


def test_session_created_event_records_the_setup(service):
    session = service.start(
        owner_id="me", problem_id="typeahead", minutes=30, persona="adversarial", level="staff"
    )
    assert log(service, session)[0].data == {
        "problem_id": "typeahead",
        "minutes": 30,
        "persona": "adversarial",
        "level": "staff",
        "interviewer_model": "offline",
        "prompt_version": "interviewer.v2",
        "phase_plan_version": 1,
    }
    assert service.store.get_session(session.id).prompt_version == "interviewer.v2"


def test_a_full_session_through_all_seven_phases(service, clock):
    """Time-outs, candidate moves, goals met, warnings, a pause, the end and the closing."""
    session = started(service)

    # clarify: the budget (4 min) runs out while the candidate is asking questions.
    clock.advance(minutes=2)
    say(service, session, "How many links in total?")
    clock.advance(minutes=2, seconds=30)
    events = say(service, session, "What latency do redirects need?")
    assert events[-1].message.text.startswith("We're out of time for clarify.")
    assert events[-1].message.phase == "requirements"

    # requirements: the candidate asks to move on.
    events = say(service, session, "Shorten, redirect, custom aliases; p99 50 ms. Let's move on.")
    assert events[0] == PhaseChanged(
        "estimation", "requirements", "Back-of-envelope estimation", "candidate"
    )

    # estimation: the interviewer moves on once the goals are met.
    for answer in ["100B x 500 B = 50 TB", "1,160 writes/s average", "11,600 redirects/s"]:
        events = say(service, session, answer)
    assert events[-1] == PhaseChanged(
        "high_level_design", "estimation", "High-level design", "goals_met"
    )

    # A pause stops the clock: an hour away costs nothing.
    service.pause(session)
    with pytest.raises(TurnNotAllowedError, match="paused"):
        service.post_candidate_message(session, "still there?")
    clock.advance(minutes=60)
    service.resume(session)
    assert service.conversation(session.id).phase == "high_level_design"

    # high-level design, deep dive, trade-offs: the candidate moves on each time.
    for _ in range(3):
        say(service, session, "Let's move on.")
    assert service.conversation(session.id).phase == "monitoring"

    # The session clock runs out in the last phase: a 5-minute warning, then the end.
    clock.advance(minutes=45)
    face = service.clockface(session)
    assert face.ended and face.session_seconds_left == 0
    events = play(service, session)
    assert events[-1].message.kind == "closing"
    assert events[-1].message.text == service.plan.closing_question.strip()

    # The candidate answers the closing question once; the interviewer signs off.
    events = say(service, session, "The id allocator and hot-key caching.")
    assert events[-1].message.text == SIGN_OFF
    with pytest.raises(TurnNotAllowedError, match="ended"):
        service.post_candidate_message(session, "one more thing")
    assert service.store.get_session(session.id).status == "ended"

    # The log tells the whole story, with timestamps.
    changes = [
        (e.data["phase"], e.data["reason"]) for e in log(service, session, EventType.PHASE_CHANGED)
    ]
    assert changes == [
        ("requirements", "timeout"),
        ("estimation", "candidate"),
        ("high_level_design", "goals_met"),
        ("deep_dive", "candidate"),
        ("tradeoffs", "candidate"),
        ("monitoring", "candidate"),
    ]
    timeout = log(service, session, EventType.PHASE_CHANGED)[0]
    assert (timeout.at - log(service, session)[0].at).total_seconds() == 240
    warnings = [
        (e.data["kind"], e.data.get("phase")) for e in log(service, session, EventType.WARNING)
    ]
    assert ("phase_ending", "clarify") in warnings
    assert ("session_ending", None) in warnings
    assert [e.type for e in log(service, session, EventType.PAUSED, EventType.RESUMED)] == [
        EventType.PAUSED,
        EventType.RESUMED,
    ]
    [ended] = log(service, session, EventType.SESSION_ENDED)
    assert ended.data == {"reason": "time_up"}
    state = service.conversation(session.id)
    used = state.phase_seconds_used(clock.now())
    assert used["clarify"] == 240
    assert sum(used.values()) == 45 * 60, "the pause is not counted"


def test_the_candidate_can_end_early_and_gets_the_closing_question(service, clock):
    session = started(service)
    clock.advance(minutes=3)
    service.end(session)
    events = play(service, session)
    assert events[-1].message.kind == "closing"
    [ended] = log(service, session, EventType.SESSION_ENDED)
    assert ended.data == {"reason": "candidate_ended"}
    assert service.conversation(session.id).phase_seconds_used(clock.now()) == {"clarify": 180}
    with pytest.raises(TurnNotAllowedError, match="already ended"):
        service.end(session)


def test_goals_met_in_the_last_phase_ends_the_session_with_the_closing(service):
    session = started(service)
    for _ in range(6):
        say(service, session, "Let's move on.")
    answers = ["p99 latency 50 ms SLO", "error rate alert at 1%", "cache hit ratio above 90%"]
    for answer in answers[:-1]:
        say(service, session, answer)
    events = say(service, session, answers[-1])
    assert events[-2].message.kind == "closing"
    assert events[-1] == SessionEnded("completed")
    events = say(service, session, "Sharding.")
    assert events[-1].message.text == SIGN_OFF


def test_warnings_are_logged_once_at_their_moment(service, clock):
    session = started(service)
    clock.advance(minutes=3, seconds=10)
    service.clockface(session)
    service.clockface(session)
    [warning] = log(service, session, EventType.WARNING)
    assert warning.data == {"kind": "phase_ending", "phase": "clarify", "seconds_left": 60}
    assert (warning.at - log(service, session)[0].at).total_seconds() == 180


def test_a_timed_out_phase_makes_the_interviewer_speak_unprompted(service, clock):
    session = started(service)
    clock.advance(minutes=5)
    assert service.tick(session).interviewer_turn_pending
    events = play(service, session)
    assert events[-1].message.text.startswith("We're out of time for clarify.")
    assert not service.conversation(session.id).interviewer_turn_pending


def test_private_notes_and_usage_are_logged(service):
    session = started(service)
    say(service, session, "What is the read/write ratio?")
    notes = log(service, session, EventType.PRIVATE_NOTE)
    assert [n.data for n in notes] == [
        {"text": "Asked about: read/write ratio.", "phase": "clarify"}
    ]
    usages = log(service, session, EventType.TURN_USAGE)
    assert len(usages) == 2
    assert all(u.data["model"] == "offline" and u.data["cost_usd"] == 0 for u in usages)


def test_an_abandoned_stream_stores_nothing_and_is_played_again(service):
    session = started(service)
    service.post_candidate_message(session, "Let's move on.")

    async def read_two_events():
        stream = service.run_interviewer_turn(session)
        first = [await anext(stream), await anext(stream)]
        await stream.aclose()
        return first

    first = asyncio.run(read_two_events())
    assert isinstance(first[0], PhaseChanged)
    assert service.conversation(session.id).interviewer_turn_pending
    replay = play(service, session)
    assert not any(isinstance(e, PhaseChanged) for e in replay), "the phase moves only once"
    assert replay[-1].message.phase == "requirements"
    assert replay[-1].message.text.startswith("Let's move on to requirements.")


def test_candidate_cannot_speak_twice_before_the_reply(service):
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    with pytest.raises(TurnNotAllowedError):
        service.post_candidate_message(session, "hello?")
    play(service, session)
    service.post_candidate_message(session, "hello")
    with pytest.raises(TurnNotAllowedError):
        service.post_candidate_message(session, "hello again")


@pytest.mark.parametrize("text", ["", "   ", "x" * 8001])
def test_invalid_messages_are_refused_and_not_stored(service, text):
    session = started(service)
    before = log(service, session)
    with pytest.raises(InvalidMessageError):
        service.post_candidate_message(session, text)
    assert log(service, session) == before


@pytest.mark.parametrize(
    ("field", "value"), [("minutes", 50), ("persona", "rude"), ("level", "intern")]
)
def test_unknown_setup_values_are_refused(service, field, value):
    setup = {"minutes": 45, "persona": "neutral", "level": "senior", field: value}
    with pytest.raises(ValueError, match=field):
        service.start(owner_id="me", problem_id="url-shortener", **setup)


TYPICAL_USAGE = Usage(1000, 800, 50)


class Scripted:
    """A fake model: yields the given pieces, then fails or finishes with usage."""

    offline = False
    model_id = price_key = "anthropic:claude-sonnet-4-5"

    def __init__(self, pieces, *, fail_with=None, usage=TYPICAL_USAGE):
        self.pieces, self.fail_with, self.usage = pieces, fail_with, usage
        self.calls = 0

    async def stream_reply(self, context):
        self.calls += 1
        for piece in self.pieces:
            yield piece
        if self.fail_with:
            raise InterviewerError(self.fail_with)
        yield ReplyMeta(usage=self.usage)


def test_a_failure_before_any_text_stores_only_the_failure(service):
    service.interviewer = Scripted([], fail_with="provider went away")
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    assert play(service, session) == [ReplyFailed("provider went away")]
    assert [(e.type, e.data) for e in log(service, session)][1:] == [
        (EventType.REPLY_FAILED, {"detail": "provider went away"})
    ]
    state = service.conversation(session.id)
    assert state.messages == [] and state.attempt_failed and state.interviewer_turn_pending


def test_a_failure_midway_stores_the_partial_reply_as_interrupted_and_allows_a_retry(service):
    service.interviewer = Scripted(["Hello, ", "today we"], fail_with="stream cut")
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    events = play(service, session)
    assert isinstance(events[-1], ReplyInterrupted)
    assert events[-1].message.text == "Hello, today we"
    state = service.conversation(session.id)
    assert [m.kind for m in state.messages] == ["interrupted"]
    assert state.interviewer_turn_pending, "the candidate can retry the turn"
    service.interviewer = Scripted(["Hello again."])
    assert play(service, session)[-1].message.text == "Hello again."
    assert [m.kind for m in service.conversation(session.id).messages] == ["interrupted", "reply"]


def test_usage_and_cost_add_up_per_session(service):
    service.interviewer = Scripted(["Hi."], usage=Usage(1000, 800, 50))
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    play(service, session)
    say(service, session, "ok")
    state = service.conversation(session.id)
    assert (state.input_tokens, state.cached_input_tokens, state.output_tokens) == (2000, 1600, 100)
    # claude-sonnet-4-5: $3/M fresh input, $0.30/M cached, $15/M output.
    per_turn = (200 * 3.00 + 800 * 0.30 + 50 * 15.00) / 1_000_000
    assert state.cost_usd == pytest.approx(2 * per_turn)


def test_the_token_budget_stops_a_runaway_session(service):
    service.interviewer = Scripted(["Hi."], usage=Usage(6000, 0, 1000))
    service.token_budget = 10_000
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    play(service, session)
    say(service, session, "ok")
    events = say(service, session, "and?")
    assert isinstance(events[-1], ReplyFailed)
    assert "token budget of 10,000 tokens" in events[-1].detail
    assert service.interviewer.calls == 2, "the model is not called past the budget"


def _same_state(left, right):
    fields = ("phase", "last_seq", "interviewer_turn_pending", "client_ids", "spans")
    return all(getattr(left, name) == getattr(right, name) for name in fields) and [
        (m.seq, m.role, m.text) for m in left.messages
    ] == [(m.seq, m.role, m.text) for m in right.messages]


def test_posting_and_claiming_in_one_transaction_matches_the_two_steps(service, clock):
    session = started(service)
    clock.advance(seconds=30)
    message, created, claim = service.post_and_claim(
        session, "Let's move on.", client_id="c-1", single_process=True
    )
    types = [event.type for event in log(service, session)][-3:]
    assert created and types == [
        EventType.CANDIDATE_MESSAGE,
        EventType.PHASE_CHANGED,
        EventType.REPLY_STARTED,
    ]
    assert message.text == "Let's move on." and message.seq == log(service, session)[-3].seq
    assert claim.status == "started" and claim.seq == log(service, session)[-1].seq
    # The state handed to the turn is the state of the log as stored.
    assert _same_state(claim.state, service.conversation(session.id))
    # A re-post with the same id changes nothing and claims nothing.
    again, created, claim = service.post_and_claim(session, "Let's move on.", client_id="c-1")
    assert (again.seq, created, claim) == (message.seq, False, None)
    played = play(service, session)
    assert any(isinstance(event, ReplyCompleted) for event in played)


def test_post_and_claim_appends_what_fell_due_first(service, clock):
    session = started(service)
    clock.advance(minutes=5)  # past the clarify step's warning
    _, _, claim = service.post_and_claim(session, "What scale?", single_process=True)
    types = [event.type for event in log(service, session)]
    assert EventType.WARNING in types[:-2]
    assert types[-2:] == [EventType.CANDIDATE_MESSAGE, EventType.REPLY_STARTED]
    assert _same_state(claim.state, service.conversation(session.id))


def test_the_candidate_may_answer_as_soon_as_a_claimed_reply_is_committed(service, clock):
    """Followers hear of the outcome from the committing thread, possibly before the turn's
    task has got back from the commit: a message posted then is accepted, not refused."""
    session = started(service)
    _, _, claim = service.post_and_claim(session, "How many users?", single_process=True)
    answered = []

    async def offload(function, *args, **kwargs):
        result = function(*args, **kwargs)
        if isinstance(result, list) and any(
            getattr(event, "type", None) is EventType.INTERVIEWER_MESSAGE for event in result
        ):
            # The outcome is committed; the turn's task has not resumed yet.
            answered.append(service.post_and_claim(session, "Ten million.")[1])
        return result

    service._offload = offload

    async def run_turn():
        return [e async for e in service.run_interviewer_turn(session, state=claim.state)]

    events = asyncio.run(run_turn())
    assert any(isinstance(event, ReplyCompleted) for event in events)
    assert answered == [True]
