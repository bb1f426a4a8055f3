"""Folding a session's log again continues the state folded last time, with the same result."""

from __future__ import annotations

import random
import sys
import threading
from dataclasses import fields

from interviewer.conversation import Conversation, FoldCache
from storage.events import EventType
from tests.interviewer.factories import Log


def random_log(seed: int) -> Log:
    """A log of every kind of event the no-pieces view holds, in a plausible random order."""
    rng = random.Random(seed)
    log = Log().interviewer("opening")
    phases = iter(["requirements", "estimation", "high_level", "deep_dive"])
    for number in range(rng.randint(5, 40)):
        roll = rng.random()
        if roll < 0.3:
            log.candidate(f"answer {number}").add(
                EventType.CANDIDATE_MESSAGE, {"text": f"again {number}", "client_id": f"c{number}"}
            )
        elif roll < 0.5:
            log.add(EventType.REPLY_STARTED, {})
            if rng.random() < 0.3:
                log.add(EventType.CANCEL_REQUESTED, {})
            outcome = rng.choice(["reply", "interrupted", "failed"])
            if outcome == "reply":
                log.interviewer(f"question {number}")
                log.add(EventType.TURN_USAGE, {"input_tokens": 900, "output_tokens": 50})
            elif outcome == "interrupted":
                log.add(EventType.REPLY_INTERRUPTED, {"text": "cut", "detail": "x"})
            else:
                log.add(EventType.REPLY_FAILED, {"detail": "x"})
        elif roll < 0.6:
            phase = next(phases, None)
            if phase:
                log.phase(phase, rng.choice(["candidate", "timeout", "goals_met"]))
        elif roll < 0.7:
            log.add(EventType.PAUSED, {}).add(EventType.RESUMED, {}, after=rng.randint(1, 90))
        elif roll < 0.8:
            log.add(EventType.WARNING, {"kind": "phase_time", "phase": "clarify"})
        elif roll < 0.9:
            log.add(EventType.NOTES_SAVED, {"text": f"notes {number}"})
        else:
            log.add(EventType.REPLY_STARTED, {})  # left open: a reply still running
    return log


def test_folding_growing_logs_gives_what_a_full_replay_gives():
    for seed in range(60):
        events = random_log(seed).events
        cache = FoldCache()
        rng = random.Random(seed)
        end = 1
        while end < len(events):
            end = min(len(events), end + rng.randint(1, 6))
            assert cache.fold("s", events[:end]) == Conversation.from_events(events[:end])


def test_changing_a_folded_state_does_not_change_the_next_fold():
    events = random_log(7).events
    cache = FoldCache()
    state = cache.fold("s", events[:-3])
    state.messages.clear()
    state.spans.append(state.spans[0])
    state.client_ids["x"] = (1, "y")
    state.warnings.add(("x", "y"))
    state.extend(events[-3:-2])
    assert cache.fold("s", events) == Conversation.from_events(events)


def test_an_older_read_of_the_log_is_folded_from_the_start_and_keeps_the_newer_state():
    events = random_log(1).events
    cache = FoldCache()
    cache.fold("s", events[:-2])
    older = events[:-5]  # another thread's earlier read, ending before the kept state
    assert cache.fold("s", older) == Conversation.from_events(older)
    kept = cache._states["s"]
    assert kept.last_seq == events[-3].seq
    assert cache.fold("s", events) == Conversation.from_events(events)


def test_a_copy_shares_no_mutable_part_with_its_original():
    log = random_log(3).add(EventType.REPLY_STARTED, {})
    state = log.state()
    assert state.running_turn is not None
    state.running_turn.texts.append("piece")
    copy = state.copy()
    assert copy == state
    for item in fields(Conversation):
        value = getattr(state, item.name)
        if isinstance(value, list | dict | set) or item.name == "running_turn":
            assert getattr(copy, item.name) is not value, item.name
    assert copy.running_turn.texts is not state.running_turn.texts


def test_threads_folding_many_sessions_past_capacity_at_once_all_get_the_right_state():
    events = random_log(5).events[:6]
    expected = Conversation.from_events(events)
    cache = FoldCache(capacity=2)
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def fold_many(worker: int) -> None:
        start.wait()
        try:
            for number in range(3000):
                session_id = f"s{(worker + number) % 11}"
                assert cache.fold(session_id, events[: 2 + number % 5]).last_seq <= events[-1].seq
                assert cache.fold(session_id, events) == expected
        except BaseException as exc:
            failures.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        threads = [threading.Thread(target=fold_many, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
    assert len(cache._states) <= 2
