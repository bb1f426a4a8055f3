"""Grading a finished session over HTTP: background run, progress, exports, errors."""

from __future__ import annotations

import time

import httpx
import respx
from fastapi.testclient import TestClient

from rubrics.transcript import Transcript
from tests.rubrics.labelled_set import load_transcript
from tests.web.sse import read_stream


def played_session(
    client, clock, name="url-shortener__strong.json", *, end=True, turns: int | None = None
) -> str:
    """A session whose candidate says what a labelled transcript's candidate said, on time."""
    source = load_transcript(name)
    session_id = client.post("/api/sessions", json={"problem_id": source.problem}).json()["id"]
    read_stream(client, session_id)
    elapsed = 0.0
    for turn in source.candidate_turns[:turns]:
        clock.advance(seconds=max(0.0, turn.t - elapsed))
        elapsed = max(elapsed, turn.t)
        client.get(f"/api/sessions/{session_id}")  # lets due phase changes land
        response = client.post(f"/api/sessions/{session_id}/messages", json={"text": turn.text})
        if response.status_code == 409 and response.json()["detail"] != "the session has ended":
            read_stream(client, session_id)  # a time-out announcement was still streaming
            response = client.post(f"/api/sessions/{session_id}/messages", json={"text": turn.text})
        if response.status_code == 409:  # the clock ended the session
            break
        read_stream(client, session_id)
    if end and client.get(f"/api/sessions/{session_id}").json()["status"] != "ended":
        client.post(f"/api/sessions/{session_id}/end")
        read_stream(client, session_id)
    return session_id


def wait_for_card(client, session_id: str) -> dict:
    for _ in range(500):
        body = client.get(f"/api/sessions/{session_id}/scorecard").json()
        if body["status"] != "grading":
            return body
        time.sleep(0.01)
    raise AssertionError("grading did not finish")


def test_an_ended_session_is_graded_in_the_background_and_stored(client, clock):
    session_id = played_session(client, clock)
    started = client.post(f"/api/sessions/{session_id}/scorecard")
    assert started.status_code == 202
    assert started.json()["status"] in {"grading", "done"} and started.json()["total"] == 10

    body = wait_for_card(client, session_id)
    assert body["status"] == "done" and body["done"] == body["total"] == 10
    card = body["scorecard"]
    assert card["session_id"] == session_id and card["judge"] == "offline-heuristic"
    # Replayed into the live interviewer, phases move on its clock, not the original's.
    assert card["recommendation"] in {"lean_hire", "hire", "strong_hire"}
    assert card["score"] > 70
    assert {d["id"] for d in card["dimensions"]} >= {"clarify", "time_management"}
    # Time per phase is the server's measurement, and evidence links to real events.
    clock_face = client.get(f"/api/sessions/{session_id}/clock").json()
    used = {row["phase"]: row["used_s"] for row in card["time"]}
    for phase, seconds in clock_face["phase_seconds_used"].items():
        assert used[phase] == round(seconds, 1)
    transcript = client.get(f"/api/sessions/{session_id}/transcript").json()
    candidate_seqs = {m["seq"] for m in transcript if m["role"] == "candidate"}
    quotes = [q for d in card["dimensions"] for q in d["evidence"]]
    assert quotes and all(q["turn_id"] in candidate_seqs for q in quotes)


def test_exports_are_downloads_in_json_and_markdown(client, clock):
    session_id = played_session(client, clock, "rate-limiter__medium.json")
    client.post(f"/api/sessions/{session_id}/scorecard")
    wait_for_card(client, session_id)

    as_json = client.get(f"/api/sessions/{session_id}/scorecard.json")
    assert as_json.status_code == 200 and "attachment" in as_json.headers["content-disposition"]
    assert as_json.json()["session_id"] == session_id
    markdown = client.get(f"/api/sessions/{session_id}/scorecard.md")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# Scorecard: Distributed rate limiter") or (
        markdown.text.startswith("# Scorecard: ")
    )
    assert "## Estimation check" in markdown.text and "## Time per phase" in markdown.text

    exported = client.get(f"/api/sessions/{session_id}/export.json").json()
    again = Transcript.from_exchange(exported)
    assert again.problem == "rate-limiter" and again.candidate_turns


def test_grading_needs_an_ended_session_with_something_said(client, clock):
    session_id = played_session(client, clock, "url-shortener__weak.json", end=False, turns=3)
    early = client.post(f"/api/sessions/{session_id}/scorecard")
    assert early.status_code == 409 and "end the interview" in early.json()["detail"]
    assert client.get(f"/api/sessions/{session_id}/scorecard").status_code == 404
    assert client.get(f"/api/sessions/{session_id}/scorecard.md").status_code == 404

    silent = client.post("/api/sessions", json={"problem_id": "url-shortener"}).json()["id"]
    read_stream(client, silent)
    client.post(f"/api/sessions/{silent}/end")
    response = client.post(f"/api/sessions/{silent}/scorecard")
    assert response.status_code == 422 and "nothing to grade" in response.json()["detail"]


def test_a_judge_that_is_not_configured_is_a_422(client, clock):
    session_id = played_session(client, clock, "url-shortener__weak.json")
    for judge, message in [
        ("gpt4", "gpt4 is not provider:model"),
        ("gpt-4.1", "openai:gpt-4.1 needs OPENAI_API_KEY"),
        ("acme:model", "unknown provider 'acme'"),
    ]:
        response = client.post(f"/api/sessions/{session_id}/scorecard", json={"judge": judge})
        assert response.status_code == 422 and message in response.json()["detail"]
    bad = client.post(f"/api/sessions/{session_id}/scorecard", json={"samples": 9})
    assert bad.status_code == 422
    assert client.get(f"/api/sessions/{session_id}/scorecard").status_code == 404


def test_only_the_owner_sees_or_grades_a_session(app, client, clock):
    session_id = played_session(client, clock, "url-shortener__weak.json")
    client.post(f"/api/sessions/{session_id}/scorecard", json={"judge": "offline"})
    wait_for_card(client, session_id)
    with TestClient(app) as stranger:
        for path in ("scorecard", "scorecard.md", "scorecard.json", "export.json"):
            assert stranger.get(f"/api/sessions/{session_id}/{path}").status_code == 404
        assert stranger.post(f"/api/sessions/{session_id}/scorecard").status_code == 404


def test_a_card_that_could_not_be_graded_has_no_verdict_anywhere_and_can_be_regraded(
    settings, clock
):
    from interviewer.offline import OfflineInterviewer
    from web.app import make_app

    settings = settings.model_copy(update={"openai_base_url": "https://judge.test/v1"})
    app = make_app(settings, clock=clock, interviewer=OfflineInterviewer())
    with respx.mock(assert_all_mocked=True) as mock, TestClient(app) as client:
        mock.post("https://judge.test/v1/chat/completions").mock(
            return_value=httpx.Response(503, json={"error": {"message": "overloaded"}})
        )
        session_id = played_session(client, clock, "url-shortener__medium.json")
        started = client.post(
            f"/api/sessions/{session_id}/scorecard", json={"judge": "openai:judge-model"}
        )
        assert started.status_code == 202
        card = wait_for_card(client, session_id)["scorecard"]
        assert card["recommendation"] is None and card["score"] is None
        assert card["complete"] is False
        assert card["incomplete"]["message"] == (
            "incomplete: 9 of 10 dimensions could not be graded"
        )
        assert len(card["incomplete"]["causes"]) == 9

        page = client.get(f"/scorecard/{session_id}").text
        assert "No recommendation" in page and 'id="incomplete-causes"' in page
        assert 'id="grade"' in page and "Strong hire" not in page and "/100" not in page
        markdown = client.get(f"/api/sessions/{session_id}/scorecard.md").text
        assert "**No recommendation**" in markdown and "/100" not in markdown
        history = client.get("/api/history").json()
        [row] = [s for s in history["sessions"] if s["id"] == session_id]
        assert row["incomplete"] is True and row["recommendation"] is None
        assert row["score"] is None and history["best_scores"] == {}

        # Grade again once the judge is reachable: the offline judge gives a verdict.
        again = client.post(f"/api/sessions/{session_id}/scorecard", json={"judge": "offline"})
        assert again.status_code == 202
        regraded = wait_for_card(client, session_id)["scorecard"]
        assert regraded["recommendation"] is not None and regraded["complete"] is True
