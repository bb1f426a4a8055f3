"""Read an SSE response with a real SSE parser (httpx-sse), not by matching strings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx_sse import connect_sse


@dataclass
class Received:
    event: str
    data: Any
    id: str


def read_stream(client: TestClient, session_id: str) -> list[Received]:
    with connect_sse(client, "GET", f"/api/sessions/{session_id}/stream") as source:
        source.response.raise_for_status()
        assert source.response.headers["content-type"].startswith("text/event-stream")
        return [Received(sse.event, json.loads(sse.data), sse.id) for sse in source.iter_sse()]


def reply_text(events: list[Received]) -> str:
    return "".join(event.data["text"] for event in events if event.event == "token")
