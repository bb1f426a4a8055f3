"""Interviewers that hold their reply until the test lets them go (the app runs in a thread)."""

from __future__ import annotations

import asyncio
import threading

from interviewer.base import ReplyMeta
from llm.usage import Usage


class Gate:
    """Yields ``before`` pieces, waits for :meth:`release`, then yields ``after`` pieces."""

    model_id = price_key = "offline"
    offline = True

    def __init__(self, before: int = 1, after: int = 1) -> None:
        self.before, self.after = before, after
        self.started = threading.Event()
        self._open = threading.Event()
        self.calls = 0

    def release(self) -> None:
        self._open.set()

    def wait_until_started(self, timeout: float = 5) -> None:
        assert self.started.wait(timeout), "the reply never started"

    @staticmethod
    def words(start: int, stop: int) -> list[str]:
        return [f"w{i} " for i in range(start, stop)]

    def full_text(self) -> str:
        return "".join(self.words(1, self.before + self.after + 1)).strip()

    async def stream_reply(self, context):
        self.calls += 1
        self.started.set()
        for word in self.words(1, self.before + 1):
            yield word
            await asyncio.sleep(0)
        while not self._open.is_set():
            await asyncio.sleep(0.005)
        for word in self.words(self.before + 1, self.before + self.after + 1):
            yield word
            await asyncio.sleep(0)
        yield ReplyMeta(usage=Usage(0, 0, self.before + self.after, "counted"))
