"""An interview service on a temporary SQLite database with a fake clock."""

from __future__ import annotations

import pytest

from interviewer.clock import FakeClock
from interviewer.offline import OfflineInterviewer
from interviewer.service import InterviewService
from problems.loader import load_bank
from problems.phases import load_phase_plan
from storage.db import make_engine
from storage.events import SessionStore
from storage.migrations import migrate


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(tmp_path, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'engine.sqlite3'}")
    migrate(engine)
    yield InterviewService(
        store=SessionStore(engine),
        bank=load_bank(),
        plan=load_phase_plan(),
        interviewer=OfflineInterviewer(),
        clock=clock,
    )
    engine.dispose()
