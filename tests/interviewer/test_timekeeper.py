"""Clock rules: warnings, time-outs and the end, each stamped when it fell due."""

from __future__ import annotations

from datetime import timedelta

from interviewer.timekeeper import clockface, due_events
from storage.events import EventType
from tests.interviewer.factories import PLAN, T0, Log


def minutes(value: float):
    return T0 + timedelta(minutes=value)


def test_nothing_is_due_at_the_start():
    assert due_events(Log().state(), PLAN, minutes(1)) == []


def test_phase_warning_one_minute_before_its_budget_then_the_timeout():
    due = due_events(Log().state(), PLAN, minutes(4))
    assert [(e.type, e.data.get("kind"), e.at) for e in due] == [
        (EventType.WARNING, "phase_ending", minutes(3)),
        (EventType.PHASE_CHANGED, None, minutes(4)),
    ]
    assert due[1].data == {"phase": "requirements", "previous": "clarify", "reason": "timeout"}


def test_a_long_absence_times_out_phase_after_phase_at_exact_moments():
    due = due_events(Log().state(), PLAN, minutes(14))
    changes = [(e.data["phase"], e.at) for e in due if e.type is EventType.PHASE_CHANGED]
    assert changes == [
        ("requirements", minutes(4)),
        ("estimation", minutes(8)),
        ("high_level_design", minutes(13)),
    ]


def test_session_warning_and_end_follow_the_session_length():
    due = due_events(Log(minutes=30).state(), PLAN, minutes(31))
    kinds = [(e.type, e.data.get("kind") or e.data.get("reason"), e.at) for e in due]
    assert (EventType.WARNING, "session_ending", minutes(25)) in kinds
    assert kinds[-1] == (EventType.SESSION_ENDED, "time_up", minutes(30))
    assert not any(e.at > minutes(30) for e in due)


def test_paused_time_does_not_count():
    log = Log()
    log.add(EventType.PAUSED, {}, after=60)  # paused at 1:00
    log.add(EventType.RESUMED, {}, after=600)  # resumed at 11:00
    assert due_events(log.state(), PLAN, minutes(12.9)) == []
    due = due_events(log.state(), PLAN, minutes(14))
    assert [e.at for e in due] == [minutes(13), minutes(14)]  # 3:00 and 4:00 of active time


def test_nothing_is_due_while_paused_or_after_the_end():
    paused = Log().add(EventType.PAUSED, {}, after=10).state()
    assert due_events(paused, PLAN, minutes(100)) == []
    ended = Log().add(EventType.SESSION_ENDED, {"reason": "candidate_ended"}).state()
    assert due_events(ended, PLAN, minutes(100)) == []


def test_clockface_shows_time_left_and_stops_while_paused():
    log = Log()
    face = clockface(log.state(), PLAN, minutes(1.5))
    assert (face.phase_seconds_left, face.session_seconds_left) == (150, 2610)
    log.add(EventType.PAUSED, {}, after=90)
    later = clockface(log.state(), PLAN, minutes(30))
    assert later.paused and later.session_seconds_left == 2610


def test_the_last_phase_runs_to_the_end_of_the_session():
    log = Log()
    for phase in ["requirements", "estimation", "high_level_design", "deep_dive", "tradeoffs"]:
        log.phase(phase)
    log.phase("monitoring")
    face = clockface(log.state(), PLAN, T0 + timedelta(minutes=2))
    assert face.phase == "monitoring" and face.phase_seconds_left is None
    due = due_events(log.state(), PLAN, minutes(45))
    assert [e.type for e in due] == [EventType.WARNING, EventType.SESSION_ENDED]
