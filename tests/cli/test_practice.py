"""`interview practice`: a whole session in the terminal, on a fake clock."""

from __future__ import annotations

import io

import pytest

from cli.main import main
from cli.practice import run_practice
from core.settings import Settings
from core.wiring import build_service
from interviewer.clock import FakeClock
from interviewer.offline import OfflineInterviewer
from storage.events import EventType


@pytest.fixture
def wired(tmp_path):
    clock = FakeClock()
    settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="x" * 20)
    wired = build_service(settings, clock=clock, interviewer=OfflineInterviewer())
    yield wired, clock
    wired.engine.dispose()


def scripted(clock, lines):
    """Answer each prompt with the next line, half a minute later on the fake clock."""
    queue = list(lines)

    def read(prompt):
        clock.advance(seconds=30)
        if not queue:
            raise EOFError
        return queue.pop(0)

    return read


def test_a_terminal_session_streams_replies_shows_the_clock_and_saves_the_log(wired):
    (wiring, clock) = wired
    out = io.StringIO()
    lines = [
        "How many links in total?",
        "/next",
        "/pause",
        "/resume",
        "/bogus",
        "/end",
        "The id allocator.",
    ]
    session = run_practice(
        wiring.service, problem_id="url-shortener", minutes=30, read=scripted(clock, lines), out=out
    )
    text = out.getvalue()
    assert "Design a URL shortener (bit.ly). Handle 100B URLs." in text
    assert "100 billion short links" in text
    assert "[Clarify · 3:00 left in this step · 30:00 left in the interview]" in text
    assert "[Clarify · 2:30 left in this step · 29:30 left in the interview]" in text
    assert "── Requirements ──" in text
    assert "PAUSED]" in text
    assert "unknown command '/bogus'" in text
    assert "if we had another half hour" in text
    assert f"Session {session.id} saved." in text
    types = [e.type for e in wiring.service.store.events(session.id)]
    assert EventType.PAUSED in types and EventType.RESUMED in types
    assert types.count(EventType.SESSION_ENDED) == 1
    assert wiring.service.conversation(session.id).signed_off


def test_end_of_input_leaves_the_session_saved(wired):
    (wiring, clock) = wired
    out = io.StringIO()
    session = run_practice(
        wiring.service, problem_id="typeahead", minutes=45, read=scripted(clock, []), out=out
    )
    assert wiring.service.store.get_session(session.id).status == "active"
    assert "saved" in out.getvalue()


def test_practice_with_an_unknown_problem_is_one_line(capsys):
    assert main(["practice", "nope"]) == 1
    assert capsys.readouterr().err.strip() == (
        "interview: unknown problem id 'nope' (see `interview problems`)"
    )
