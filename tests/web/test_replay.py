"""The replay over HTTP: what was said, when, in which phase, the notes, and graded evidence."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.sse import read_stream
from tests.web.test_scorecards_api import played_session, wait_for_card

XSS = (
    "<img src=x onerror=alert(1)> and <script>alert(2)</script> and "
    "[x](javascript:alert(3)) and <svg onload=alert(4)> and ![i](https://evil.example/i.png)"
)


def new_session(client) -> str:
    session_id = client.post("/api/sessions", json={"problem_id": "url-shortener"}).json()["id"]
    read_stream(client, session_id)  # the opening question
    return session_id


def say(client, session_id: str, text: str) -> None:
    response = client.post(f"/api/sessions/{session_id}/messages", json={"text": text})
    assert response.status_code == 201, response.text
    read_stream(client, session_id)


def replay(client, session_id: str) -> dict:
    response = client.get(f"/api/sessions/{session_id}/replay")
    assert response.status_code == 200, response.text
    return response.json()


def test_messages_come_in_order_timed_on_the_active_clock(client, clock):
    session_id = new_session(client)
    clock.advance(seconds=30)
    say(client, session_id, "How many URLs a day?")
    client.post(f"/api/sessions/{session_id}/pause")
    clock.advance(minutes=10)  # paused: does not count
    client.post(f"/api/sessions/{session_id}/resume")
    clock.advance(seconds=20)
    say(client, session_id, "Reads outnumber writes 100 to 1.")

    body = replay(client, session_id)
    messages = body["messages"]
    roles = ["interviewer", "candidate", "interviewer", "candidate", "interviewer"]
    assert [m["role"] for m in messages] == roles
    assert [m["seq"] for m in messages] == sorted(m["seq"] for m in messages)
    candidate = [m for m in messages if m["role"] == "candidate"]
    assert [m["t"] for m in candidate] == [30.0, 50.0]
    assert all(m["phase"] == "clarify" and m["kind"] == "reply" for m in candidate)
    session = body["session"]
    assert session["id"] == session_id and session["problem_title"]
    assert session["minutes"] == 45 and session["level"] == "senior"
    assert session["status"] == "active" and session["duration_s"] == 50.0
    assert body["evidence"] == [] and body["scorecard_status"] is None


def test_phase_spans_follow_the_clock_and_end_with_the_session(client, clock):
    session_id = new_session(client)
    clock.advance(minutes=5)  # past the 4-minute budget of clarify at 45 minutes
    client.get(f"/api/sessions/{session_id}")  # lets the due phase change land
    read_stream(client, session_id)
    clock.advance(seconds=30)
    client.post(f"/api/sessions/{session_id}/end")
    read_stream(client, session_id)

    body = replay(client, session_id)
    phases = body["phases"]
    assert [p["id"] for p in phases][:2] == ["clarify", "requirements"]
    assert phases[0]["start_t"] == 0.0 and phases[0]["title"]
    # The clock moves the phase on when its budget runs out, not when someone next looks.
    assert phases[0]["end_t"] == phases[1]["start_t"] == 240.0
    assert phases[-1]["end_t"] == 330.0
    assert body["session"]["status"] == "ended" and body["session"]["duration_s"] >= 330.0
    assert {m["phase"] for m in body["messages"]} >= {"clarify", "requirements"}


def test_message_html_is_rendered_and_cannot_execute(client, clock):
    session_id = new_session(client)
    say(client, session_id, f"**Bold** idea: {XSS}")

    message = next(m for m in replay(client, session_id)["messages"] if m["role"] == "candidate")
    html = message["html"]
    assert "<strong>Bold</strong>" in html
    assert message["text"].startswith("**Bold** idea: <img")  # the text is kept as typed
    tags = {tag.lower() for tag in re.findall(r"<\s*([a-zA-Z0-9]+)", html)}
    assert tags <= {"p", "strong", "em", "a", "code"}, tags
    attributes = re.findall(r"<[a-zA-Z0-9]+\s+([^>]*)>", html)
    assert not any(re.search(r"\bon[a-z]+\s*=", attrs, re.I) for attrs in attributes)
    assert "javascript:" not in " ".join(attributes).lower()
    assert "<script" not in html.lower() and "<img" not in html and "<svg" not in html
    assert "&lt;script&gt;" in html  # raw HTML stays visible as text


def test_notes_versions_are_timed_like_messages(client, clock):
    session_id = new_session(client)
    clock.advance(seconds=40)
    client.put(f"/api/sessions/{session_id}/notes", json={"text": "API: POST /urls"})
    clock.advance(seconds=20)
    client.put(f"/api/sessions/{session_id}/notes", json={"text": "API: POST /urls\nDB: KV"})

    notes = replay(client, session_id)["notes"]
    assert [(n["t"], n["text"]) for n in notes] == [
        (40.0, "API: POST /urls"),
        (60.0, "API: POST /urls\nDB: KV"),
    ]


def test_evidence_markers_appear_once_the_session_is_graded(client, clock):
    session_id = played_session(client, clock, "url-shortener__strong.json")
    before = replay(client, session_id)
    assert before["evidence"] == [] and before["scorecard_status"] is None

    client.post(f"/api/sessions/{session_id}/scorecard", json={"judge": "offline"})
    card = wait_for_card(client, session_id)["scorecard"]
    after = replay(client, session_id)
    assert after["scorecard_status"] == "done"
    quotes = [(q["turn_id"], q["t"]) for d in card["dimensions"] for q in d["evidence"]]
    markers = after["evidence"]
    assert markers and sorted((m["turn_id"], m["t"]) for m in markers) == sorted(quotes)
    assert [m["t"] for m in markers] == sorted(m["t"] for m in markers)
    said = {m["seq"]: m for m in after["messages"] if m["role"] == "candidate"}
    titles = {d["id"]: d["title"] for d in card["dimensions"]}
    for marker in markers:
        assert said[marker["turn_id"]]["t"] == marker["t"]  # the marker lands on its message
        assert marker["quote"] and marker["dimension_title"] == titles[marker["dimension_id"]]


def test_only_the_owner_can_replay_a_session(app, client, clock):
    session_id = new_session(client)
    with TestClient(app) as stranger:
        response = stranger.get(f"/api/sessions/{session_id}/replay")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
        assert stranger.get(f"/replay/{session_id}").status_code == 404
    assert client.get("/api/sessions/no-such-session/replay").status_code == 404


def test_the_replay_page_loads_its_script_and_nothing_inline(client, clock):
    session_id = new_session(client)
    page = client.get(f"/replay/{session_id}")
    assert page.status_code == 200
    script_policy = page.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in script_policy
    scripts = re.findall(r"<script\b([^>]*)>", page.text)
    assert scripts and all('src="' in attrs for attrs in scripts)
    assert any("/static/replay.js" in attrs for attrs in scripts)
    assert f'data-session-id="{session_id}"' in page.text
    assert client.get("/static/replay.js").status_code == 200
