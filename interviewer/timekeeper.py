"""The server-side clock rules: phase time-outs, warnings and the end of the session.

:func:`due_events` says which time-driven events have fallen due by ``now`` and stamps each with
the moment it fell due, so a session looked at late still gets an exact log. Nothing is due
while the session is paused or after it has ended.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from interviewer.conversation import Conversation, PhaseSpan
from problems.phases import PhasePlan
from storage.events import EventType

__all__ = [
    "PHASE_WARNING_SECONDS",
    "SESSION_WARNING_SECONDS",
    "Clockface",
    "DueEvent",
    "due_events",
]

PHASE_WARNING_SECONDS = 60
SESSION_WARNING_SECONDS = 300


@dataclass(frozen=True)
class DueEvent:
    type: EventType
    data: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class Clockface:
    """What the candidate's clock shows."""

    phase: str
    phase_seconds_left: float | None  # None in the last phase: it runs to the session's end
    session_seconds_left: float
    elapsed_seconds: float
    paused: bool
    ended: bool


def phase_budget_seconds(plan: PhasePlan, phase: str, minutes: int) -> float | None:
    if plan.next_phase_id(phase) is None:
        return None
    return plan.phase(phase).budget_minutes(minutes) * 60.0


def clockface(state: Conversation, plan: PhasePlan, now: datetime) -> Clockface:
    at = state.ended_at if state.ended and state.ended_at else now
    active = min(state.active_seconds(at), state.total_seconds)
    budget = phase_budget_seconds(plan, state.phase, state.minutes)
    phase_left = None
    if budget is not None:
        phase_left = max(0.0, state.phase_started_active + budget - active)
    return Clockface(
        phase=state.phase,
        phase_seconds_left=phase_left,
        session_seconds_left=max(0.0, state.total_seconds - active),
        elapsed_seconds=active,
        paused=state.paused,
        ended=state.ended,
    )


def _next_due(state: Conversation, plan: PhasePlan) -> tuple[float, EventType, dict] | None:
    """The earliest time-driven event for the current state, on the active clock."""
    candidates: list[tuple[float, EventType, dict]] = [
        (state.total_seconds, EventType.SESSION_ENDED, {"reason": "time_up"})
    ]
    if ("session_ending", "") not in state.warnings:
        candidates.append(
            (
                state.total_seconds - SESSION_WARNING_SECONDS,
                EventType.WARNING,
                {"kind": "session_ending", "seconds_left": SESSION_WARNING_SECONDS},
            )
        )
    budget = phase_budget_seconds(plan, state.phase, state.minutes)
    if budget is not None:
        phase_end = state.phase_started_active + budget
        following = plan.next_phase_id(state.phase)
        candidates.append(
            (
                phase_end,
                EventType.PHASE_CHANGED,
                {"phase": following, "previous": state.phase, "reason": "timeout"},
            )
        )
        if ("phase_ending", state.phase) not in state.warnings:
            candidates.append(
                (
                    phase_end - PHASE_WARNING_SECONDS,
                    EventType.WARNING,
                    {
                        "kind": "phase_ending",
                        "phase": state.phase,
                        "seconds_left": PHASE_WARNING_SECONDS,
                    },
                )
            )
    order = {EventType.WARNING: 0, EventType.PHASE_CHANGED: 1, EventType.SESSION_ENDED: 2}
    return min(candidates, key=lambda item: (item[0], order[item[1]]))


def due_events(state: Conversation, plan: PhasePlan, now: datetime) -> list[DueEvent]:
    """Time-driven events that have fallen due by ``now``, in order, each at its due time."""
    if state.paused or state.ended:
        return []
    # Work on a private copy: the caller's state is only changed by appending to the log.
    state = replace(
        state, spans=list(state.spans), warnings=set(state.warnings), messages=list(state.messages)
    )
    now_active = state.active_seconds(now)
    due: list[DueEvent] = []
    while True:
        item = _next_due(state, plan)
        if item is None or item[0] > now_active:
            return due
        active, type_, data = item
        at = state.wall_time(active)
        due.append(DueEvent(type_, data, at))
        if type_ is EventType.WARNING:
            state.warnings.add((data["kind"], data.get("phase", "")))
        elif type_ is EventType.PHASE_CHANGED:
            last = state.spans[-1]
            state.spans[-1] = PhaseSpan(last.phase, last.started_active, active, last.reason)
            state.spans.append(PhaseSpan(data["phase"], active, None, "timeout"))
            # A warning that never fired for a phase cut short is not owed any more.
            state.warnings.add(("phase_ending", last.phase))
        else:
            return due
