"""Anonymous identity cookies: signed, HttpOnly, and not forgeable."""

from __future__ import annotations

from fastapi.testclient import TestClient

from web.identity import COOKIE_NAME


def test_first_visit_sets_a_signed_httponly_cookie(client):
    response = client.get("/api/problems")
    header = response.headers["set-cookie"]
    assert header.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "." in client.cookies[COOKIE_NAME], "the value carries a signature"


def test_returning_visit_keeps_the_identity_and_sets_no_new_cookie(client):
    client.get("/api/problems")
    response = client.get("/api/problems")
    assert "set-cookie" not in response.headers


def test_a_forged_cookie_gets_a_fresh_identity_not_the_victims(client, app):
    session_id = client.post("/api/sessions", json={"problem_id": "url-shortener"}).json()["id"]
    victim_cookie = client.cookies[COOKIE_NAME]
    victim_id = victim_cookie.rsplit(".", 1)[0]
    with TestClient(app, cookies={COOKIE_NAME: f"{victim_id}.forgedsignature"}) as attacker:
        assert attacker.get(f"/api/sessions/{session_id}").status_code == 404
    with TestClient(app, cookies={COOKIE_NAME: victim_cookie}) as same_browser:
        assert same_browser.get(f"/api/sessions/{session_id}").status_code == 200
