"""Scorecards stored with their session: runs, progress, the latest one, stale runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.events import SessionRecord, SessionStore
from storage.scorecards import AlreadyGradingError, ScorecardStore

T0 = datetime(2026, 1, 1, 9, tzinfo=UTC)


@pytest.fixture
def stores(engine):
    sessions = SessionStore(engine)
    for session_id in ("s1", "s2"):
        record = SessionRecord(session_id, "owner", "url-shortener", 45, "offline", "ended", T0)
        sessions.create_session(record, created_event={"minutes": 45})
    return ScorecardStore(engine, stale_after=600)


CARD = {"recommendation": "lean_hire", "score": 64.0, "dimensions": []}


def test_a_run_goes_from_grading_to_done(stores):
    run = stores.start("s1", judge="offline-heuristic", total=10, at=T0)
    stores.progress(run, 4)
    latest = stores.latest("s1")
    assert (latest.status, latest.done, latest.total, latest.data) == ("grading", 4, 10, None)
    stores.finish(run, CARD, at=T0 + timedelta(seconds=2))
    latest = stores.latest("s1")
    assert (latest.status, latest.done, latest.recommendation, latest.score) == (
        "done",
        10,
        "lean_hire",
        64.0,
    )
    assert latest.data == CARD and latest.finished_at == T0 + timedelta(seconds=2)


def test_one_run_at_a_time_per_session_until_it_goes_stale(stores):
    stores.start("s1", judge="j", total=10, at=T0)
    with pytest.raises(AlreadyGradingError):
        stores.start("s1", judge="j", total=10, at=T0 + timedelta(seconds=30))
    stores.start("s2", judge="j", total=10, at=T0)  # other sessions are independent
    fresh = stores.start("s1", judge="j", total=10, at=T0 + timedelta(seconds=601))
    assert stores.latest("s1").id == fresh and stores.latest("s1").status == "grading"


def test_a_regrade_keeps_the_earlier_card_and_failures_say_why(stores):
    first = stores.start("s1", judge="j", total=10, at=T0)
    stores.finish(first, CARD, at=T0)
    second = stores.start("s1", judge="j", total=10, at=T0)
    stores.fail(second, "TimeoutError: judge", at=T0)
    latest = stores.latest("s1")
    assert (latest.status, latest.error) == ("failed", "TimeoutError: judge")
    # The newest *finished* card is still there for history and best scores.
    assert stores.latest_done(["s1", "s2"])["s1"].id == first
    assert "s2" not in stores.latest_done(["s1", "s2"])
    assert stores.latest("s2") is None
