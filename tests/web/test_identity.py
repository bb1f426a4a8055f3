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


def test_a_cookie_header_is_verified_once_and_each_header_read_on_its_own_merits():
    import asyncio

    from web.identity import IdentityMiddleware

    seen: list[str | None] = []

    async def app(scope, receive, send):
        seen.append(scope["state"]["owner_id"])

    middleware = IdentityMiddleware(app, secret_key="k")
    good = f"{COOKIE_NAME}={middleware.signer.sign('owner-1').decode()}".encode()
    forged = f"{COOKIE_NAME}=owner-1.forged".encode()
    unsigned = []
    real_unsign = middleware.signer.unsign
    middleware.signer.unsign = lambda value: unsigned.append(value) or real_unsign(value)

    def call(*cookie_headers):
        scope = {"type": "http", "headers": [(b"cookie", value) for value in cookie_headers]}
        asyncio.run(middleware(scope, None, None))
        return seen[-1]

    assert call(good) == "owner-1" and call(good) == "owner-1"
    assert len(unsigned) == 1  # the second request reused the first one's verification
    assert call(b"other=1", good) == "owner-1"  # a header without the identity is skipped
    first, second = call(forged), call(forged)
    assert first != "owner-1" and second != "owner-1" and first != second  # fresh each time
    assert call(b"\x00bad cookie") != "owner-1"
