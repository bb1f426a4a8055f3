"""Hidden facts, reference estimates and key points never reach the candidate before grading."""

from __future__ import annotations

import pytest

from problems.loader import load_bank
from tests.web.sse import read_stream

BANK = load_bank()


def secrets_of(problem) -> list[str]:
    texts = [fact.answer for fact in problem.hidden_facts]
    texts += [estimate.formula for estimate in problem.reference_estimates]
    texts += [estimate.note for estimate in problem.reference_estimates if estimate.note]
    texts += [point.point for points in problem.key_points.values() for point in points]
    texts += [dive.why for dive in problem.deep_dives]
    texts += [curveball.strong_response for curveball in problem.curveballs]
    texts += list(problem.pitfalls)
    texts += [problem.level_expectations.senior]
    return texts


@pytest.fixture
def candidate_surfaces(client):
    listing = client.get("/api/problems").text
    page = client.get("/").text
    return listing, page


@pytest.mark.parametrize("problem", list(BANK), ids=lambda p: p.id)
def test_no_secret_reaches_the_candidate(client, candidate_surfaces, problem):
    single = client.get(f"/api/problems/{problem.id}")
    assert set(single.json()) == {"id", "title", "category", "difficulty", "tags", "statement"}
    session = client.post("/api/sessions", json={"problem_id": problem.id}).json()
    opening = read_stream(client, session["id"])[-1].data["message"]["text"]
    room = client.get(f"/interview/{session['id']}").text
    surfaces = [*candidate_surfaces, single.text, str(session), opening, room]
    for secret in secrets_of(problem):
        for surface in surfaces:
            assert secret not in surface, secret
