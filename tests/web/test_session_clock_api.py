"""The session's clock over HTTP: time left, warnings, pause, resume, end, usage."""

from __future__ import annotations

from tests.web.sse import read_stream


def ready_session(client, **setup):
    session = client.post("/api/sessions", json={"problem_id": "url-shortener", **setup}).json()
    read_stream(client, session["id"])
    return session["id"]


def test_session_setup_is_stored_and_returned(client):
    body = client.post(
        "/api/sessions",
        json={
            "problem_id": "url-shortener",
            "minutes": 60,
            "persona": "adversarial",
            "level": "staff",
        },
    ).json()
    assert (body["minutes"], body["persona"], body["level"]) == (60, "adversarial", "staff")
    assert body["prompt_version"] == "interviewer.v2"
    assert body["clock"]["session_seconds_left"] == 3600
    assert body["clock"]["phase_seconds_left"] == 300


def test_unknown_persona_or_level_is_a_422(client):
    for field, value in [("persona", "mean"), ("level", "intern")]:
        response = client.post("/api/sessions", json={"problem_id": "url-shortener", field: value})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", field]


def test_clock_counts_down_on_the_server_clock(client, clock):
    session_id = ready_session(client)
    clock.advance(minutes=3, seconds=30)
    face = client.get(f"/api/sessions/{session_id}/clock").json()
    assert face["phase"] == "clarify"
    assert face["phase_seconds_left"] == 30
    assert face["session_seconds_left"] == 45 * 60 - 210
    assert face["warnings"] == ["phase_ending:clarify"]
    clock.advance(minutes=1)
    face = client.get(f"/api/sessions/{session_id}/clock").json()
    assert face["phase"] == "requirements"
    assert face["phase_seconds_used"] == {"clarify": 240.0, "requirements": 30.0}
    client.get(f"/api/sessions/{session_id}")  # the server notices the interviewer owes a turn
    announcement = read_stream(client, session_id)[-1].data["message"]
    assert announcement["text"].startswith("We're out of time for clarify.")


def test_pause_stops_the_clock_and_blocks_messages_until_resume(client, clock):
    session_id = ready_session(client)
    paused = client.post(f"/api/sessions/{session_id}/pause")
    assert paused.status_code == 200 and paused.json()["clock"]["paused"] is True
    assert client.post(f"/api/sessions/{session_id}/pause").status_code == 409
    clock.advance(minutes=30)
    response = client.post(f"/api/sessions/{session_id}/messages", json={"text": "hello"})
    assert response.status_code == 409
    assert "paused" in response.json()["detail"]
    resumed = client.post(f"/api/sessions/{session_id}/resume").json()
    assert resumed["clock"]["session_seconds_left"] == 45 * 60
    assert client.post(f"/api/sessions/{session_id}/resume").status_code == 409
    assert (
        client.post(f"/api/sessions/{session_id}/messages", json={"text": "hi"}).status_code == 201
    )


def test_ending_streams_the_closing_question_then_the_sign_off(client, clock):
    session_id = ready_session(client)
    ended = client.post(f"/api/sessions/{session_id}/end").json()
    assert ended["status"] == "ended" and ended["clock"]["ended_reason"] == "candidate_ended"
    closing = read_stream(client, session_id)
    assert closing[-1].data["message"]["kind"] == "closing"
    client.post(f"/api/sessions/{session_id}/messages", json={"text": "Sharding."})
    sign_off = read_stream(client, session_id)
    assert sign_off[-1].data["message"]["kind"] == "sign_off"
    late = client.post(f"/api/sessions/{session_id}/messages", json={"text": "one more"})
    assert late.status_code == 409 and late.json()["detail"] == "the session has ended"
    assert client.post(f"/api/sessions/{session_id}/end").status_code == 409


def test_time_running_out_ends_the_session(client, clock):
    session_id = ready_session(client, minutes=30)
    clock.advance(minutes=31)
    detail = client.get(f"/api/sessions/{session_id}").json()
    assert detail["status"] == "ended"
    assert detail["clock"]["ended_reason"] == "time_up"
    assert detail["clock"]["session_seconds_left"] == 0
    assert read_stream(client, session_id)[-1].data["message"]["kind"] == "closing"


def test_usage_totals_are_reported_and_notes_never_reach_the_candidate(client, app):
    session_id = ready_session(client)
    client.post(f"/api/sessions/{session_id}/messages", json={"text": "What read/write ratio?"})
    read_stream(client, session_id)
    usage = client.get(f"/api/sessions/{session_id}/usage").json()
    assert usage["output_tokens"] > 0 and usage["cost_usd"] == 0
    assert usage["token_budget"] == app.state.service.token_budget
    note = "Asked about: read/write ratio."
    assert any(e.data.get("text") == note for e in app.state.service.store.events(session_id)), (
        "the note is stored"
    )
    for path in ["", "/transcript", "/clock", "/usage"]:
        assert note not in client.get(f"/api/sessions/{session_id}{path}").text
