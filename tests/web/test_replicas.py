"""Two app processes on one PostgreSQL database serve the same live session."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from interviewer.offline import OfflineInterviewer
from tests.pg import SKIP_REASON, fresh_postgres_schema, postgres_answers
from tests.web.feed import read_events, token_ids
from tests.web.gate import Gate
from web.app import make_app
from web.identity import COOKIE_NAME

pytestmark = pytest.mark.skipif(not postgres_answers(), reason=SKIP_REASON)


def replica(tmp_path, url, name, interviewer):
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / name,
        database_url=url,
        secret_key="shared-secret-key-0123456789",
        delta_flush_seconds=0.05,
    )
    return make_app(settings, interviewer=interviewer)


def wait_listening(app, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not app.state.listener.ready.is_set():
        assert time.monotonic() < deadline, "LISTEN connection not ready"
        time.sleep(0.01)


def test_a_live_session_is_followed_and_continued_from_another_replica(tmp_path):
    gate = Gate(before=5, after=5)
    with fresh_postgres_schema() as url:
        app_a = replica(tmp_path, url, "a", gate)
        app_b = replica(tmp_path, url, "b", OfflineInterviewer())
        with TestClient(app_a) as a, TestClient(app_b) as b:
            wait_listening(app_a)
            wait_listening(app_b)
            session_id = a.post("/api/sessions", json={"problem_id": "url-shortener"}).json()["id"]
            b.cookies.set(COOKIE_NAME, a.cookies[COOKIE_NAME])
            gate.wait_until_started()

            # B follows the reply that A is generating: pieces arrive through the log + NOTIFY.
            seen_on_b = read_events(b, session_id, until=lambda got: len(token_ids(got)) == 5)
            turn = token_ids(seen_on_b)[0].split(".")[0]
            assert token_ids(seen_on_b) == [f"{turn}.{i}" for i in range(1, 6)]

            # While A is replying, B refuses a new message: the turn is held across replicas.
            busy = b.post(f"/api/sessions/{session_id}/messages", json={"text": "hello?"})
            assert busy.status_code == 409

            gate.release()
            rest = read_events(
                b,
                session_id,
                last_event_id=f"{turn}.5",
                until=lambda got: any(e.event == "done" for e in got),
            )
            assert token_ids(rest) == [f"{turn}.{i}" for i in range(6, 11)]
            done = next(e for e in rest if e.event == "done")
            assert done.data["message"]["text"] == gate.full_text()

            # B continues the session; A's follower sees the message and B's reply.
            posted = b.post(
                f"/api/sessions/{session_id}/messages", json={"text": "Do links expire?"}
            )
            assert posted.status_code == 201
            seq = str(posted.json()["seq"])
            seen_on_a = read_events(
                a,
                session_id,
                last_event_id=str(int(seq) - 1),
                until=lambda got: any(e.event == "done" for e in got),
            )
            assert seen_on_a[0].event == "message" and seen_on_a[0].id == seq
            reply = next(e for e in seen_on_a if e.event == "done")
            assert "ten years" in reply.data["message"]["text"]
            assert gate.calls == 1, "one reply per turn, on one replica"
