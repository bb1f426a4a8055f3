"""An interviewer that holds its reply until the test lets it go (the app runs in a thread)."""

from __future__ import annotations

import asyncio
import threading

from interviewer.base import ReplyMeta
from interviewer.usage import Usage


class Gate:
    model_id = price_key = "offline"
    offline = True

    def __init__(self, text: str = "Opening words.") -> None:
        self.text = text
        self.started = threading.Event()
        self._open = threading.Event()
        self.calls = 0

    def release(self) -> None:
        self._open.set()

    def wait_until_started(self, timeout: float = 5) -> None:
        assert self.started.wait(timeout), "the reply never started"

    async def stream_reply(self, context):
        self.calls += 1
        self.started.set()
        yield "Opening "
        while not self._open.is_set():
            await asyncio.sleep(0.005)
        yield self.text.removeprefix("Opening ")
        yield ReplyMeta(usage=Usage(0, 0, 2, "counted"))
