"""Grading stored sessions: open a run, grade in the background, store the scorecard.

The web layer calls :meth:`GradingService.start` and then runs :meth:`GradingService.run` as a
task; progress is written to the database after every dimension, so any replica can show it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from interviewer.clock import Clock
from interviewer.conversation import Conversation
from problems.loader import ProblemBank
from problems.phases import PhasePlan
from rubrics.grading import grade
from rubrics.judge import Judge
from rubrics.rubric import load_rubric
from rubrics.scorecard import Scorecard
from rubrics.transcript import Transcript, transcript_from_events
from storage.events import SessionRecord, SessionStore
from storage.scorecards import AlreadyGradingError, ScorecardStore

__all__ = ["AlreadyGradingError", "GradingService", "NotEndedError", "NothingToGradeError"]

logger = logging.getLogger(__name__)
Offload = Callable[..., Awaitable[Any]]


async def _inline(function, *args, **kwargs):
    return function(*args, **kwargs)


class NotEndedError(Exception):
    """Only an ended interview can be graded."""


class NothingToGradeError(Exception):
    """The candidate never said anything."""


class GradingService:
    def __init__(
        self,
        *,
        store: SessionStore,
        scorecards: ScorecardStore,
        bank: ProblemBank,
        plan: PhasePlan,
        clock: Clock,
        offload: Offload | None = None,
    ) -> None:
        self.store = store
        self.scorecards = scorecards
        self.bank = bank
        self.plan = plan
        self.clock = clock
        self._offload = offload or _inline

    def transcript(self, session: SessionRecord, *, notes: str = "") -> Transcript:
        return transcript_from_events(
            self.store.events(session.id, with_pieces=False),
            problem_id=session.problem_id,
            level=session.level,
            session_id=session.id,
            now=self.clock.now(),
            notes=notes,
        )

    def check_gradable(self, session: SessionRecord) -> Transcript:
        events = self.store.events(session.id, with_pieces=False)
        if not Conversation.from_events(events).ended:
            raise NotEndedError("end the interview before grading it")
        transcript = self.transcript(session)
        if not any(turn.text.strip() for turn in transcript.candidate_turns):
            raise NothingToGradeError("the candidate said nothing, so there is nothing to grade")
        return transcript

    def start(self, session: SessionRecord, judge: Judge) -> tuple[int, Transcript]:
        """Open a grading run (raises if one is running or the session cannot be graded)."""
        transcript = self.check_gradable(session)
        total = len(load_rubric().dimensions)
        grading_id = self.scorecards.start(
            session.id, judge=judge.name, total=total, at=self.clock.now()
        )
        return grading_id, transcript

    async def run(self, grading_id: int, transcript: Transcript, judge: Judge) -> Scorecard | None:
        """Grade and store; a failure is stored as the run's error, never raised."""
        finished = 0

        def progress(dimension: str, status: str) -> None:
            nonlocal finished
            if status != "started":
                finished += 1
                pending.append(
                    asyncio.ensure_future(
                        self._offload(self.scorecards.progress, grading_id, finished)
                    )
                )

        pending: list[asyncio.Future] = []
        try:
            problem = self.bank.get(transcript.problem)
            card = await grade(
                transcript,
                problem,
                judge,
                plan=self.plan,
                bank=self.bank,
                progress=progress,
                now=self.clock.now,
            )
            await asyncio.gather(*pending)
            await self._offload(
                self.scorecards.finish,
                grading_id,
                card.model_dump(mode="json"),
                at=self.clock.now(),
            )
            return card
        except Exception as exc:  # stored for the user; the server keeps going
            logger.exception("grading run %s failed", grading_id)
            await asyncio.gather(*pending, return_exceptions=True)
            await self._offload(
                self.scorecards.fail,
                grading_id,
                f"{type(exc).__name__}: {exc}",
                at=self.clock.now(),
            )
            return None
