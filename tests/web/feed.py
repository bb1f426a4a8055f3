"""Follow a session's /events feed with a real SSE client until a condition holds."""

from __future__ import annotations

import json
from collections.abc import Callable

from httpx_sse import connect_sse

from tests.web.sse import Received


def read_events(
    client,
    session_id: str,
    *,
    until: Callable[[list[Received]], bool],
    last_event_id: str | None = None,
    limit: int = 2000,
) -> list[Received]:
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    received: list[Received] = []
    with connect_sse(
        client, "GET", f"/api/sessions/{session_id}/events", headers=headers
    ) as source:
        source.response.raise_for_status()
        for sse in source.iter_sse():
            if not sse.event or (sse.event == "message" and not sse.data):
                continue  # comments and the retry hint
            received.append(Received(sse.event, json.loads(sse.data), sse.id))
            if until(received) or len(received) >= limit:
                break
    return received


def token_ids(events: list[Received]) -> list[str]:
    return [event.id for event in events if event.event == "token"]
