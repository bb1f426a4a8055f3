"""Your progress: GET /api/history, the history page and best scores on the problem picker."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from problems.loader import load_bank
from rubrics.suggest import drill_score
from tests.web.test_scorecards_api import played_session, wait_for_card

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def graded_session(client, clock, transcript: str) -> dict:
    session_id = played_session(client, clock, transcript)
    client.post(f"/api/sessions/{session_id}/scorecard", json={"judge": "offline"})
    return wait_for_card(client, session_id)["scorecard"]


@pytest.fixture
def two_graded(client, clock) -> list[dict]:
    """A weak then a medium url-shortener session, both graded, the weak one first."""
    return [
        graded_session(client, clock, "url-shortener__weak.json"),
        graded_session(client, clock, "url-shortener__medium.json"),
    ]


def test_an_empty_history_has_no_sessions_and_suggests_a_first_problem(client):
    body = client.get("/api/history").json()
    assert body["sessions"] == [] and body["overall"] == [] and body["weakest"] == []
    assert body["best_scores"] == {}
    assert len(body["trend"]) == 10 and all(s["points"] == [] for s in body["trend"])
    assert body["suggestion"]["dimension"] is None
    assert body["suggestion"]["reason"].startswith("Nothing graded yet")

    page = client.get("/history")
    assert page.status_code == 200
    assert "Nothing graded yet" in page.text and "<svg" not in page.text
    assert f'href="/start/{body["suggestion"]["problem_id"]}"' in page.text


def test_an_ungraded_session_is_listed_without_a_score(client, clock):
    session_id = played_session(client, clock, "url-shortener__weak.json", turns=2)
    body = client.get("/api/history").json()
    [session] = body["sessions"]
    assert session["id"] == session_id and session["problem_title"] == "URL shortener"
    assert session["score"] is None and session["recommendation"] is None
    assert body["overall"] == [] and body["best_scores"] == {}
    assert "Finish an interview" in client.get("/history").text


def test_graded_sessions_give_a_trend_per_dimension_in_date_order(client, two_graded):
    weak, medium = two_graded
    body = client.get("/api/history").json()
    assert [s["id"] for s in body["sessions"]] == [medium["session_id"], weak["session_id"]]
    newest = body["sessions"][0]
    assert newest["score"] == medium["score"]
    assert newest["recommendation"] == medium["recommendation"]
    assert newest["minutes"] == 45 and newest["level"] == "senior"
    assert newest["dimensions"] == {d["id"]: d["score"] for d in medium["dimensions"]}

    assert [p["score"] for p in body["overall"]] == [weak["score"], medium["score"]]
    assert [p["at"] for p in body["overall"]] == sorted(p["at"] for p in body["overall"])
    estimation = next(s for s in body["trend"] if s["id"] == "estimation")
    assert estimation["title"] == "Back-of-envelope estimation"
    assert [p["session_id"] for p in estimation["points"]] == [
        weak["session_id"],
        medium["session_id"],
    ]
    assert body["best_scores"] == {"url-shortener": max(weak["score"], medium["score"])}


def test_the_suggestion_drills_the_weakest_dimension(client, two_graded):
    body = client.get("/api/history").json()
    means = {}
    for card in two_graded:
        for d in card["dimensions"]:
            if d["score"] is not None:
                means.setdefault(d["id"], []).append(d["score"])
    lowest = min(sum(scores) / len(scores) for scores in means.values())
    weakest = body["weakest"][0]
    assert weakest["mean"] == pytest.approx(lowest, abs=0.01)

    suggestion = body["suggestion"]
    assert suggestion["dimension"] == weakest["id"]
    assert suggestion["problem_id"] != "url-shortener"  # not attempted yet comes first
    bank = {problem.id: problem for problem in load_bank()}
    best_drill = max(drill_score(p, weakest["id"]) for p in bank.values())
    assert drill_score(bank[suggestion["problem_id"]], weakest["id"]) == best_drill
    assert suggestion["reason"].startswith(f"Your weakest area is {weakest['title']}")


def test_the_history_page_charts_the_trend_and_links_each_session(client, two_graded):
    page = client.get("/history")
    assert page.status_code == 200
    text = page.text
    assert 'role="img"' in text and '<title id="trend-title">' in text and "<desc" in text
    assert text.count("<polyline") == 11  # ten dimensions and the overall score
    assert text.count('type="checkbox"') == 11  # the legend
    for card in two_graded:
        for kind in ("interview", "scorecard", "replay"):
            assert f'href="/{kind}/{card["session_id"]}"' in text
    suggestion = client.get("/api/history").json()["suggestion"]
    assert f'href="/start/{suggestion["problem_id"]}"' in text
    assert "Weakest dimensions" in text
    assert client.get("/static/history.js").status_code == 200


def test_the_picker_shows_the_best_score_and_start_links(client, two_graded):
    best = max(card["score"] for card in two_graded)
    page = client.get("/").text
    card = page.split('data-problem-id="url-shortener"')[1].split('class="problem"')[0]
    assert f"Best: {best:.0f}/100" in card
    assert page.count("Best: ") == 1
    assert page.count('href="/start/') == 30 and 'href="/start/url-shortener"' in page
    assert 'id="setup"' not in page and 'href="/history"' in page
    assert page.count('class="problem"') == 30
    for name in ('name="q"', 'name="category"', 'name="difficulty"', 'name="tag"'):
        assert name in page
    assert '<option value="read-heavy">read-heavy</option>' in page


def test_another_identity_sees_nothing_of_yours(app, client, two_graded):
    with TestClient(app) as stranger:
        body = stranger.get("/api/history").json()
        assert body["sessions"] == [] and body["best_scores"] == {} and body["overall"] == []
        page = stranger.get("/history").text
        assert all(card["session_id"] not in page for card in two_graded)
        assert "Best: " not in stranger.get("/").text


@pytest.mark.parametrize("path", ["/", "/history"])
def test_pages_render_without_inline_scripts(client, clock, path):
    graded_session(client, clock, "url-shortener__weak.json")
    page = client.get(path)
    assert page.status_code == 200
    assert INLINE_SCRIPT.search(page.text) is None
    assert "<script src=" in page.text
