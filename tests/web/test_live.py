"""Delivery that survives reloads and retries: resumable feed, server-owned turns, cancel,
idempotent posts, the WebSocket path."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.web.feed import read_events, token_ids
from tests.web.gate import Gate
from tests.web.sse import read_stream
from web.app import make_app


@pytest.fixture
def gate():
    return Gate(before=10, after=10)


@pytest.fixture
def gated(settings, clock, gate):
    app = make_app(settings, clock=clock, interviewer=gate)
    with TestClient(app) as client:
        yield client, app


def new_session(client) -> str:
    response = client.post("/api/sessions", json={"problem_id": "url-shortener"})
    assert response.status_code == 201
    return response.json()["id"]


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_reconnecting_mid_reply_resumes_without_gap_or_duplicate(gated, gate):
    client, _ = gated
    session_id = new_session(client)
    gate.wait_until_started()
    first = read_events(client, session_id, until=lambda got: len(token_ids(got)) == 5)
    ids = token_ids(first)
    turn = ids[0].split(".")[0]
    assert ids == [f"{turn}.{i}" for i in range(1, 6)]

    # Reconnect from the fifth piece: the rest of what exists, then the live remainder.
    def complete(got):
        return any(event.event == "done" for event in got)

    resumed = []

    def after_release(got):
        if len(token_ids(got)) == 5 and not gate._open.is_set():
            gate.release()
        resumed[:] = got
        return complete(got)

    read_events(client, session_id, last_event_id=ids[-1], until=after_release)
    rest = token_ids(resumed)
    assert rest == [f"{turn}.{i}" for i in range(6, 21)], "no gap, no duplicate, in order"
    text = "".join(e.data["text"] for e in first + resumed if e.event == "token").strip()
    done = next(e for e in resumed if e.event == "done")
    assert text == done.data["message"]["text"] == gate.full_text()

    # After the reply, the pieces are in the log: a late reconnect replays them too.
    late = read_events(client, session_id, last_event_id=f"{turn}.3", until=complete)
    assert token_ids(late) == [f"{turn}.{i}" for i in range(4, 21)]


def test_event_ids_only_grow_and_resume_from_any_of_them(gated, gate):
    client, _ = gated
    session_id = new_session(client)
    gate.release()
    everything = read_events(client, session_id, until=lambda got: got[-1].event == "usage")
    keys = [tuple(int(part) for part in (event.id + ".0").split(".")[:2]) for event in everything]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert everything[0].event == "session"
    middle = everything[len(everything) // 2]
    tail = read_events(
        client, session_id, last_event_id=middle.id, until=lambda got: got[-1].event == "usage"
    )
    assert [e.id for e in tail] == [e.id for e in everything[len(everything) // 2 + 1 :]]


def test_a_reply_goes_on_and_is_stored_when_the_client_disconnects(gated, gate):
    client, app = gated
    session_id = new_session(client)
    gate.wait_until_started()
    read_events(client, session_id, until=lambda got: len(token_ids(got)) == 2)  # then hang up
    gate.release()
    service = app.state.service
    wait_for(lambda: service.conversation(session_id).replies)
    [reply] = service.conversation(session_id).replies
    assert reply.text == gate.full_text()


def test_cancel_stores_the_part_said_and_frees_the_turn(gated, gate):
    client, _ = gated
    session_id = new_session(client)
    gate.wait_until_started()
    read_events(client, session_id, until=lambda got: len(token_ids(got)) == 10)
    response = client.post(f"/api/sessions/{session_id}/cancel")
    assert response.status_code == 200 and response.json() == {"cancelled": True}
    transcript = client.get(f"/api/sessions/{session_id}/transcript").json()
    assert [(m["kind"], m["text"]) for m in transcript] == [
        ("cancelled", "".join(Gate.words(1, 11)).strip())
    ]
    assert client.post(f"/api/sessions/{session_id}/cancel").status_code == 409
    posted = client.post(f"/api/sessions/{session_id}/messages", json={"text": "Scale?"})
    assert posted.status_code == 201, "after a cancel the candidate may speak"
    feed = read_events(client, session_id, until=lambda got: got[-1].event == "cancelled")
    assert feed[-1].data["message"]["kind"] == "cancelled"


def test_reposting_with_the_same_client_id_does_not_reply_twice(client, app):
    session_id = new_session(client)
    read_stream(client, session_id)
    interviewer_calls = len(app.state.service.store.events(session_id))
    body = {"text": "How many links in total?", "client_id": "c-1"}
    first = client.post(f"/api/sessions/{session_id}/messages", json=body)
    assert first.status_code == 201
    read_stream(client, session_id)
    again = client.post(f"/api/sessions/{session_id}/messages", json=body)
    assert again.status_code == 200
    assert again.json() == first.json()
    state = app.state.service.conversation(session_id)
    assert [m.text for m in state.messages if m.role == "candidate"] == [body["text"]]
    assert len([m for m in state.messages if m.role == "interviewer"]) == 2
    assert len(app.state.service.store.events(session_id)) > interviewer_calls

    changed = client.post(
        f"/api/sessions/{session_id}/messages", json={"text": "Something else", "client_id": "c-1"}
    )
    assert changed.status_code == 409
    assert "different message" in changed.json()["detail"]


def test_the_idempotency_key_header_works_like_client_id(client):
    session_id = new_session(client)
    read_stream(client, session_id)
    headers = {"Idempotency-Key": "key-7"}
    url = f"/api/sessions/{session_id}/messages"
    assert client.post(url, json={"text": "Peak QPS?"}, headers=headers).status_code == 201
    read_stream(client, session_id)
    assert client.post(url, json={"text": "Peak QPS?"}, headers=headers).status_code == 200
    clash = client.post(url, json={"text": "x", "client_id": "other"}, headers=headers)
    assert clash.status_code == 422


def test_a_malformed_last_event_id_is_a_422(client):
    session_id = new_session(client)
    response = client.get(f"/api/sessions/{session_id}/events", headers={"Last-Event-ID": "abc"})
    assert response.status_code == 422
    assert "SEQ or SEQ.INDEX" in response.json()["detail"]


def test_retry_is_a_409_when_nothing_is_owed(client):
    session_id = new_session(client)
    read_stream(client, session_id)
    assert client.post(f"/api/sessions/{session_id}/retry").status_code == 409


# -- WebSocket --------------------------------------------------------------------------------


def test_websocket_speaks_the_same_protocol_both_ways(client):
    session_id = new_session(client)
    read_stream(client, session_id)
    with client.websocket_connect(
        f"/api/sessions/{session_id}/ws", headers={"origin": "http://testserver"}
    ) as socket:
        frames = []
        while not frames or frames[-1]["event"] != "usage":
            frames.append(socket.receive_json())
        assert frames[0]["event"] == "session"
        assert any(f["event"] == "done" for f in frames)
        socket.send_json({"type": "message", "text": "Do links expire?", "client_id": "ws-1"})
        seen = []
        while not seen or seen[-1]["event"] != "done":
            seen.append(socket.receive_json())
        assert seen[0]["event"] == "message"
        assert seen[0]["data"]["message"]["text"] == "Do links expire?"
        assert "ten years" in seen[-1]["data"]["message"]["text"]
        assert [f["id"] for f in seen] == sorted(
            [f["id"] for f in seen], key=lambda i: tuple(map(int, (i + ".0").split(".")[:2]))
        )
        socket.send_text("not json")
        frame = socket.receive_json()
        while frame["event"] != "rejected":  # the usage of the reply may come first
            frame = socket.receive_json()
        assert frame["data"]["detail"] == "frames must be JSON objects"
        socket.send_json({"type": "dance"})
        assert "unknown frame type" in socket.receive_json()["data"]["detail"]


def test_websocket_refuses_a_foreign_origin(client):
    session_id = new_session(client)
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(
            f"/api/sessions/{session_id}/ws", headers={"origin": "https://evil.example"}
        ) as socket,
    ):
        socket.receive_json()
    assert refused.value.code == 4403


def test_websocket_is_refused_for_another_identity(client, app):
    session_id = new_session(client)
    url = f"/api/sessions/{session_id}/ws"
    with (
        TestClient(app) as stranger,
        pytest.raises(WebSocketDisconnect) as refused,
        stranger.websocket_connect(url) as socket,
    ):
        socket.receive_json()
    assert refused.value.code == 4404


def test_a_reply_cut_by_a_shutdown_is_stored_as_interrupted_and_stays_owed(settings, clock):
    gate = Gate(before=3, after=3)
    app = make_app(settings, clock=clock, interviewer=gate)
    with TestClient(app) as client:
        session_id = new_session(client)
        gate.wait_until_started()
        read_events(client, session_id, until=lambda got: len(token_ids(got)) == 3)
    # Leaving the block shut the app down mid-reply.
    state = app.state.service.conversation(session_id)
    assert [(m.kind, m.text) for m in state.messages] == [("interrupted", "w1 w2 w3")]
    assert state.interviewer_turn_pending and state.attempt_failed


def test_a_replys_last_pieces_are_committed_with_its_outcome(settings, clock):
    gate = Gate(before=3, after=4)
    slow_flusher = settings.model_copy(update={"delta_flush_seconds": 60})
    app = make_app(slow_flusher, clock=clock, interviewer=gate)
    commits: list[list[str]] = []
    app.state.service.store.add_listener(
        lambda _session, events: commits.append([str(event.type) for event in events])
    )
    with TestClient(app) as client:
        session_id = new_session(client)
        gate.release()
        got = read_events(client, session_id, until=lambda got: got[-1].event == "usage")
    assert token_ids(got)[-1].endswith(".7")
    # No flush ran in between: all seven pieces went into the outcome's own transaction.
    [outcome] = [types for types in commits if "interviewer_message" in types]
    assert outcome[:2] == ["reply_delta", "interviewer_message"]
    assert not [types for types in commits if types == ["reply_delta"]]
    log = app.state.service.store.events(session_id)
    [delta] = [event for event in log if event.type == "reply_delta"]
    assert delta.data["texts"] == gate.words(1, 8)
