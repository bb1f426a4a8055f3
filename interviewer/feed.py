"""A session's event feed: what clients receive, each event with an id they can resume from.

Log events get the id ``"S"`` (their per-session seq). The pieces of an interviewer reply get
``"S.i"``: ``S`` is the seq of the turn's ``reply_started`` event and ``i`` counts from 1. Ids
order as the pairs ``(S, i)`` with a log event being ``(S, 0)``, so every id is greater than
the one before it, and "everything after id X" is well defined whether the pieces of a reply
are still in memory or already flushed to the log in batches.

Private notes and cancel requests are never part of the feed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.events import EventType, SessionEvent

__all__ = [
    "EventId",
    "FeedBuilder",
    "FeedEvent",
    "InvalidEventId",
    "feed_from_log",
    "in_order",
    "token_events",
]

_ID = re.compile(r"^(\d{1,12})(?:\.(\d{1,9}))?$")
FIRST_PHASE = "clarify"


class InvalidEventId(ValueError):
    """A Last-Event-ID or ``since`` value that is not ``S`` or ``S.i``."""


@dataclass(frozen=True, order=True)
class EventId:
    seq: int
    index: int = 0

    @classmethod
    def parse(cls, raw: str) -> EventId:
        match = _ID.match(raw.strip())
        if match is None:
            raise InvalidEventId(f"event id {raw!r} is not of the form SEQ or SEQ.INDEX")
        return cls(int(match.group(1)), int(match.group(2) or 0))

    def __str__(self) -> str:
        return f"{self.seq}.{self.index}" if self.index else str(self.seq)


@dataclass(frozen=True)
class FeedEvent:
    id: EventId
    event: str
    data: dict[str, Any] = field(default_factory=dict)


def _message(event: SessionEvent, role: str, phase: str, kind: str, started: datetime) -> dict:
    return {
        "seq": event.seq,
        "role": role,
        "phase": phase,
        "text": event.data["text"],
        "kind": kind,
        "at": event.at.isoformat(),
        "t": round((event.at - started).total_seconds(), 3),
    }


def token_events(turn_seq: int, texts: list[str], first_index: int = 1) -> list[FeedEvent]:
    return [
        FeedEvent(EventId(turn_seq, first_index + offset), "token", {"text": text})
        for offset, text in enumerate(texts)
    ]


def feed_from_log(
    events: Iterable[SessionEvent],
    *,
    after: EventId = EventId(0),
    phase_titles: Mapping[str, str] | None = None,
) -> list[FeedEvent]:
    """The feed for a whole log, in id order, keeping only the events after ``after``."""
    builder = FeedBuilder(phase_titles)
    return in_order([item for event in events for item in builder.add(event)], after=after)


def in_order(feed: list[FeedEvent], *, after: EventId) -> list[FeedEvent]:
    """``feed`` sorted by id, without duplicates (the first wins) and without ids up to
    ``after``."""
    feed = sorted(feed, key=lambda item: item.id)
    unique: list[FeedEvent] = []
    for item in feed:
        if item.id > after and (not unique or unique[-1].id != item.id):
            unique.append(item)
    return unique


class FeedBuilder:
    """Turns a log into feed events one event at a time, in log order.

    A log event's feed events depend only on the events before it (the phase, the start),
    so a follower can convert each event once and keep the result.
    """

    def __init__(self, phase_titles: Mapping[str, str] | None = None) -> None:
        self.titles = phase_titles or {}
        self.phase = FIRST_PHASE
        self.started: datetime | None = None

    def add(self, event: SessionEvent) -> list[FeedEvent]:
        data = event.data
        own_id = EventId(event.seq)
        started = self.started or event.at
        phase = self.phase
        match event.type:
            case EventType.SESSION_CREATED:
                self.started = event.at
                keys = ("problem_id", "minutes", "persona", "level", "interviewer_model")
                return [FeedEvent(own_id, "session", {k: data[k] for k in keys if k in data})]
            case EventType.CANDIDATE_MESSAGE:
                message = _message(event, "candidate", phase, "reply", started)
                return [FeedEvent(own_id, "message", {"message": message})]
            case EventType.INTERVIEWER_MESSAGE:
                kind = data.get("kind", "reply")
                message = _message(event, "interviewer", phase, kind, started)
                return [FeedEvent(own_id, "done", {"message": message})]
            case EventType.REPLY_STARTED:
                return [FeedEvent(own_id, "reply_started", {"turn": event.seq})]
            case EventType.REPLY_DELTA:
                return token_events(data["turn"], data["texts"], data["from"])
            case EventType.REPLY_INTERRUPTED:
                message = _message(event, "interviewer", phase, "interrupted", started)
                data = {"detail": data.get("detail", ""), "message": message}
                return [FeedEvent(own_id, "interrupted", data)]
            case EventType.REPLY_CANCELLED:
                message = _message(event, "interviewer", phase, "cancelled", started)
                return [FeedEvent(own_id, "cancelled", {"message": message})]
            case EventType.REPLY_FAILED:
                return [FeedEvent(own_id, "error", {"detail": data.get("detail", "")})]
            case EventType.PHASE_CHANGED:
                self.phase = data["phase"]
                change = {
                    "phase": self.phase,
                    "previous": phase,
                    "title": self.titles.get(self.phase, self.phase),
                    "reason": data.get("reason", ""),
                }
                return [FeedEvent(own_id, "phase", change)]
            case EventType.WARNING:
                return [FeedEvent(own_id, "warning", dict(data))]
            case EventType.PAUSED:
                return [FeedEvent(own_id, "paused", {})]
            case EventType.RESUMED:
                return [FeedEvent(own_id, "resumed", {})]
            case EventType.SESSION_ENDED:
                return [FeedEvent(own_id, "ended", {"reason": data["reason"]})]
            case EventType.TURN_USAGE:
                return [FeedEvent(own_id, "usage", dict(data))]
            case _:  # private notes and cancel requests stay on the server
                return []
