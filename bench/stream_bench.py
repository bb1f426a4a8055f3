"""Streaming benchmark: latency the server adds to every token, side by side with a bare relay.

    .venv/bin/python -m bench.stream_bench [--quick] [--levels 1,50,100] [--rounds 2]
        [--database-url URL]

Starts three kinds of process on loopback: a fake OpenAI-compatible upstream that stamps every
token with its emission time (bench/fake_upstream.py), the project (`interview serve` pointed at
the upstream through OPENAI_BASE_URL) and a bare relay (bench/bare_relay.py). This process is
the client: plain asyncio sockets on uvloop, so the harness itself stays cheap. It prints:

1. the project (post a message, follow the session's /events feed) at 1, 50, 100, 200 and
   300 concurrent replies, each streaming 50 tokens/s: added latency per token p50/p99, delivered
   vs offered tokens/s;
2. the bare relay under the same loads;
3. a realistic mix: 500 live sessions, about one in five receiving a reply at any moment while
   the others post, fetch transcripts or the clock, or idle: added-latency p99, API p99, errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
STAMP = re.compile(rb"(\d{10}\.\d{6}) ")
TOKENS_PER_REPLY = 50
RATE = 50.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- a minimal HTTP/1.1 client -------------------------------------------------------------------


class Http:
    def __init__(self, port: int) -> None:
        self.port = port

    async def _open(self, method: str, path: str, body: bytes | None, headers: dict[str, str]):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines += [f"{key}: {value}" for key, value in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        response_headers = {}
        for line in head.decode("latin-1").split("\r\n")[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                response_headers.setdefault(key.strip().lower(), []).append(value.strip())
        return reader, writer, status, response_headers

    async def request(self, method: str, path: str, payload=None, headers=None):
        body = json.dumps(payload).encode() if payload is not None else None
        reader, writer, status, response_headers = await self._open(
            method, path, body, headers or {}
        )
        data = b"".join([chunk async for chunk in _body(reader, response_headers)])
        writer.close()
        return status, response_headers, data

    async def stream(self, method: str, path: str, payload=None, headers=None):
        """Yield (receive_time, bytes) as the body arrives."""
        body = json.dumps(payload).encode() if payload is not None else None
        reader, writer, status, response_headers = await self._open(
            method, path, body, headers or {}
        )
        if status != 200:
            writer.close()
            raise RuntimeError(f"{path}: HTTP {status}")
        try:
            async for chunk in _body(reader, response_headers):
                yield time.time(), chunk
        finally:
            writer.close()


async def _body(reader: asyncio.StreamReader, headers: dict):
    if "chunked" in ",".join(headers.get("transfer-encoding", [])):
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return
            yield await reader.readexactly(size)
            await reader.readexactly(2)
    elif "content-length" in headers:
        yield await reader.readexactly(int(headers["content-length"][0]))
    else:
        while chunk := await reader.read(65536):
            yield chunk


# -- measurements ---------------------------------------------------------------------------------


@dataclass
class Recorder:
    latencies_ms: list[float] = field(default_factory=list)
    api_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    tokens: int = 0
    measuring: bool = False
    elapsed: float = 0.0
    rounds: list[float] = field(default_factory=list)  # delivered tok/s of each round
    stolen: float | None = None  # the share of the host's CPU time its hypervisor took

    def token(self, received: float, stamp: bytes) -> None:
        if self.measuring:
            self.latencies_ms.append((received - float(stamp)) * 1000)
            self.tokens += 1


def cpu_times() -> tuple[int, int] | None:
    """(steal, total) jiffies of all CPUs so far, from Linux's /proc/stat; None elsewhere.
    Steal is time a virtual machine's CPUs were ready to run but the host ran someone else."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    steal = fields[7] if len(fields) > 7 else 0
    return steal, sum(fields[:8])


def stolen_between(before: tuple[int, int] | None, after: tuple[int, int] | None):
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


async def measured(run, *args) -> Recorder:
    """``run(*args)``, noting how much CPU time the host stole meanwhile."""
    before = cpu_times()
    recorder = await run(*args)
    recorder.stolen = stolen_between(before, cpu_times())
    return recorder


def combined(rounds: list[Recorder]) -> Recorder:
    """Several rounds of one level as one: every latency, every token over the summed time."""
    result = Recorder()
    for recorder in rounds:
        result.latencies_ms += recorder.latencies_ms
        result.api_ms += recorder.api_ms
        result.errors += recorder.errors
        result.tokens += recorder.tokens
    result.elapsed = sum(recorder.elapsed for recorder in rounds)
    result.rounds = [recorder.tokens / recorder.elapsed for recorder in rounds]
    stolen = [recorder.stolen for recorder in rounds if recorder.stolen is not None]
    result.stolen = max(stolen) if stolen else None
    return result


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- processes ------------------------------------------------------------------------------------


@contextlib.contextmanager
def process(
    args: list[str], env: dict | None = None, cwd: Path | None = None, log: Path | None = None
):
    stderr = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        args,
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not None:
            stderr.close()


async def wait_listening(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


# -- the project ----------------------------------------------------------------------------------


class ProjectSession:
    def __init__(self, http: Http, recorder: Recorder) -> None:
        self.http, self.recorder = http, recorder
        self.cookie = ""
        self.id = ""
        self.replies_done = asyncio.Queue()
        self.dead = False  # its /events feed ended: it takes no further part

    async def create(self) -> None:
        status, headers, body = await self.http.request(
            "POST", "/api/sessions", {"problem_id": "llm-inference-serving"}
        )
        if status != 201:
            raise RuntimeError(f"create session: HTTP {status} {body[:200]!r}")
        self.cookie = headers["set-cookie"][0].split(";", 1)[0]
        self.id = json.loads(body)["id"]

    async def follow(self) -> None:
        """Follow /events; a feed that ends or fails is an error, and releases its waiter."""
        try:
            await self._follow()
            self.recorder.errors.append("the /events feed ended")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.recorder.errors.append(f"the /events feed failed: {exc!r}"[:200])
        self.dead = True
        self.replies_done.put_nowait(time.time())  # nobody waits forever for a dead feed

    async def _follow(self) -> None:
        """Follow /events for good; note every token and every finished reply."""
        buffer = b""
        path = f"/api/sessions/{self.id}/events"
        async for received, chunk in self.http.stream("GET", path, headers={"Cookie": self.cookie}):
            buffer += chunk
            *blocks, buffer = buffer.split(b"\n\n")
            for block in blocks:
                if block.startswith(b"id:") or b"\nevent: " in block or block.startswith(b"event:"):
                    if b"event: token" in block:
                        match = STAMP.search(block)
                        if match:
                            self.recorder.token(received, match.group(1))
                    elif b"event: done" in block:
                        self.replies_done.put_nowait(received)
                    elif b"event: error" in block or b"event: interrupted" in block:
                        self.recorder.errors.append(block.decode(errors="replace")[:200])
                        self.replies_done.put_nowait(received)

    async def say(self, text: str) -> bool:
        started = time.perf_counter()
        status, _, body = await self.http.request(
            "POST",
            f"/api/sessions/{self.id}/messages",
            {"text": text, "client_id": uuid.uuid4().hex},
            headers={"Cookie": self.cookie},
        )
        self.recorder.api_ms.append((time.perf_counter() - started) * 1000)
        if status not in (200, 201):
            self.recorder.errors.append(f"post: HTTP {status} {body[:120]!r}")
            return False
        return True

    async def get(self, suffix: str) -> None:
        started = time.perf_counter()
        status, _, _ = await self.http.request(
            "GET", f"/api/sessions/{self.id}{suffix}", headers={"Cookie": self.cookie}
        )
        self.recorder.api_ms.append((time.perf_counter() - started) * 1000)
        if status != 200:
            self.recorder.errors.append(f"GET {suffix}: HTTP {status}")


QUESTION = "What peak QPS and p95 latency should I plan for, and what is the GPU budget?"


async def project_streams(port: int, concurrency: int, seconds: float) -> Recorder:
    """``concurrency`` sessions, each asking again as soon as a reply is done."""
    http, recorder = Http(port), Recorder()
    sessions = [ProjectSession(http, recorder) for _ in range(concurrency)]
    for start in range(0, concurrency, 50):
        await asyncio.gather(*(s.create() for s in sessions[start : start + 50]))
    followers = [asyncio.create_task(s.follow()) for s in sessions]
    await asyncio.gather(*(s.replies_done.get() for s in sessions))  # the openings

    async def converse(session: ProjectSession, deadline: float) -> None:
        await asyncio.sleep(random.random())  # spread the turns over a second
        while time.monotonic() < deadline and not session.dead:
            if await session.say(QUESTION):
                await session.replies_done.get()
            else:
                await asyncio.sleep(0.1)  # not a busy loop of refused posts

    recorder.measuring = True
    started = time.monotonic()
    await asyncio.gather(*(converse(s, started + seconds) for s in sessions))
    recorder.measuring = False
    recorder.elapsed = time.monotonic() - started
    for task in followers:
        task.cancel()
    return recorder


async def project_mix(port: int, sessions_count: int, seconds: float) -> Recorder:
    """Live sessions that mostly think, sometimes ask, and look at their transcript or clock."""
    http, recorder = Http(port), Recorder()
    sessions = [ProjectSession(http, recorder) for _ in range(sessions_count)]
    followers = []
    for start in range(0, sessions_count, 25):  # stagger the openings
        batch = sessions[start : start + 25]
        await asyncio.gather(*(s.create() for s in batch))
        followers += [asyncio.create_task(s.follow()) for s in batch]
        await asyncio.sleep(0.4)
    await asyncio.gather(*(s.replies_done.get() for s in sessions))

    async def live(session: ProjectSession, deadline: float) -> None:
        await asyncio.sleep(random.uniform(0, 4))
        while time.monotonic() < deadline and not session.dead:
            roll = random.random()
            if roll < 0.55:
                if await session.say(QUESTION):
                    await session.replies_done.get()
            elif roll < 0.8:
                await session.get("/transcript")
            else:
                await session.get("/clock")
            await asyncio.sleep(random.uniform(2, 6))  # thinking, typing

    recorder.measuring = True
    started = time.monotonic()
    await asyncio.gather(*(live(s, started + seconds) for s in sessions))
    recorder.measuring = False
    recorder.elapsed = time.monotonic() - started
    for task in followers:
        task.cancel()
    return recorder


# -- the bare relay -------------------------------------------------------------------------------


async def relay_streams(port: int, concurrency: int, seconds: float) -> Recorder:
    http, recorder = Http(port), Recorder()

    async def worker(deadline: float) -> None:
        await asyncio.sleep(random.random())
        while time.monotonic() < deadline:
            buffer = b""
            try:
                async for received, chunk in http.stream("POST", "/relay", {"stream": True}):
                    buffer += chunk
                    *blocks, buffer = buffer.split(b"\n\n")
                    for block in blocks:
                        match = STAMP.search(block)
                        if match:
                            recorder.token(received, match.group(1))
            except (OSError, RuntimeError, asyncio.IncompleteReadError) as exc:
                recorder.errors.append(f"relay stream failed: {exc!r}"[:200])
                await asyncio.sleep(0.1)

    recorder.measuring = True
    started = time.monotonic()
    await asyncio.gather(*(worker(started + seconds) for _ in range(concurrency)))
    recorder.elapsed = time.monotonic() - started
    return recorder


# -- the run --------------------------------------------------------------------------------------


def row(name: str, concurrency: int, recorder: Recorder) -> str:
    offered = concurrency * RATE
    delivered = recorder.tokens / recorder.elapsed
    rounds = recorder.rounds
    each = f" ({' / '.join(f'{value:.0f}' for value in rounds)})" if len(rounds) > 1 else ""
    stolen = "n/a" if recorder.stolen is None else f"{recorder.stolen:.0%}"
    return (
        f"| {name} | {concurrency} | {pct(recorder.latencies_ms, 0.5):.1f} | "
        f"{pct(recorder.latencies_ms, 0.99):.1f} | {offered:.0f} | {delivered:.0f}{each} | "
        f"{len(recorder.errors)} | {stolen} |"
    )


def goals(rows: dict[str, dict[int, Recorder]], mix: Recorder) -> list[str]:
    """Issue 5's goals, checked against this run's figures."""

    def p99(recorder: Recorder) -> float:
        return pct(recorder.latencies_ms, 0.99)

    def delivered(recorder: Recorder) -> float:
        return recorder.tokens / recorder.elapsed

    def highest(server: str) -> tuple[int, float] | None:
        """The level that delivered the most tokens/s with p99 under 100 ms and no errors
        (past saturation, more replies deliver no more, or less)."""
        passing = [
            (level, delivered(r))
            for level, r in rows[server].items()
            if p99(r) < 100 and not r.errors
        ]
        return max(passing, key=lambda pair: (pair[1], pair[0])) if passing else None

    project = rows["project"]
    lines = []
    if 1 in project:
        value = pct(project[1].latencies_ms, 0.5)
        lines.append(f"- one stream p50 under 5 ms: {value:.1f} ms, {_verdict(value < 5)}")
    if 100 in project:
        value = p99(project[100])
        lines.append(f"- 100 streams p99 under 50 ms: {value:.1f} ms, {_verdict(value < 50)}")
    mine, floor = highest("project"), highest("relay")
    if mine and floor:
        ratio = mine[1] / floor[1]
        lines.append(
            f"- highest load with p99 under 100 ms, at least 80% of the relay's: project "
            f"{mine[0]} replies ({mine[1]:.0f} tok/s delivered), relay {floor[0]} replies "
            f"({floor[1]:.0f} tok/s): {ratio:.0%}, {_verdict(ratio >= 0.8)}"
        )
    if mix is not None:
        value = p99(mix)
        ok = value < 100 and not mix.errors
        lines.append(
            f"- the 500-session mix, p99 under 100 ms and no errors: {value:.1f} ms, "
            f"{len(mix.errors)} errors, {_verdict(ok)}"
        )
    return lines


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


async def main(
    quick: bool, levels: list[int] | None, database_url: str | None, rounds: int = 1
) -> None:
    import uvloop  # noqa: F401  (the harness runs on uvloop; see __main__)

    seconds = 5.0 if quick else 10.0
    levels = levels or ([1, 50, 100] if quick else [1, 50, 100, 200, 300])
    rows: dict[str, dict[int, Recorder]] = {"project": {}, "relay": {}}
    upstream_port, project_port, relay_port = free_port(), free_port(), free_port()
    upstream_url = f"http://127.0.0.1:{upstream_port}/v1"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            "OPENAI_BASE_URL": upstream_url,
            "OPENAI_API_KEY": "bench",
            "INTERVIEWER_MODEL": "openai:bench",
            "DATA_DIR": data_dir,
            "PORT": str(project_port),
            "SESSION_TOKEN_BUDGET": "100000000",
        }
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        upstream_cmd = [PYTHON, "-m", "bench.fake_upstream", str(upstream_port)]
        relay_cmd = [
            PYTHON,
            "-m",
            "bench.bare_relay",
            str(relay_port),
            f"{upstream_url}/chat/completions",
        ]
        serve_cmd = [str(Path(PYTHON).with_name("interview")), "serve", "--log-level", "warning"]
        server_log = Path(data_dir) / "serve.log"
        with (
            process(upstream_cmd),
            process(relay_cmd),
            process(serve_cmd, env=env, cwd=Path(data_dir), log=server_log),
        ):
            for port in (upstream_port, relay_port, project_port):
                await wait_listening(port)
            database = "PostgreSQL" if database_url else "SQLite"
            print(
                f"# {os.cpu_count()} cores; each reply streams {TOKENS_PER_REPLY} tokens "
                f"at {RATE:.0f} tokens/s; {rounds} round(s) of {seconds:.0f} s per level and "
                f"server, interleaved; the project on {database}"
            )
            print(
                "| server | concurrent replies | added p50 ms | added p99 ms "
                "| offered tok/s | delivered tok/s | errors | CPU stolen by the host |"
            )
            print("|---|---|---|---|---|---|---|---|")
            for level in levels:
                relays, projects = [], []
                for _ in range(rounds):  # interleaved, so a slow spell of the host hits both
                    relays.append(await measured(relay_streams, relay_port, level, seconds))
                    projects.append(await measured(project_streams, project_port, level, seconds))
                relay = rows["relay"][level] = combined(relays)
                print(row("bare relay", level, relay), flush=True)
                project = rows["project"][level] = combined(projects)
                print(row("project (/events)", level, project), flush=True)
                for error in project.errors[:3]:
                    print(f"    error: {error}")
                if project.errors:
                    print_log_tail(server_log)
            mix_sessions = 200 if quick else 500
            mix = await measured(project_mix, project_port, mix_sessions, 20.0 if quick else 40.0)
            print()
            stolen = "" if mix.stolen is None else f"; the host stole {mix.stolen:.0%} of the CPU"
            print(f"Mix: {mix_sessions} live sessions for {mix.elapsed:.0f} s{stolen}")
            print(
                f"- tokens delivered: {mix.tokens} ({mix.tokens / mix.elapsed:.0f}/s); "
                f"added latency p50 {pct(mix.latencies_ms, 0.5):.1f} ms, "
                f"p99 {pct(mix.latencies_ms, 0.99):.1f} ms"
            )
            print(
                f"- API calls: {len(mix.api_ms)}; p50 {pct(mix.api_ms, 0.5):.1f} ms, "
                f"p99 {pct(mix.api_ms, 0.99):.1f} ms; errors: {len(mix.errors)}"
            )
            for error in mix.errors[:5]:
                print(f"    error: {error}")
            if mix.errors:
                print_log_tail(server_log)
            print()
            print("Against the goals of issue 5:")
            for line in goals(rows, mix if not quick else None):
                print(line)


def print_log_tail(log: Path, lines: int = 15) -> None:
    tail = log.read_text(errors="replace").splitlines()[-lines:] if log.exists() else []
    for line in tail:
        print(f"    server: {line}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer levels, shorter runs")
    parser.add_argument(
        "--levels",
        type=lambda text: [int(part) for part in text.split(",")],
        help="concurrent replies per level, comma-separated (default 1,50,100,200,300)",
    )
    parser.add_argument(
        "--database-url", help="run the project on this database (say, PostgreSQL) instead"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="rounds per level, relay and project taking turns (default 2; 1 with --quick)",
    )
    arguments = parser.parse_args()
    rounds = arguments.rounds or (1 if arguments.quick else 2)
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    import uvloop

    uvloop.run(main(arguments.quick, arguments.levels, arguments.database_url, rounds))
