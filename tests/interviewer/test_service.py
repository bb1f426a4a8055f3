"""The turn loop: opening, answers, phase moves on the server clock, and the event log."""

from __future__ import annotations

import asyncio

import pytest

from interviewer.base import InterviewerError
from interviewer.service import (
    InvalidMessageError,
    PhaseChanged,
    ReplyCompleted,
    ReplyFailed,
    TurnNotAllowedError,
)
from storage.events import EventType


def play(service, session):
    async def collect():
        return [event async for event in service.run_interviewer_turn(session)]

    return asyncio.run(collect())


def say(service, session, text):
    service.post_candidate_message(session, text)
    return play(service, session)


def test_opening_is_stored_as_the_first_interviewer_message(service):
    session = service.start(owner_id="me", problem_id="enterprise-rag", minutes=45)
    events = play(service, session)
    assert isinstance(events[-1], ReplyCompleted)
    assert "Design a RAG system over 10M enterprise documents" in events[-1].message.text
    types = [event.type for event in service.store.events(session.id)]
    assert types == [EventType.SESSION_CREATED, EventType.INTERVIEWER_MESSAGE]


def test_session_created_event_records_the_setup(service):
    session = service.start(owner_id="me", problem_id="typeahead", minutes=30)
    created = service.store.events(session.id)[0]
    assert created.data == {
        "problem_id": "typeahead",
        "minutes": 30,
        "interviewer_model": "offline",
        "phase_plan_version": 1,
    }


def test_phase_budget_running_out_moves_the_interview_on(service, clock):
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    play(service, session)
    clock.advance(minutes=3)
    assert not any(isinstance(e, PhaseChanged) for e in say(service, session, "What scale?"))
    clock.advance(minutes=1)  # clarify has 4 minutes in a 45-minute session
    events = say(service, session, "And the read/write ratio?")
    assert events[0] == PhaseChanged("requirements", "clarify", "Requirements")
    changed = [e for e in service.store.events(session.id) if e.type is EventType.PHASE_CHANGED]
    assert [(e.data, e.at) for e in changed] == [
        ({"phase": "requirements", "previous": "clarify"}, clock.now())
    ]


def test_the_candidate_can_ask_to_move_on(service):
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    play(service, session)
    events = say(service, session, "I think I have enough, let's move on to requirements.")
    assert events[0] == PhaseChanged("requirements", "clarify", "Requirements")
    assert events[-1].message.phase == "requirements"


def test_walking_all_seven_phases_ends_with_the_closing_question(service):
    session = service.start(owner_id="me", problem_id="llm-gateway", minutes=45)
    play(service, session)
    phases = []
    for _ in range(6):
        events = say(service, session, "Let's move on.")
        phases.append(events[0].phase)
    assert phases == [
        "requirements",
        "estimation",
        "high_level_design",
        "deep_dive",
        "tradeoffs",
        "monitoring",
    ]
    say(service, session, "p95 TTFT, error rate by provider, spend per key, alert at 2x baseline.")
    closing = say(service, session, "Also eval scores on a golden set, 1% sample daily.")
    assert closing[-1].message.text == service.plan.closing_question.strip()
    assert not any(isinstance(e, PhaseChanged) for e in say(service, session, "Let's move on."))


def test_an_abandoned_stream_stores_nothing_and_is_played_again(service):
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    play(service, session)
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
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    play(service, session)
    before = service.store.events(session.id)
    with pytest.raises(InvalidMessageError):
        service.post_candidate_message(session, text)
    assert service.store.events(session.id) == before


def test_unknown_session_length_is_refused(service):
    with pytest.raises(ValueError, match="minutes"):
        service.start(owner_id="me", problem_id="url-shortener", minutes=50)


def test_a_failing_interviewer_reports_an_error_and_keeps_the_turn_pending(service):
    class Broken:
        model_id = "broken"
        offline = True

        async def stream_reply(self, context):
            yield "Half a"
            raise InterviewerError("provider went away")

    service.interviewer = Broken()
    session = service.start(owner_id="me", problem_id="url-shortener", minutes=45)
    events = play(service, session)
    assert events[-1] == ReplyFailed("provider went away")
    assert service.conversation(session.id).interviewer_turn_pending
