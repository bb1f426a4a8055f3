"""The JSON API: creating sessions, posting messages, reading transcripts, bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient

from interviewer.limits import MAX_MESSAGE_CHARS
from tests.web.sse import read_stream
from web.app import make_app


def start(client, problem_id="url-shortener", **extra):
    return client.post("/api/sessions", json={"problem_id": problem_id, **extra})


def events_of(app, session_id):
    return app.state.service.store.events(session_id)


def test_create_session_returns_the_candidate_view(client):
    response = start(client, minutes=30)
    assert response.status_code == 201
    body = response.json()
    assert body["problem"]["id"] == "url-shortener"
    assert body["minutes"] == 30
    assert body["phase"] == "clarify"
    assert body["interviewer_turn_pending"] is True
    assert body["messages"] == []
    assert "hidden_facts" not in body["problem"]


def test_unknown_problem_is_a_json_404_and_stores_nothing(client, app):
    response = start(client, problem_id="no-such-problem")
    assert response.status_code == 404
    assert response.json() == {"detail": "unknown problem id 'no-such-problem'"}
    assert client.get("/api/sessions").json() == []


def test_session_length_must_be_30_45_or_60(client):
    response = start(client, minutes=50)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "minutes"]


def test_malformed_json_is_a_422_not_a_500(client):
    response = client.post(
        "/api/sessions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "detail" in response.json()


def _session_ready_for_candidate(client):
    session = start(client).json()
    read_stream(client, session["id"])
    return session["id"]


def test_empty_message_is_a_422_and_nothing_is_stored(client, app):
    session_id = _session_ready_for_candidate(client)
    before = events_of(app, session_id)
    for text in ["", "   \n\t  "]:
        response = client.post(f"/api/sessions/{session_id}/messages", json={"text": text})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "text"]
    assert events_of(app, session_id) == before


def test_oversized_message_is_a_422_and_nothing_is_stored(client, app):
    session_id = _session_ready_for_candidate(client)
    before = events_of(app, session_id)
    response = client.post(
        f"/api/sessions/{session_id}/messages", json={"text": "x" * (MAX_MESSAGE_CHARS + 1)}
    )
    assert response.status_code == 422
    assert "at most 8000 characters" in response.json()["detail"][0]["msg"]
    assert events_of(app, session_id) == before


def test_huge_body_is_refused_with_413_before_parsing(client, app):
    session_id = _session_ready_for_candidate(client)
    before = events_of(app, session_id)
    response = client.post(f"/api/sessions/{session_id}/messages", json={"text": "x" * 200_000})
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["detail"]
    assert events_of(app, session_id) == before


def test_message_is_stripped_and_stored(client):
    session_id = _session_ready_for_candidate(client)
    response = client.post(f"/api/sessions/{session_id}/messages", json={"text": "  Hello  "})
    assert response.status_code == 201
    assert response.json()["text"] == "Hello"
    transcript = client.get(f"/api/sessions/{session_id}/transcript").json()
    assert [m["text"] for m in transcript if m["role"] == "candidate"] == ["Hello"]


def test_posting_while_the_interviewer_is_replying_is_a_409(settings, clock):
    from tests.web.gate import Gate

    gate = Gate()
    app = make_app(settings, clock=clock, interviewer=gate)
    with TestClient(app) as client:
        session_id = start(client).json()["id"]
        gate.wait_until_started()
        response = client.post(f"/api/sessions/{session_id}/messages", json={"text": "Hi"})
        assert response.status_code == 409
        assert "not replied yet" in response.json()["detail"]
        gate.release()
        read_stream(client, session_id)
        types = [str(event.type) for event in events_of(app, session_id)]
        assert "candidate_message" not in types


def test_transcript_times_come_from_the_server_clock(client, clock):
    session_id = start(client).json()["id"]
    read_stream(client, session_id)  # the opening, said at 0 s
    clock.advance(67)
    client.post(f"/api/sessions/{session_id}/messages", json={"text": "How many URLs in total?"})
    read_stream(client, session_id)
    transcript = client.get(f"/api/sessions/{session_id}/transcript").json()
    assert [(m["role"], m["t"]) for m in transcript] == [
        ("interviewer", 0.0),
        ("candidate", 67.0),
        ("interviewer", 67.0),
    ]


def test_every_session_endpoint_is_404_for_another_identity(client, app):
    session_id = _session_ready_for_candidate(client)
    before = events_of(app, session_id)
    with TestClient(app) as stranger:
        for method, path, body in [
            ("GET", f"/api/sessions/{session_id}", None),
            ("GET", f"/api/sessions/{session_id}/transcript", None),
            ("GET", f"/api/sessions/{session_id}/stream", None),
            ("POST", f"/api/sessions/{session_id}/messages", {"text": "mine now"}),
            ("GET", f"/interview/{session_id}", None),
            ("GET", f"/api/sessions/{session_id}/clock", None),
            ("GET", f"/api/sessions/{session_id}/usage", None),
            ("POST", f"/api/sessions/{session_id}/pause", None),
            ("POST", f"/api/sessions/{session_id}/resume", None),
            ("POST", f"/api/sessions/{session_id}/end", None),
        ]:
            response = stranger.request(method, path, json=body)
            assert response.status_code == 404, (method, path)
            assert response.json()["detail"] == f"no session {session_id!r}"
        assert stranger.get("/api/sessions").json() == []
    assert events_of(app, session_id) == before


def test_unknown_session_id_is_404(client):
    assert client.get("/api/sessions/" + "0" * 32).status_code == 404
    assert client.get("/api/sessions/not-even-hex").status_code == 404


def test_list_sessions_shows_only_mine_newest_first(client, clock):
    first = start(client).json()["id"]
    clock.advance(10)
    second = start(client, problem_id="rate-limiter").json()["id"]
    ids = [s["id"] for s in client.get("/api/sessions").json()]
    assert ids == [second, first]


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/sessions/{session_id}/stream" in paths
    assert "/api/problems" in paths


def test_a_busy_database_is_a_503_with_a_json_reason_not_a_500(client, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def locked(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(app.state.service.store, "list_sessions", locked)
    response = client.get("/api/sessions")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "database is busy" in response.json()["detail"]


def test_models_lists_what_a_session_may_choose(client):
    assert client.get("/api/models").json() == [{"id": "offline", "offline": True, "default": True}]
    response = client.post(
        "/api/sessions", json={"problem_id": "url-shortener", "model": "openai:gpt-4.1"}
    )
    assert response.status_code == 422 and "model must be one of" in response.json()["detail"]


def test_a_session_can_choose_offline_when_a_provider_is_the_default(settings, clock):
    from fastapi.testclient import TestClient

    from tests.interviewer.test_service import Scripted
    from tests.web.sse import read_stream, reply_text
    from web.app import make_app

    settings = settings.model_copy(update={"openai_base_url": "http://127.0.0.1:9/v1"})
    scripted = Scripted(["Scripted hello."])
    app = make_app(settings, clock=clock, interviewer=scripted)
    with TestClient(app) as client:
        models = client.get("/api/models").json()
        assert [(m["id"], m["default"]) for m in models] == [
            ("anthropic:claude-sonnet-4-5", True),
            ("offline", False),
        ]
        chosen = client.post(
            "/api/sessions", json={"problem_id": "url-shortener", "model": "offline"}
        ).json()
        assert chosen["interviewer_model"] == "offline"
        assert "Scripted" not in reply_text(read_stream(client, chosen["id"]))
        default = client.post("/api/sessions", json={"problem_id": "url-shortener"}).json()
        assert reply_text(read_stream(client, default["id"])) == "Scripted hello."
    assert scripted.calls == 1
