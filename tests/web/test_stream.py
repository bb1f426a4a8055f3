"""The SSE stream of the interviewer's reply: event sequence and wire format."""

from __future__ import annotations

from tests.web.sse import read_stream, reply_text


def start(client, problem_id="url-shortener"):
    response = client.post("/api/sessions", json={"problem_id": problem_id})
    assert response.status_code == 201, response.text
    return response.json()


def test_opening_streams_tokens_then_one_done_event(client):
    session = start(client)
    events = read_stream(client, session["id"])
    kinds = [event.event for event in events]
    assert kinds[-1] == "done"
    assert kinds.count("done") == 1
    assert set(kinds[:-1]) == {"token"}
    assert len(kinds) > 20, "the reply should arrive in many small pieces"
    done = events[-1].data["message"]
    assert done["role"] == "interviewer"
    assert reply_text(events).strip() == done["text"]
    assert "Design a URL shortener (bit.ly). Handle 100B URLs." in done["text"]


def test_streamed_reply_is_stored_in_the_transcript(client):
    session = start(client)
    events = read_stream(client, session["id"])
    transcript = client.get(f"/api/sessions/{session['id']}/transcript").json()
    assert [m["role"] for m in transcript] == ["interviewer"]
    assert transcript[0]["text"] == events[-1].data["message"]["text"]


def test_stream_with_no_reply_running_replays_the_latest_one(client):
    session = start(client)
    first = read_stream(client, session["id"])
    again = read_stream(client, session["id"])
    assert [(e.id, e.event, e.data) for e in again] == [(e.id, e.event, e.data) for e in first]


def test_candidate_answer_gets_a_reply_that_uses_hidden_facts(client):
    session = start(client)
    read_stream(client, session["id"])
    posted = client.post(
        f"/api/sessions/{session['id']}/messages",
        json={"text": "What p99 latency does a redirect need?"},
    )
    assert posted.status_code == 201
    events = read_stream(client, session["id"])
    reply = events[-1].data["message"]["text"]
    assert "under 50 ms at p99" in reply
    assert "100 billion" not in reply, "facts the candidate did not ask about stay hidden"


def test_moving_on_emits_a_phase_event_before_the_tokens(client):
    session = start(client)
    read_stream(client, session["id"])
    client.post(f"/api/sessions/{session['id']}/messages", json={"text": "Let's move on."})
    events = read_stream(client, session["id"])
    assert events[0].event == "phase"
    assert events[0].data == {
        "phase": "requirements",
        "previous": "clarify",
        "title": "Requirements",
        "reason": "candidate",
    }
    assert events[-1].event == "done"
    assert events[-1].data["message"]["phase"] == "requirements"
    detail = client.get(f"/api/sessions/{session['id']}").json()
    assert detail["phase"] == "requirements"


def test_stream_of_someone_elses_session_is_404(client, app):
    from fastapi.testclient import TestClient

    session = start(client)
    with TestClient(app) as stranger:
        response = stranger.get(f"/api/sessions/{session['id']}/stream")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("no session")


def test_wire_format_uses_named_events_and_json_data(client):
    session = start(client)
    with client.stream("GET", f"/api/sessions/{session['id']}/stream") as response:
        raw = "".join(response.iter_text())
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert response.headers["content-type"].startswith("text/event-stream")
    first_block = raw.split("\n\n")[0].splitlines()
    assert first_block[0] == "id: 2.1"  # the first piece of the reply that event 2 started
    assert first_block[1] == "event: token"
    assert first_block[2].startswith('data: {"text": ')


def test_a_provider_failure_streams_an_error_event_and_keeps_the_turn(settings, clock):
    import respx
    from fastapi.testclient import TestClient

    from tests.llm.wire import openai_model_interviewer
    from web.app import make_app

    interviewer = openai_model_interviewer("m")
    app = make_app(settings, clock=clock, interviewer=interviewer)
    with respx.mock, TestClient(app) as client:
        respx.post("https://openai.test/v1/chat/completions").respond(
            503, json={"error": {"message": "overloaded"}}
        )
        session = start(client)
        events = read_stream(client, session["id"])
        assert [event.event for event in events] == ["error"]
        assert "answered 503" in events[0].data["detail"]
        detail = client.get(f"/api/sessions/{session['id']}").json()
        assert detail["interviewer_turn_pending"] is True
        assert detail["messages"] == []
        assert detail["interviewer_model"] == "openai:m"


def test_a_reply_cut_midway_is_stored_as_interrupted_and_can_be_retried(settings, clock):
    import httpx
    import respx
    from fastapi.testclient import TestClient

    from tests.llm.wire import openai_model_interviewer, openai_stream
    from web.app import make_app

    interviewer = openai_model_interviewer("m")
    app = make_app(settings, clock=clock, interviewer=interviewer)
    stream = {"content-type": "text/event-stream"}
    with respx.mock, TestClient(app) as client:
        respx.post("https://openai.test/v1/chat/completions").side_effect = [
            httpx.Response(
                200, content=openai_stream("Hello, ", "today", finish=None), headers=stream
            ),
            httpx.Response(200, content=openai_stream("Hello again."), headers=stream),
        ]
        session = start(client)
        first = read_stream(client, session["id"])
        assert [e.event for e in first] == ["token", "token", "interrupted"]
        assert first[-1].data["message"]["text"] == "Hello, today"
        transcript = client.get(f"/api/sessions/{session['id']}/transcript").json()
        assert [(m["kind"], m["text"]) for m in transcript] == [("interrupted", "Hello, today")]
        assert client.post(f"/api/sessions/{session['id']}/retry").status_code == 202
        retry = read_stream(client, session["id"])
        assert retry[-1].event == "done"
        kinds = [m["kind"] for m in client.get(f"/api/sessions/{session['id']}/transcript").json()]
        assert kinds == ["interrupted", "reply"]
