"""Server-owned interviewer turns and live session feeds.

A turn runs as a task owned by the server, not by any connection: it goes on, and is stored,
when the browser goes away. Each reply's pieces go to followers in this process straight from
memory and are flushed to the log in batches (one transaction for all streams every
``flush_interval``), so a follower that reconnects, here or on another replica, can replay them
from the log. Followers resume from any event id (see :mod:`interviewer.feed`) and get every
event after it exactly once, in order.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from interviewer.feed import EventId, FeedBuilder, FeedEvent, in_order, token_events
from interviewer.service import InterviewService
from interviewer.turn_events import ReplyCompleted, ReplyFailed, ReplyInterrupted, TokenStreamed
from llm.usage import token_counter_name
from storage.events import EventType, SessionEvent, SessionRecord

__all__ = ["LiveTurn", "TurnManager"]

logger = logging.getLogger(__name__)
DEFAULT_FLUSH_INTERVAL = 0.25
TICK_SECONDS = 5.0  # how often every follower wakes without news (heartbeats, safety net)
TERMINAL_EVENTS = frozenset({"done", "interrupted", "cancelled", "error"})


@dataclass
class LiveTurn:
    """A reply being generated in this process."""

    session_id: str
    seq: int
    texts: list[str] = field(default_factory=list)
    flushed: int = 0  # how many pieces are in the log already
    settled: bool = False  # its outcome is committed; the task is only tidying up
    # Pieces handed over to be committed with the outcome: ``flushed`` before the hand-over,
    # to go back to if that commit does not happen.
    handed_over_from: int | None = None


def _batch(live: LiveTurn, end: int) -> dict:
    return {"turn": live.seq, "from": live.flushed + 1, "texts": live.texts[live.flushed : end]}


class SessionChannel:
    """Wakes the followers of one session: on every new piece and every log change."""

    def __init__(self, phase_titles: dict[str, str] | None = None) -> None:
        self.log_version = 0
        self.live: LiveTurn | None = None
        self._waiters: list[asyncio.Future] = []  # followers waiting for a change
        # The log as far as followers have read it, shared by all of them and read onward
        # from its last seq, so a wake-up costs one small query, not a full read.
        self.log: list[SessionEvent] = []
        self.followers = 0
        self.stale = True
        self._reading = asyncio.Lock()
        # Each log event converted to feed events once (``_built[i]`` is for ``log[i]``), so
        # a wake-up converts only what is new, not the whole log with every piece ever said.
        self._builder = FeedBuilder(phase_titles)
        self._built: list[list[FeedEvent] | SessionEvent] = []
        self._open_turn: int | None = None

    async def read_log(self, fetch: Callable) -> list[SessionEvent]:
        await self.refresh(fetch)
        return list(self.log)

    def _convert_new(self) -> None:
        for event in self.log[len(self._built) :]:
            if event.type is EventType.REPLY_DELTA:
                # A batch of reply pieces: followers got them from memory as they came, so
                # it is expanded only for one that resumes from before its end.
                self._built.append(event)
                continue
            self._built.append(self._builder.add(event))
            if event.type is EventType.REPLY_STARTED:
                self._open_turn = event.seq
            elif event.type in _OUTCOMES:
                self._open_turn = None

    def open_turn(self) -> int | None:
        """The seq of a reply started in the cached log and not finished there yet."""
        self._convert_new()
        return self._open_turn

    def feed_after(self, cursor: EventId) -> list[FeedEvent]:
        """The feed of the cached log after ``cursor``, in id order.

        Every feed event with an id above ``(S, i)`` comes from a log event with a seq above
        ``S`` (the pieces of reply ``S`` are logged after its start), so only those are read.
        """
        self._convert_new()
        start = bisect.bisect_right(self.log, cursor.seq, key=lambda event: event.seq)
        items: list[FeedEvent] = []
        for built in self._built[start:]:
            if isinstance(built, SessionEvent):
                data = built.data
                last = EventId(data["turn"], data["from"] + len(data["texts"]) - 1)
                if last > cursor:
                    items.extend(token_events(data["turn"], data["texts"], data["from"]))
            else:
                items.extend(built)
        return in_order(items, after=cursor)

    async def refresh(self, fetch: Callable) -> None:
        """Bring the cached log up to date, fetching only what it lacks."""
        async with self._reading:
            if self.stale or not self.log:
                self.stale = False
                after = self.log[-1].seq if self.log else 0
                fetched = await fetch(after)
                # take() may have extended the log while the fetch ran: skip what it added.
                last = self.log[-1].seq if self.log else 0
                self.log.extend(event for event in fetched if event.seq > last)

    def take(self, events: list[SessionEvent]) -> None:
        """Events this process just appended: extend the cached log without a read, if they
        follow on from it; otherwise the next read fetches what is missing."""
        if not self.log:
            # Nothing cached yet. A first read may be in flight and miss these (its query may
            # have run before they were committed): make the next read fetch after it.
            self.stale = True
            return
        last = self.log[-1].seq
        fresh = [event for event in events if event.seq > last]
        if fresh and fresh[0].seq == last + 1:
            self.log.extend(fresh)
        elif fresh:
            self.stale = True

    def wake(self, *, log_changed: bool) -> None:
        if log_changed:
            self.log_version += 1
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():  # a follower that went away cancelled its own
                waiter.set_result(None)

    async def wait(self) -> None:
        """Wait for a change, or for the manager's next tick. No timer per wait: on the hot
        path a follower waits once per piece, and the manager's ticker wakes every channel
        every few seconds for heartbeats and as a safety net. A bare future per wait, not an
        event per change: a piece nobody waits for costs nothing to announce."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        await waiter


class TurnManager:
    def __init__(
        self,
        service: InterviewService,
        *,
        flush_interval: float = DEFAULT_FLUSH_INTERVAL,
        single_process: bool = False,
        run_sync: Callable | None = None,
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self.service = service
        self.tick_seconds = tick_seconds
        self._ticker: asyncio.Task | None = None
        # With one process on the database (SQLite), a reply in the log that this process is
        # not running is an orphan of a previous run: no need to wait for its lease to expire.
        self.single_process = single_process
        self.flush_interval = flush_interval
        self._run_sync = run_sync or asyncio.to_thread
        self._channels: dict[str, SessionChannel] = {}
        self._live: dict[str, LiveTurn] = {}  # the replies being generated here
        self._tasks: dict[str, asyncio.Task] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._flusher: asyncio.Task | None = None
        self._flush_lock = asyncio.Lock()
        self._ensure_locks: dict[str, asyncio.Lock] = {}
        self._stopping = False
        self._titles = {phase.id: phase.title for phase in service.plan.phases}
        service.store.add_listener(self._on_append)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        # Database calls run in threads; many streams need more than the default handful.
        self._loop.set_default_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="db"))
        self._flusher = asyncio.create_task(self._flush_forever(), name="delta-flusher")
        self._ticker = asyncio.create_task(self._tick_forever(), name="follower-ticker")
        # Load the token counter's tables now, in a thread, rather than on the event loop at
        # the first long conversation.
        self._loop.run_in_executor(None, token_counter_name)

    async def stop(self) -> None:
        self._stopping = True
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(BaseException):
                await task
        for background in (self._ticker, self._flusher):
            if background is not None:
                background.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await background
        await self.flush()

    def channel(self, session_id: str) -> SessionChannel:
        channel = self._channels.get(session_id)
        if channel is None:
            channel = self._channels[session_id] = SessionChannel(self._titles)
        return channel

    def running_here(self, session_id: str) -> bool:
        task = self._tasks.get(session_id)
        live = self._channels[session_id].live if session_id in self._channels else None
        if task is None or task.done():
            return False
        return live is None or not live.settled

    # -- change notifications ------------------------------------------------------------------

    def _on_append(self, session_id: str, events: list[SessionEvent]) -> None:
        """Called after every commit, from whatever thread wrote it."""
        only_pieces = all(event.type is EventType.REPLY_DELTA for event in events)
        self._schedule(session_id, log_changed=not only_pieces, events=events)

    def on_remote_change(self, session_id: str) -> None:
        """Another replica wrote to this session's log (from a NOTIFY)."""
        self._schedule(session_id, log_changed=True, events=None)
        if self.running_here(session_id):
            self._schedule_cancel_check(session_id)

    def _schedule(self, session_id: str, *, log_changed: bool, events) -> None:
        if session_id not in self._channels:
            return
        self._call_soon(self._wake, session_id, log_changed, events)

    def _call_soon(self, callback, *args) -> None:
        """Run ``callback`` on the manager's loop from any thread; nothing once it has closed
        (an append committed by another thread during shutdown has nobody left to wake)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # closed between the check and the call
            loop.call_soon_threadsafe(callback, *args)

    def _wake(self, session_id: str, log_changed: bool, events) -> None:
        channel = self._channels.get(session_id)
        if channel is not None:
            if events is None:
                channel.stale = True
            else:
                channel.take(events)
            channel.wake(log_changed=log_changed)

    def _schedule_cancel_check(self, session_id: str) -> None:
        async def check() -> None:
            state = await self._run_sync(self.service.conversation, session_id)
            if state.running_turn is not None and state.running_turn.cancel_requested:
                task = self._tasks.get(session_id)
                if task is not None:
                    task.cancel()

        self._call_soon(lambda: self._loop.create_task(check()))

    # -- turns -------------------------------------------------------------------------------

    async def ensure_turn(self, session: SessionRecord, *, force: bool = False) -> bool:
        """Start the interviewer's pending turn unless it runs already. ``force`` also retries
        a turn whose last attempt failed. True when a turn is running (here or elsewhere)."""
        lock = self._ensure_locks.setdefault(session.id, asyncio.Lock())
        async with lock:
            return await self._ensure_turn(session, force=force)

    async def _ensure_turn(self, session: SessionRecord, *, force: bool) -> bool:
        if self.running_here(session.id):
            return True
        claim = await self._claim(session, force)
        if claim.status == "orphan":
            # Its process is gone (its lease ran out, or, with one process on the database,
            # it was a previous run): store what it had said as interrupted, then claim again.
            await self._run_sync(
                self.service.close_orphaned_turn, session, force=self.single_process
            )
            claim = await self._claim(session, force)
        if claim.status == "running":
            return True  # another replica is on it
        if claim.status != "started":
            return False
        self._start(session, claim)
        return True

    def _start(self, session: SessionRecord, claim) -> None:
        live = LiveTurn(session.id, claim.seq)
        self.channel(session.id).live = live
        self._live[session.id] = live
        self._tasks[session.id] = asyncio.create_task(
            self._run(session, live, claim.state), name=f"turn-{session.id}"
        )

    async def post_message(
        self, session: SessionRecord, text: str, *, client_id: str | None = None
    ) -> tuple:
        """Store the candidate's message and start the interviewer's reply to it, claimed in
        the same transaction (one commit per turn fewer). Returns the message and whether it
        is new; raises what :meth:`InterviewService.post_candidate_message` raises."""
        lock = self._ensure_locks.setdefault(session.id, asyncio.Lock())
        async with lock:
            message, created, claim = await self._run_sync(
                lambda: self.service.post_and_claim(
                    session, text, client_id=client_id, single_process=self.single_process
                )
            )
            if created:
                if claim is not None and claim.status == "started":
                    self._start(session, claim)
                else:  # an orphan to close first, or nothing owed: the usual path decides
                    await self._ensure_turn(session, force=False)
        return message, created

    async def _claim(self, session: SessionRecord, force: bool):
        return await self._run_sync(
            lambda: self.service.begin_turn(
                session, force=force, single_process=self.single_process
            )
        )

    async def cancel(self, session: SessionRecord) -> bool:
        """Stop the running reply; its part is stored as cancelled."""
        task = self._tasks.get(session.id)
        if task is not None and self.running_here(session.id):
            task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.shield(task)
            return True
        return await self._run_sync(self.service.request_cancel, session)

    async def _run(self, session: SessionRecord, live: LiveTurn, state=None) -> None:
        channel = self.channel(session.id)
        finished = False
        try:
            async for event in self.service.run_interviewer_turn(
                session, before_commit=lambda: self._hand_over(live), state=state
            ):
                if isinstance(event, TokenStreamed):
                    live.texts.append(event.text)
                    channel.wake(log_changed=False)
                elif isinstance(event, ReplyCompleted | ReplyInterrupted | ReplyFailed):
                    finished = live.settled = True
        except asyncio.CancelledError:
            self._take_back(live)
            await self._flush_turn(live)
            text = "".join(live.texts)
            if self._stopping:  # a restart or deploy, not the candidate: the turn stays owed
                await self._run_sync(
                    self.service.record_interrupted,
                    session,
                    text,
                    "the server restarted while replying",
                )
            else:
                await self._run_sync(self.service.record_cancelled, session, text)
            finished = True
        except Exception:
            logger.exception("interviewer turn failed for session %s", session.id)
            self._take_back(live)
            await self._flush_turn(live)
            await self._run_sync(
                self.service.record_failed, session, "the server failed while replying"
            )
            finished = True
        finally:
            if not finished:
                self._take_back(live)
                await self._run_sync(self.service.record_failed, session, "no reply was produced")
            await self._flush_turn(live)
            live.settled = True
            if channel.live is live:
                channel.live = None
            if self._live.get(session.id) is live:
                del self._live[session.id]
            channel.wake(log_changed=True)
            if self._tasks.get(session.id) is asyncio.current_task():
                del self._tasks[session.id]
            if channel.followers == 0 and channel.live is None:
                self._channels.pop(session.id, None)

    # -- flushing pieces to the log ----------------------------------------------------------------

    def _pending_batches(self, only: LiveTurn | None = None) -> tuple[dict, list]:
        batches: dict[str, list] = {}
        marks: list[tuple[LiveTurn, int]] = []
        now = self.service.clock.now()
        for live in list(self._live.values()):  # not every channel: most are idle
            if only is not None and live is not only:
                continue
            end = len(live.texts)
            if end > live.flushed:
                batches[live.session_id] = [(EventType.REPLY_DELTA, _batch(live, end), now)]
                marks.append((live, end))
        if only is not None and not marks and len(only.texts) > only.flushed:
            end = len(only.texts)
            batches[only.session_id] = [(EventType.REPLY_DELTA, _batch(only, end), now)]
            marks.append((only, end))
        return batches, marks

    async def _write(self, batches: dict, marks: list) -> None:
        if not batches:
            return
        await self._run_sync(self.service.store.append_batches, batches)
        for live, end in marks:
            live.flushed = max(live.flushed, end)

    async def flush(self) -> None:
        async with self._flush_lock:
            await self._write(*self._pending_batches())

    async def _flush_turn(self, live: LiveTurn) -> None:
        async with self._flush_lock:
            await self._write(*self._pending_batches(only=live))

    async def _hand_over(self, live: LiveTurn) -> list:
        """The reply's pieces not in the log yet, as items for the outcome's own transaction
        (one commit instead of two at the end of every reply)."""
        async with self._flush_lock:  # after any flush of this reply's pieces in flight
            batches, marks = self._pending_batches(only=live)
            if not marks:
                return []
            live.handed_over_from = live.flushed
            live.flushed = marks[0][1]
            return batches[live.session_id]

    @staticmethod
    def _take_back(live: LiveTurn) -> None:
        """The outcome (and the pieces handed over with it) may not be committed: flush them
        again. (Pieces logged twice are harmless: they carry their positions.)"""
        if live.handed_over_from is not None and not live.settled:
            live.flushed = min(live.flushed, live.handed_over_from)
            live.handed_over_from = None

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            for channel in list(self._channels.values()):
                channel.wake(log_changed=False)

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            try:
                await self.flush()
            except Exception:
                logger.exception("flushing reply pieces failed; will retry")

    # -- following a session -------------------------------------------------------------------

    async def follow(
        self,
        session: SessionRecord,
        *,
        after: EventId,
        until_turn_ends: bool = False,
        heartbeat: float | None = None,
        batches: bool = False,
    ) -> AsyncIterator[FeedEvent | list[FeedEvent] | None]:
        """Every feed event after ``after``, then live ones as they happen.

        With ``until_turn_ends``, stop after the first reply outcome (done, interrupted,
        cancelled or error), once the events committed with it have been sent. With
        ``heartbeat``, yield ``None`` after that many idle seconds (for keep-alive pings).
        With ``batches``, yield lists: everything ready at once (a follower that fell behind
        catches up in one write instead of one per piece).
        """
        channel = self.channel(session.id)
        channel.followers += 1
        try:
            async for item in self._follow(
                session, channel, after, until_turn_ends, heartbeat, batches
            ):
                yield item
        finally:
            channel.followers -= 1
            if (
                channel.followers == 0
                and channel.live is None
                and not self.running_here(session.id)
            ):
                self._channels.pop(session.id, None)

    async def _follow(
        self,
        session: SessionRecord,
        channel: SessionChannel,
        after: EventId,
        until: bool,
        heartbeat: float | None,
        batches: bool = False,
    ) -> AsyncIterator[FeedEvent | list[FeedEvent] | None]:
        until_turn_ends = until

        async def fetch(after_seq: int) -> list[SessionEvent]:
            return await self._run_sync(
                lambda: self.service.store.events(session.id, after_seq=after_seq)
            )

        cursor = after
        clock = asyncio.get_running_loop().time
        last_sent = clock()
        while True:
            version = channel.log_version
            # Take the live turn before reading the log: if it is gone by then, its pieces
            # were flushed before it went, so the log has them; if not, memory has them all.
            live = channel.live
            await channel.refresh(fetch)
            items = channel.feed_after(cursor)
            if live is not None and cursor.seq <= live.seq:
                first = cursor.index + 1 if cursor.seq == live.seq else 1
                items = _merge(
                    items, token_events(live.seq, live.texts[first - 1 :], first), cursor
                )
            # While a reply is open, what else happens (a warning, a pause) waits until the
            # reply's outcome: its pieces keep coming with ids below those events' ids.
            open_turn = channel.open_turn()
            if open_turn is not None:
                items = [item for item in items if item.id.seq <= open_turn]
            ending = until_turn_ends and any(item.event in TERMINAL_EVENTS for item in items)
            if batches and items:
                yield items
                cursor = items[-1].id
            else:
                for item in items:
                    yield item
                    cursor = item.id
            if ending:
                return
            if items:
                last_sent = clock()
            while True:
                live = channel.live
                # Only a reply whose start the follower has seen, and only pieces after it.
                if live is not None and cursor.seq == live.seq:
                    first = cursor.index + 1
                    if len(live.texts) >= first:
                        tokens = token_events(live.seq, live.texts[first - 1 :], first)
                        if batches:
                            yield tokens
                            cursor = tokens[-1].id
                        else:
                            for item in tokens:
                                yield item
                                cursor = item.id
                        last_sent = clock()
                if channel.log_version != version:
                    break
                await channel.wait()
                if heartbeat is not None and clock() - last_sent >= heartbeat:
                    last_sent = clock()
                    yield None


_OUTCOMES = frozenset(
    {
        EventType.INTERVIEWER_MESSAGE,
        EventType.REPLY_INTERRUPTED,
        EventType.REPLY_CANCELLED,
        EventType.REPLY_FAILED,
    }
)


def _merge(logged: list[FeedEvent], live: list[FeedEvent], after: EventId) -> list[FeedEvent]:
    merged: dict[EventId, FeedEvent] = {item.id: item for item in live if item.id > after}
    merged.update((item.id, item) for item in logged)
    return [merged[key] for key in sorted(merged)]
