"""End-to-end check: start `interview serve` for real, then talk to it over HTTP and SSE.

Run with `make check-e2e` (or `python scripts/e2e_check.py`). It starts the server on a free
port with a throwaway data directory, creates a session, streams the opening, posts a message,
streams the reply, checks the transcript, restarts the server on the same database with the
scripted fake model as its interviewer (``INTERVIEWER_MODEL=fake:scripted``: the model path,
no network), checks that the conversation is still there, and streams a second session from the
fake model. Exits non-zero with a one-line reason on any failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from httpx_sse import connect_sse

ROOT = Path(__file__).resolve().parents[1]
INTERVIEW = Path(sys.executable).with_name("interview")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, port: int, model: str = "offline"):
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "OFFLINE_TOKEN_DELAY": "0.001",
        "INTERVIEWER_MODEL": model,
    }
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "DATABASE_URL"):
        env.pop(key, None)
    log_path = data_dir / f"server-{port}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(INTERVIEW), "serve", "--log-level", "warning"],
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /healthz within 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stream(client: httpx.Client, session_id: str) -> list[tuple[str, dict]]:
    with connect_sse(client, "GET", f"/api/sessions/{session_id}/stream") as source:
        source.response.raise_for_status()
        return [(sse.event, json.loads(sse.data)) for sse in source.iter_sse()]


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        port = free_port()
        with (
            running_server(data_dir, port) as base,
            httpx.Client(base_url=base, timeout=10) as client,
        ):
            page = client.get("/")
            check(page.status_code == 200 and "URL shortener" in page.text, "problem list page")
            check("Offline interviewer" in page.text, "the page says the interviewer is offline")
            created = client.post("/api/sessions", json={"problem_id": "url-shortener"})
            check(created.status_code == 201, f"create session: {created.status_code}")
            session_id = created.json()["id"]
            check(client.get(f"/interview/{session_id}").status_code == 200, "interview page")

            opening = stream(client, session_id)
            tokens = [data["text"] for event, data in opening if event == "token"]
            check(opening[-1][0] == "done", "opening ends with done")
            check(len(tokens) > 20, "opening streamed in many tokens")

            posted = client.post(
                f"/api/sessions/{session_id}/messages",
                json={"text": "What read/write ratio should I expect?"},
            )
            check(posted.status_code == 201, f"post message: {posted.status_code}")
            reply = stream(client, session_id)
            check(reply[-1][0] == "done", "reply ends with done")
            check("10 to 1" in reply[-1][1]["message"]["text"], "reply answers from hidden facts")
            cookies = dict(client.cookies)

        with (
            running_server(data_dir, port, model="fake:scripted") as base,
            httpx.Client(base_url=base, timeout=10, cookies=cookies) as client,
        ):
            transcript = client.get(f"/api/sessions/{session_id}/transcript").json()
            roles = [message["role"] for message in transcript]
            check(roles == ["interviewer", "candidate", "interviewer"], f"after restart: {roles}")
            created = client.post("/api/sessions", json={"problem_id": "rate-limiter"})
            check(created.status_code == 201, f"create a fake-model session: {created.status_code}")
            fake_session = created.json()
            check(fake_session["interviewer_model"] == "fake:scripted", "the fake model is chosen")
            opening = stream(client, fake_session["id"])
            events = [event for event, _ in opening]
            check(events[-1] == "done" and "token" in events, f"fake model stream: {events}")
            clock = client.get(f"/api/sessions/{fake_session['id']}").json()
            check(clock["messages"][0]["role"] == "interviewer", "the fake model's reply is stored")
    return {
        "session": session_id,
        "opening_tokens": len(tokens),
        "messages": len(transcript),
        "fake_model_events": len(opening),
    }


def main() -> int:
    try:
        result = run()
    except Exception as exc:
        print(f"e2e check FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"e2e check passed: {result}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
