"""Running interviews: sessions, the candidate's messages, the clock, and the interviewer's turns.

This is the one entry point the web app and the CLI share. Its side effects (the store, the
interviewer model, the clock) are passed in. The server's clock is the only truth: before any
action, time-driven events that have fallen due (warnings, phase time-outs, the end of the
session) are appended to the log, stamped with the moment they fell due.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from interviewer.base import Interviewer, InterviewerError, ReplyMeta, TurnContext
from interviewer.clock import Clock
from interviewer.conversation import Conversation, FoldCache, Message
from interviewer.limits import MAX_MESSAGE_CHARS
from interviewer.phase_policy import candidate_moves_on
from interviewer.prompts import INTERVIEWER_PROMPT_VERSION, PERSONAS
from interviewer.timekeeper import Clockface, clockface, due_events
from interviewer.turn_events import (
    IdempotencyConflictError,
    InvalidMessageError,
    PhaseChanged,
    ReplyCompleted,
    ReplyFailed,
    ReplyInterrupted,
    SessionEnded,
    TokenStreamed,
    TurnClaim,
    TurnEvent,
    TurnNotAllowedError,
)
from llm.prices import PriceTable, load_price_table
from llm.usage import Usage
from problems.loader import ProblemBank
from problems.phases import SESSION_LENGTHS, PhasePlan
from storage.events import EventType, SessionEvent, SessionRecord, SessionStore

__all__ = [
    "DEFAULT_SESSION_TOKEN_BUDGET",
    "LEVELS",
    "InterviewService",
]

LEVELS = ("mid", "senior", "staff")
DEFAULT_SESSION_TOKEN_BUDGET = 300_000
# A reply whose process has shown no sign of life for this long is taken as orphaned.
DEFAULT_TURN_LEASE_SECONDS = 90.0
SIGN_OFF = (
    "Thank you, that's the end of our session. Your transcript is saved, and the scorecard "
    "will point to the moments behind each score."
)
_PIECE = re.compile(r"\S+\s*|\s+")
# Awaited just before a turn's outcome is committed: the live layer hands over the reply's
# pieces not yet in the log, as items committed in the same transaction just before the
# outcome, so the log never holds an outcome without all the pieces before it.
BeforeCommit = Callable[[], Awaitable[list]]
Offload = Callable[..., Awaitable[Any]]


async def _inline(function, *args, **kwargs):
    return function(*args, **kwargs)


def _applied(state: Conversation, events: list[SessionEvent]) -> Conversation:
    """``state`` with ``events`` (just appended to its log) applied."""
    for event in events:
        state.apply(event)
        state.last_seq = event.seq
    return state


def validate_candidate_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidMessageError("message is empty")
    if len(cleaned) > MAX_MESSAGE_CHARS:
        raise InvalidMessageError(
            f"message has {len(cleaned)} characters; the limit is {MAX_MESSAGE_CHARS}"
        )
    return cleaned


class InterviewService:
    def __init__(
        self,
        *,
        store: SessionStore,
        bank: ProblemBank,
        plan: PhasePlan,
        interviewer: Interviewer,
        clock: Clock,
        prices: PriceTable | None = None,
        token_budget: int = DEFAULT_SESSION_TOKEN_BUDGET,
        turn_lease_seconds: float = DEFAULT_TURN_LEASE_SECONDS,
        offload: Offload | None = None,
        alternatives: list[Interviewer] = (),
    ) -> None:
        self.turn_lease_seconds = turn_lease_seconds
        # How the async turn loop runs its database calls: inline by default (deterministic for
        # the CLI and tests); a server passes asyncio.to_thread so writes never block its loop.
        self._offload = offload or _inline
        self.store = store
        self.bank = bank
        self.plan = plan
        self.interviewer = interviewer
        # Models a session may choose instead of the default (see ``interviewers``).
        self._alternatives = list(alternatives)
        self.clock = clock
        self.prices = prices or load_price_table()
        self.token_budget = token_budget
        self._turn_locks: dict[str, asyncio.Lock] = {}
        self._claimed_turns: dict[str, int] = {}  # the reply_started seq each turn runs
        self._folds = FoldCache()  # each session's state, folded once from its log

    # -- sessions ---------------------------------------------------------------------------

    def start(
        self,
        *,
        owner_id: str,
        problem_id: str,
        minutes: int,
        persona: str = "neutral",
        level: str = "senior",
        model: str | None = None,
    ) -> SessionRecord:
        problem = self.bank.get(problem_id)  # raises UnknownProblemError
        model = model or self.interviewer.model_id
        if model not in self.interviewers:
            raise ValueError(f"model must be one of {tuple(self.interviewers)}")
        if minutes not in SESSION_LENGTHS:
            raise ValueError(f"minutes must be one of {SESSION_LENGTHS}")
        if persona not in PERSONAS:
            raise ValueError(f"persona must be one of {tuple(PERSONAS)}")
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}")
        record = SessionRecord(
            id=uuid.uuid4().hex,
            owner_id=owner_id,
            problem_id=problem.id,
            minutes=minutes,
            interviewer_model=model,
            status="active",
            created_at=self.clock.now(),
            persona=persona,
            level=level,
            prompt_version=INTERVIEWER_PROMPT_VERSION,
        )
        self.store.create_session(
            record,
            created_event={
                "problem_id": problem.id,
                "minutes": minutes,
                "persona": persona,
                "level": level,
                "interviewer_model": model,
                "prompt_version": INTERVIEWER_PROMPT_VERSION,
                "phase_plan_version": self.plan.version,
            },
        )
        return record

    @property
    def interviewers(self) -> dict[str, Interviewer]:
        """The models a session may choose, by model id; the default first."""
        chosen = {self.interviewer.model_id: self.interviewer}
        for model in self._alternatives:
            chosen.setdefault(model.model_id, model)
        return chosen

    def interviewer_for(self, session: SessionRecord) -> Interviewer:
        """The model the session chose (the default if that model is no longer configured)."""
        return self.interviewers.get(session.interviewer_model, self.interviewer)

    def owned_session(self, session_id: str, owner_id: str) -> SessionRecord | None:
        """The session if it exists and belongs to ``owner_id``; otherwise ``None``."""
        record = self.store.get_session(session_id)
        if record is None or record.owner_id != owner_id:
            return None
        return record

    def conversation(self, session_id: str, *, with_pieces: bool = False) -> Conversation:
        """The session's state. Reply pieces are left out unless asked for: only the text of
        a reply cut off by a dead process needs them."""
        events = self.store.events(session_id, with_pieces=with_pieces)
        if with_pieces:
            return Conversation.from_events(events)
        return self._folds.fold(session_id, events)

    def _append(self, session: SessionRecord, items: list[tuple[EventType, dict, Any]], **kw):
        events = self.store.append_many(session.id, items, **kw)
        if any(event.type is EventType.SESSION_ENDED for event in events):
            self.store.set_status(session.id, "ended")
        return events

    def tick(self, session: SessionRecord) -> Conversation:
        """Append the time-driven events that have fallen due; return the current state."""
        state = self.conversation(session.id)
        if not due_events(state, self.plan, self.clock.now()):
            return state  # the common case: one read, no lock
        captured: list[Conversation] = []

        def guard(events):
            fresh, items = self._with_due(self._folds.fold(session.id, events))
            captured.append(fresh)
            return items

        self._append(session, [], guard=guard)
        return captured[0]  # the due events are applied to it already

    def _with_due(self, state: Conversation) -> tuple[Conversation, list]:
        """``state`` with the events that have fallen due applied, and those events as items."""
        due = due_events(state, self.plan, self.clock.now())
        items = [(event.type, event.data, event.at) for event in due]
        seq = state.last_seq
        for event in due:
            seq += 1
            # A provisional seq: above everything in the state, below whatever comes next.
            state.apply(SessionEvent("", seq, event.type, event.at, event.data))
            state.last_seq = seq
        return state, items

    def clockface(self, session: SessionRecord) -> Clockface:
        return clockface(self.tick(session), self.plan, self.clock.now())

    def pause(self, session: SessionRecord) -> Conversation:
        state = self.tick(session)
        if state.ended:
            raise TurnNotAllowedError("the session has ended")
        if state.paused:
            raise TurnNotAllowedError("the session is already paused")
        self._append(session, [(EventType.PAUSED, {}, self.clock.now())])
        return self.conversation(session.id)

    def resume(self, session: SessionRecord) -> Conversation:
        state = self.tick(session)
        if not state.paused:
            raise TurnNotAllowedError("the session is not paused")
        self._append(session, [(EventType.RESUMED, {}, self.clock.now())])
        return self.conversation(session.id)

    def end(self, session: SessionRecord) -> Conversation:
        """The candidate ends the interview; the interviewer then asks its closing question."""
        state = self.tick(session)
        if state.ended:
            raise TurnNotAllowedError("the session has already ended")
        now = self.clock.now()
        items: list[tuple[EventType, dict, Any]] = []
        if state.paused:
            items.append((EventType.RESUMED, {}, now))
        items.append((EventType.SESSION_ENDED, {"reason": "candidate_ended"}, now))
        self._append(session, items)
        return self.conversation(session.id)

    def turn_in_progress(self, session_id: str) -> bool:
        lock = self._turn_locks.get(session_id)
        return lock is not None and lock.locked()

    def _streaming_here(self, session_id: str, state: Conversation) -> bool:
        """This process is generating a reply the log does not show as finished. A claimed
        reply (its ``reply_started`` in the log) is over once its outcome is committed, even
        if its task has not got back from the commit yet: another thread may already have
        told followers, and the candidate may answer at once."""
        if not self.turn_in_progress(session_id):
            return False
        claimed = self._claimed_turns.get(session_id)
        if claimed is None:
            return True  # an unclaimed turn (the CLI's): nothing in the log until it ends
        return state.running_turn is not None and state.running_turn.seq == claimed

    def post_candidate_message(
        self, session: SessionRecord, text: str, *, client_id: str | None = None
    ) -> tuple[Message, bool]:
        """Store the candidate's message; returns it and whether it is new.

        With a ``client_id``, posting again returns the stored message and changes nothing;
        the same id with a different text is refused. The checks run inside the append's
        transaction, with the session locked, so two replicas cannot both accept a message.
        """
        message, created, _ = self._post(session, text, client_id=client_id, claim=False)
        return message, created

    def post_and_claim(
        self,
        session: SessionRecord,
        text: str,
        *,
        client_id: str | None = None,
        single_process: bool = False,
    ) -> tuple[Message, bool, TurnClaim | None]:
        """:meth:`post_candidate_message` and :meth:`begin_turn` in one transaction: a new
        message also claims the interviewer's reply to it (the claim is ``None`` when the
        message was a re-post)."""
        return self._post(
            session, text, client_id=client_id, claim=True, single_process=single_process
        )

    def _post(
        self,
        session: SessionRecord,
        text: str,
        *,
        client_id: str | None,
        claim: bool,
        single_process: bool = False,
    ) -> tuple[Message, bool, TurnClaim | None]:
        cleaned = validate_candidate_text(text)
        now = self.clock.now()
        existing: list[Message] = []
        phase: list[str] = []
        claimed: list[tuple[str, Conversation, int]] = []

        def guard(events):
            state, items = self._with_due(self._folds.fold(session.id, events))
            if client_id and client_id in state.client_ids:
                seq, stored = state.client_ids[client_id]
                if stored != cleaned:
                    raise IdempotencyConflictError(
                        "this client_id was already used for a different message"
                    )
                existing.extend(m for m in state.messages if m.seq == seq)
                return items
            answered_closing = (
                state.ended and bool(state.replies) and (state.replies[-1].role == "candidate")
            )
            if state.signed_off or answered_closing:
                raise TurnNotAllowedError("the session has ended")
            if state.paused:
                raise TurnNotAllowedError("the session is paused; resume it to continue")
            if (
                state.awaiting_interviewer
                or self._streaming_here(session.id, state)
                or self.turn_running(state, now)
            ):
                raise TurnNotAllowedError("the interviewer has not replied yet; wait for the reply")
            phase.append(state.phase)
            data = {"text": cleaned, **({"client_id": client_id} if client_id else {})}
            items.append((EventType.CANDIDATE_MESSAGE, data, now))
            if not claim:
                return items
            seq = state.last_seq + 1  # the message's seq once appended
            state.apply(SessionEvent("", seq, EventType.CANDIDATE_MESSAGE, now, data))
            state.last_seq = seq
            status, claim_items = self._claim_items(state, now, False, single_process)
            claimed.append((status, state, len(items)))
            return [*items, *claim_items]

        appended = self._append(session, [], guard=guard)
        if existing:
            return existing[0], False, None
        message_at = len(appended) - 1
        turn = None
        if claimed:
            status, state, message_at = claimed[0]
            message_at -= 1
            state = _applied(state, appended[message_at + 1 :])
            seq = appended[-1].seq if status == "started" else None
            turn = TurnClaim(status, seq, state)
        event = appended[message_at]
        return Message(event.seq, "candidate", phase[0], cleaned, event.at), True, turn

    def _claim_items(
        self, state: Conversation, now, force: bool, single_process: bool
    ) -> tuple[str, list]:
        """Whether the pending turn can be claimed, and the items that claim it."""
        if state.running_turn is not None:
            alive = not single_process and self.turn_running(state, now)
            return ("running" if alive else "orphan"), []
        if not state.interviewer_turn_pending:
            return "idle", []
        if state.attempt_failed and not force:
            return "failed", []
        items = []
        moved_to = candidate_moves_on(state, self.plan)
        if moved_to is not None:  # the move comes first in the log, then the reply
            data = {"phase": moved_to, "previous": state.phase, "reason": "candidate"}
            items.append((EventType.PHASE_CHANGED, data, now))
        return "started", [*items, (EventType.REPLY_STARTED, {}, now)]

    def turn_running(self, state: Conversation, now) -> bool:
        """A reply is being generated somewhere (this process or another replica)."""
        turn = state.running_turn
        if turn is None:
            return False
        return (now - turn.last_activity).total_seconds() < self.turn_lease_seconds

    def begin_turn(
        self, session: SessionRecord, *, force: bool = False, single_process: bool = False
    ) -> TurnClaim:
        """Try to claim the interviewer's pending turn, in one locked read and one write.

        Appends whatever has fallen due, then (if the turn is owed, no reply is open and the
        last attempt did not fail, unless ``force``) the candidate's phase move and
        ``reply_started``. A reply open in the log whose process is gone is reported as an
        orphan, to be closed with :meth:`close_orphaned_turn` (which needs its pieces).
        """
        now = self.clock.now()
        outcome: list[tuple[str, Conversation, int]] = []

        def guard(events):
            state, items = self._with_due(self._folds.fold(session.id, events))
            status, claim_items = self._claim_items(state, now, force, single_process)
            outcome.append((status, state, len(items)))
            return [*items, *claim_items]

        appended = self._append(session, [], guard=guard)
        status, state, due = outcome[0]
        state = _applied(state, appended[due:])
        seq = appended[-1].seq if status == "started" else None
        return TurnClaim(status, seq, state)

    @staticmethod
    def _orphan_item(state: Conversation, now):
        text = state.running_turn.text.strip()
        detail = "the server stopped while replying"
        if text:
            return (EventType.REPLY_INTERRUPTED, {"text": text, "detail": detail}, now)
        return (EventType.REPLY_FAILED, {"detail": detail}, now)

    def close_orphaned_turn(self, session: SessionRecord, *, force: bool = False) -> bool:
        """Mark a reply whose process is gone as interrupted (``force``: skip the lease)."""
        now = self.clock.now()

        def guard(events):
            state = Conversation.from_events(events)
            if state.running_turn is None or (not force and self.turn_running(state, now)):
                return []
            return [self._orphan_item(state, now)]

        return bool(self.store.append_many(session.id, [], guard=guard, guard_sees_pieces=True))

    def record_cancelled(self, session: SessionRecord, text: str) -> None:
        self._append(
            session,
            [(EventType.REPLY_CANCELLED, {"text": text.strip()}, self.clock.now())],
        )

    def record_interrupted(self, session: SessionRecord, text: str, detail: str) -> None:
        """A reply cut off by the server itself (a restart): the turn stays owed."""
        text = text.strip()
        if text:
            item = (EventType.REPLY_INTERRUPTED, {"text": text, "detail": detail}, self.clock.now())
        else:
            item = (EventType.REPLY_FAILED, {"detail": detail}, self.clock.now())
        self._append(session, [item])

    def record_failed(self, session: SessionRecord, detail: str) -> None:
        self._append(session, [(EventType.REPLY_FAILED, {"detail": detail}, self.clock.now())])

    def request_cancel(self, session: SessionRecord) -> bool:
        """Ask whichever process runs the reply to stop it (it stores the part as cancelled)."""
        state = self.conversation(session.id)
        if state.running_turn is None:
            return False
        self._append(session, [(EventType.CANCEL_REQUESTED, {}, self.clock.now())])
        return True

    # -- the interviewer's turn ---------------------------------------------------------------

    async def run_interviewer_turn(
        self,
        session: SessionRecord,
        *,
        before_commit: BeforeCommit | None = None,
        state: Conversation | None = None,
    ) -> AsyncIterator[TurnEvent]:
        """Play the interviewer's pending turn, streaming it.

        A completed reply is stored with its usage and private note. If the provider fails
        after part of the reply was shown, the part is stored as interrupted and the turn stays
        pending, so the candidate can retry it. If the stream is abandoned, nothing of the reply
        is stored and the next call plays the turn again.
        """
        lock = self._turn_locks.setdefault(session.id, asyncio.Lock())
        if lock.locked():
            raise TurnNotAllowedError("a reply is already being streamed for this session")
        async with lock:
            try:
                async for event in self._turn(session, before_commit, state):
                    yield event
            finally:
                self._claimed_turns.pop(session.id, None)

    async def _turn(
        self,
        session: SessionRecord,
        before_commit: BeforeCommit | None,
        state: Conversation | None,
    ) -> AsyncIterator[TurnEvent]:
        if state is not None and state.running_turn is not None:
            self._claimed_turns[session.id] = state.running_turn.seq
        if state is None:
            state = await self._offload(self.tick, session)
        if not state.interviewer_turn_pending:
            return
        if state.ended:
            async for event in self._closing_turn(session, state, before_commit):
                yield event
            return
        moved_to = candidate_moves_on(state, self.plan)
        if moved_to is not None:
            await self._offload(
                self._append,
                session,
                [
                    (
                        EventType.PHASE_CHANGED,
                        {"phase": moved_to, "previous": state.phase, "reason": "candidate"},
                        self.clock.now(),
                    )
                ],
            )
            yield PhaseChanged(moved_to, state.phase, self.plan.phase(moved_to).title)
            state = await self._offload(self.conversation, session.id)
        if not self.interviewer_for(
            session
        ).offline and state.input_tokens + state.output_tokens >= (self.token_budget):
            detail = (
                f"this session has used its token budget of {self.token_budget:,} tokens; "
                "end the session or start a new one"
            )
            await self._offload(self.record_failed, session, detail)
            yield ReplyFailed(detail)
            return
        async for event in self._model_turn(session, state, before_commit):
            yield event

    def _context(self, session: SessionRecord, state: Conversation) -> TurnContext:
        face = clockface(state, self.plan, self.clock.now())
        span = state.spans[-1]
        announce = state.phase_changed_since_last_reply and span.reason in ("candidate", "timeout")
        return TurnContext(
            problem=self.bank.get(session.problem_id),
            plan=self.plan,
            minutes=session.minutes,
            conversation=state,
            phase_changed_from=state.previous_phase if announce else None,
            phase_change_reason=span.reason if announce else None,
            persona=session.persona,
            level=session.level,
            phase_seconds_left=face.phase_seconds_left,
            session_seconds_left=face.session_seconds_left,
            session_id=session.id,
        )

    async def _model_turn(
        self, session: SessionRecord, state: Conversation, before_commit: BeforeCommit | None
    ) -> AsyncIterator[TurnEvent]:
        context = self._context(session, state)
        interviewer = self.interviewer_for(session)
        pieces: list[str] = []
        meta = ReplyMeta()
        try:
            async for item in interviewer.stream_reply(context):
                if isinstance(item, ReplyMeta):
                    meta = item
                    continue
                pieces.append(item)
                yield TokenStreamed(item)
        except InterviewerError as exc:
            partial = "".join(pieces).strip()
            logged = await before_commit() if before_commit is not None else []
            if not partial:
                failed = (EventType.REPLY_FAILED, {"detail": str(exc)}, self.clock.now())
                await self._offload(self._append, session, [*logged, failed])
                yield ReplyFailed(str(exc))
                return
            *_, event = await self._offload(
                self._append,
                session,
                [
                    *logged,
                    (
                        EventType.REPLY_INTERRUPTED,
                        {"text": partial, "detail": str(exc)},
                        self.clock.now(),
                    ),
                ],
            )
            message = Message(
                event.seq, "interviewer", state.phase, partial, event.at, "interrupted"
            )
            yield ReplyInterrupted(str(exc), message)
            return

        text = "".join(pieces).strip()
        logged = await before_commit() if before_commit is not None else []
        now = self.clock.now()
        closing = meta.advance and context.is_last_phase
        usage = meta.usage or Usage(source="none")
        usage_data = {
            **usage.as_dict(),
            "model": interviewer.model_id,
            "cost_usd": self.prices.cost_usd(interviewer.price_key, usage),
        }
        message_data = {"text": text, "kind": "closing"} if closing else {"text": text}
        items: list[tuple[EventType, dict, Any]] = [
            (EventType.INTERVIEWER_MESSAGE, message_data, now),
            (EventType.TURN_USAGE, usage_data, now),
        ]
        if meta.notes:
            items.append((EventType.PRIVATE_NOTE, {"text": meta.notes, "phase": state.phase}, now))
        following = self.plan.next_phase_id(state.phase)
        if closing:
            items.append(
                (EventType.SESSION_ENDED, {"reason": "completed", "closing_asked": True}, now)
            )
        elif meta.advance and following is not None:
            items.append(
                (
                    EventType.PHASE_CHANGED,
                    {"phase": following, "previous": state.phase, "reason": "goals_met"},
                    now,
                )
            )
        events = await self._offload(self._append, session, [*logged, *items])
        kind = "closing" if closing else "reply"
        message_seq = events[len(logged)].seq
        yield ReplyCompleted(
            Message(message_seq, "interviewer", state.phase, text, now, kind), usage_data
        )
        if closing:
            yield SessionEnded("completed")
        elif meta.advance and following is not None:
            yield PhaseChanged(
                following, state.phase, self.plan.phase(following).title, "goals_met"
            )

    async def _closing_turn(
        self, session: SessionRecord, state: Conversation, before_commit: BeforeCommit | None
    ) -> AsyncIterator[TurnEvent]:
        """After the end: the closing question, then (once answered) a sign-off. No model call."""
        kind = "sign_off" if state.closing_asked else "closing"
        text = SIGN_OFF if state.closing_asked else self.plan.closing_question.strip()
        for piece in _PIECE.findall(text):
            yield TokenStreamed(piece)
        logged = await before_commit() if before_commit is not None else []
        *_, event = await self._offload(
            self._append,
            session,
            [
                *logged,
                (EventType.INTERVIEWER_MESSAGE, {"text": text, "kind": kind}, self.clock.now()),
            ],
        )
        yield ReplyCompleted(Message(event.seq, "interviewer", state.phase, text, event.at, kind))
