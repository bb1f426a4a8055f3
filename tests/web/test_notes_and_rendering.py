"""Design notes over HTTP, safe Markdown rendering, and the security headers."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from tests.web.sse import read_stream
from web.render import render_markdown


def session(client) -> str:
    session_id = client.post("/api/sessions", json={"problem_id": "url-shortener"}).json()["id"]
    read_stream(client, session_id)
    return session_id


def test_notes_are_saved_as_versions_and_reach_the_grader(client, clock):
    session_id = session(client)
    assert client.get(f"/api/sessions/{session_id}/notes").json()["text"] == ""
    first = client.put(f"/api/sessions/{session_id}/notes", json={"text": "graph LR\n a --> b"})
    assert first.status_code == 200 and first.json()["seq"]
    clock.advance(seconds=30)
    again = client.put(f"/api/sessions/{session_id}/notes", json={"text": "graph LR\n a --> b"})
    assert again.json()["seq"] == first.json()["seq"], "unchanged notes are not stored twice"
    client.put(f"/api/sessions/{session_id}/notes", json={"text": "cache in front of the kv"})
    assert client.get(f"/api/sessions/{session_id}/notes").json()["text"] == (
        "cache in front of the kv"
    )
    exported = client.get(f"/api/sessions/{session_id}/export.json").json()
    assert exported["notes"] == "cache in front of the kv"


def test_bad_notes_are_refused_and_others_cannot_touch_them(app, client):
    session_id = session(client)
    too_long = client.put(f"/api/sessions/{session_id}/notes", json={"text": "x" * 20_001})
    assert too_long.status_code == 422
    assert client.put(f"/api/sessions/{session_id}/notes", json={}).status_code == 422
    with TestClient(app) as stranger:
        assert stranger.get(f"/api/sessions/{session_id}/notes").status_code == 404
        assert (
            stranger.put(f"/api/sessions/{session_id}/notes", json={"text": "mine"}).status_code
            == 404
        )


@pytest.mark.parametrize(
    "payload",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<svg onload=alert(1)>",
        "![pixel](https://evil.example/p.png)",
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_rendered_markdown_keeps_no_executable_or_remote_content(payload):
    html = render_markdown(f"before {payload} after")
    tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, attrs))

    Collect().feed(html)
    for tag, attrs in tags:
        assert tag not in {"img", "script", "svg", "iframe", "object", "style"}, html
        for name, value in attrs:
            assert not name.startswith("on"), html
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:")), html
    assert "before" in html and "after" in html


def test_markdown_still_renders_what_it_should():
    html = render_markdown("**Sharding** by `code`:\n\n- one\n- two\n\n[docs](https://example.com)")
    assert "<strong>Sharding</strong>" in html and "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_messages_carry_sanitised_html(client):
    session_id = session(client)
    posted = client.post(
        f"/api/sessions/{session_id}/messages", json={"text": "**50 TB** <script>x</script>"}
    ).json()
    assert "<strong>50 TB</strong>" in posted["html"] and "<script" not in posted["html"]
    done = read_stream(client, session_id)[-1]
    assert done.event == "done" and done.data["message"]["html"].startswith("<p>")


@pytest.mark.parametrize("path", ["/", "/history", "/api/problems", "/healthz"])
def test_every_response_has_a_strict_content_security_policy(client, path):
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    script_src = policy.split("script-src")[1].split(";")[0]
    assert script_src.strip() == "'self'"
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"


def test_pages_load_scripts_only_from_files(client, clock):
    session_id = session(client)
    for path in (
        "/",
        "/start/url-shortener",
        f"/interview/{session_id}",
        "/history",
        f"/scorecard/{session_id}",
        f"/replay/{session_id}",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        body = page.text
        assert body.count("<script") == body.count("<script src="), path
        assert " onclick=" not in body and " onload=" not in body, path


def test_setup_page_offers_only_configured_models_and_404s_unknown_problems(client):
    page = client.get("/start/url-shortener").text
    assert 'value="offline"' in page and "openai:" not in page
    assert client.get("/start/no-such-problem").status_code == 404


def test_the_vendored_diagram_library_is_served_compressed_or_plain(client):
    packed = client.get("/static/vendor/mermaid.min.js", headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200 and packed.headers["content-encoding"] == "gzip"
    assert packed.headers["content-type"].startswith("text/javascript")
    plain = client.get("/static/vendor/mermaid.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == packed.content and len(plain.content) > 5_000_000
    assert b"mermaid" in plain.content[:5000].lower()


def test_the_plain_prose_fast_path_renders_exactly_what_commonmark_does():
    import random

    from web.render import _MARKDOWN, _plain_html

    alphabet = "ab Z9 0 1 2 .,;:?!'\"%$/()@^\n\n é’“—…" + "*_#-+>|`[]<&=~\\\t"
    generator = random.Random(5)
    checked = 0
    for _ in range(20_000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 30)))
        fast = _plain_html(text)
        if fast is not None:
            assert fast == _MARKDOWN.render(text), repr(text)
            checked += 1
    assert checked > 1_000  # the fast path is taken often enough to be tested
    for text in ["1. a list", "2) another", "  indented", "line  \nbreak", "a *b*", "x\n    y"]:
        assert _plain_html(text) is None, text


def test_the_plain_prose_check_admits_exactly_alphanumerics_and_the_plain_marks():
    from web.render import _NOT_PLAIN, _PLAIN_MARKS

    wrong = [
        code
        for code in range(0x110000)
        if (chr(code).isalnum() or chr(code) in _PLAIN_MARKS) == bool(_NOT_PLAIN.search(chr(code)))
    ]
    assert wrong == []
