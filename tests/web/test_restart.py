"""Persistence across an app restart: a new app instance on the same database file."""

from __future__ import annotations

from fastapi.testclient import TestClient

from interviewer.offline import OfflineInterviewer
from tests.web.sse import read_stream
from web.app import make_app
from web.identity import COOKIE_NAME


def test_conversation_survives_a_new_app_instance(settings, clock):
    first_app = make_app(settings, clock=clock, interviewer=OfflineInterviewer())
    with TestClient(first_app) as client:
        session_id = client.post("/api/sessions", json={"problem_id": "typeahead"}).json()["id"]
        read_stream(client, session_id)
        client.post(f"/api/sessions/{session_id}/messages", json={"text": "Let's move on."})
        read_stream(client, session_id)
        before = client.get(f"/api/sessions/{session_id}").json()
        cookie = client.cookies[COOKIE_NAME]
    first_app.state.engine.dispose()

    second_app = make_app(settings, clock=clock, interviewer=OfflineInterviewer())
    with TestClient(second_app, cookies={COOKIE_NAME: cookie}) as client:
        after = client.get(f"/api/sessions/{session_id}").json()
        assert after == before
        assert [m["role"] for m in after["messages"]] == ["interviewer", "candidate", "interviewer"]
        assert after["phase"] == "requirements"
        page = client.get(f"/interview/{session_id}")
        assert page.status_code == 200
    assert settings.resolved_database_url().endswith("interviews.sqlite3")


def test_generated_secret_key_is_kept_so_cookies_survive_restarts(tmp_path):
    from core.settings import Settings

    settings = Settings(_env_file=None, data_dir=tmp_path / "d")
    assert settings.resolved_secret_key() == settings.resolved_secret_key()
    assert (tmp_path / "d" / "secret_key").stat().st_mode & 0o777 == 0o600
