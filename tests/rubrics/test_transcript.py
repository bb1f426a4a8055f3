"""Transcripts from exchange-format files and from stored sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from interviewer.clock import FakeClock
from rubrics.transcript import InvalidTranscriptError, Transcript, transcript_from_events
from storage.events import EventType, SessionEvent


def doc(**overrides):
    base = {
        "problem": "url-shortener",
        "duration_s": 2700,
        "events": [
            {"t": 5, "role": "interviewer", "phase": "clarify", "text": "Hi"},
            {"t": 60, "role": "candidate", "phase": "clarify", "text": "How many URLs?"},
            {"t": 300, "role": "candidate", "phase": "requirements", "text": "Shorten, redirect."},
            {"t": 900, "role": "candidate", "phase": "estimation", "text": "50 TB."},
        ],
    }
    return {**base, **overrides}


def test_events_become_numbered_turns_and_extra_fields_are_accepted():
    data = doc()
    data["events"][0]["speaker_id"] = "x"
    data["exported_by"] = "another tool"
    transcript = Transcript.from_exchange(data)
    assert [turn.id for turn in transcript.turns] == [1, 2, 3, 4]
    assert transcript.minutes == 45
    assert [turn.id for turn in transcript.candidate_turns] == [2, 3, 4]


def test_time_per_phase_runs_from_first_event_to_the_next_phase():
    used = Transcript.from_exchange(doc()).phase_seconds()
    assert used["clarify"] == 295 and used["requirements"] == 600
    assert used["estimation"] == 2700 - 900 and used["monitoring"] == 0


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("problem"), "problem: Field required"),
        (lambda d: d.update(duration_s=0), "duration_s"),
        (lambda d: d["events"][1].update(role="judge"), "events.1.role"),
        (lambda d: d["events"][1].update(phase="design"), "unknown phase 'design'"),
        (lambda d: d["events"][2].update(t=1), "events must be in time order"),
        (lambda d: d.update(events="nope"), "events"),
    ],
)
def test_bad_documents_say_where(mutate, message):
    data = doc()
    mutate(data)
    with pytest.raises(InvalidTranscriptError, match=message):
        Transcript.from_exchange(data)


def test_a_stored_session_is_timed_on_its_active_clock():
    clock = FakeClock()
    start = clock.now()

    def event(seq, type_, seconds, **data):
        return SessionEvent("s1", seq, type_, start + timedelta(seconds=seconds), data)

    events = [
        event(1, EventType.SESSION_CREATED, 0, minutes=45),
        event(2, EventType.INTERVIEWER_MESSAGE, 1, text="Hello"),
        event(3, EventType.PAUSED, 100),
        event(4, EventType.RESUMED, 400),
        event(5, EventType.CANDIDATE_MESSAGE, 460, text="How many URLs?"),
        event(6, EventType.PHASE_CHANGED, 500, phase="requirements", reason="candidate"),
        event(7, EventType.CANDIDATE_MESSAGE, 560, text="Shorten and redirect."),
    ]
    transcript = transcript_from_events(
        events, problem_id="url-shortener", level="staff", session_id="s1", now=clock.now()
    )
    assert [(turn.id, turn.t) for turn in transcript.turns] == [(2, 1), (5, 160), (7, 260)]
    assert transcript.level == "staff"
    assert transcript.phase_seconds()["clarify"] == 200
