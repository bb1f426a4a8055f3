"""The server-rendered pages."""

from __future__ import annotations

from tests.web.sse import read_stream


def test_problem_list_shows_all_problems_and_says_the_interviewer_is_offline(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.text.count('class="problem"') == 30
    assert "Offline interviewer" in page.text


def test_without_keys_the_header_says_why_the_interviewer_is_offline(settings):
    from fastapi.testclient import TestClient

    from web.app import make_app

    with TestClient(make_app(settings)) as client:
        page = client.get("/").text
    assert "Offline interviewer &middot; no API key configured" in page


def test_problem_list_escapes_nothing_it_should_not(client):
    # Statements contain characters such as '<' ("p95 TTFT < 1s"); they must arrive escaped.
    page = client.get("/").text
    assert "p95 TTFT &lt; 1s" in page


def test_interview_room_lists_the_seven_phases_and_links_the_script(client):
    session = client.post("/api/sessions", json={"problem_id": "semantic-cache"}).json()
    read_stream(client, session["id"])
    page = client.get(f"/interview/{session['id']}")
    assert page.status_code == 200
    assert page.text.count("data-phase=") == 7
    assert f'data-session-id="{session["id"]}"' in page.text
    assert "/static/interview.js" in page.text
    assert client.get("/static/interview.js").status_code == 200


def test_your_sessions_appear_on_the_problem_list(client):
    client.post("/api/sessions", json={"problem_id": "semantic-cache"})
    page = client.get("/").text
    assert "Your sessions" in page
    assert "/interview/" in page


def test_api_reports_which_interviewer_runs(client):
    assert client.get("/api/interviewer").json() == {
        "model": "offline",
        "offline": True,
        "reason": "chosen by the caller",
    }
