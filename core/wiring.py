"""Putting the pieces together from the settings, once, for the web app and the CLI alike."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from core.settings import Settings
from interviewer.base import Interviewer
from interviewer.clock import Clock, SystemClock
from interviewer.offline import OfflineInterviewer
from interviewer.registry import choose_interviewer
from interviewer.service import InterviewService, Offload
from interviewer.usage import load_price_table
from problems.loader import ProblemBank, load_bank
from problems.phases import load_phase_plan
from storage.db import make_engine
from storage.events import SessionStore
from storage.migrations import migrate

__all__ = ["Wired", "build_service"]


@dataclass(frozen=True)
class Wired:
    service: InterviewService
    engine: Engine
    interviewer_reason: str


def build_service(
    settings: Settings,
    *,
    clock: Clock | None = None,
    interviewer: Interviewer | None = None,
    bank: ProblemBank | None = None,
    offload: Offload | None = None,
) -> Wired:
    """Open (and migrate) the database and build the interview service."""
    if interviewer is None:
        interviewer, reason = choose_interviewer(settings)
    else:
        reason = "chosen by the caller"
    prices = load_price_table(settings.price_table)
    engine = make_engine(settings.resolved_database_url())
    migrate(engine)
    # The offline interviewer is always available, whatever the default is.
    alternatives = (
        []
        if interviewer.offline
        else [OfflineInterviewer(token_delay=settings.offline_token_delay)]
    )
    service = InterviewService(
        store=SessionStore(engine),
        bank=bank or load_bank(),
        plan=load_phase_plan(),
        interviewer=interviewer,
        clock=clock or SystemClock(),
        prices=prices,
        token_budget=settings.session_token_budget,
        turn_lease_seconds=settings.turn_lease_seconds,
        offload=offload,
        alternatives=alternatives,
    )
    return Wired(service, engine, reason)
