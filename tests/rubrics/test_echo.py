"""Echo: sentences that only say back the problem statement or the interviewer's words."""

from __future__ import annotations

from problems.loader import load_bank
from rubrics.echo import EchoCheck
from rubrics.transcript import Transcript

PROBLEM = load_bank().get("rate-limiter")


def check(*turns: tuple[str, str]) -> tuple[EchoCheck, Transcript]:
    events = [
        {"t": float(n), "role": role, "phase": "clarify", "text": text}
        for n, (role, text) in enumerate(turns)
    ]
    transcript = Transcript.from_exchange(
        {"problem": "rate-limiter", "duration_s": 2700, "events": events}
    )
    return EchoCheck(transcript, PROBLEM), transcript


def test_restating_the_problem_statement_is_an_echo():
    echo, _ = check(("candidate", f"So, to restate: {PROBLEM.statement}"))
    assert echo.is_echo(f"So, to restate: {PROBLEM.statement}", 1)


def test_repeating_a_fact_the_interviewer_gave_is_an_echo():
    fact = "Free keys get 100 requests a minute and pro keys get 1,000 a minute."
    echo, _ = check(("interviewer", fact), ("candidate", "Got it: pro keys get 1,000 a minute."))
    assert echo.is_echo("Got it: pro keys get 1,000 a minute.", 2)
    # The same words before the interviewer said them are the candidate's own.
    early, _ = check(("candidate", "Pro keys get 1,000 a minute?"), ("interviewer", fact))
    assert not early.is_echo("Pro keys get 1,000 a minute.", 1)


def test_working_from_the_interviewer_figures_is_not_an_echo():
    fact = "The fleet sees 1.5 million requests per second at peak."
    own = "1.5 million times two checks is 3 million Redis checks a second, so about 60 shards."
    echo, _ = check(("interviewer", fact), ("candidate", own))
    assert not echo.is_echo(own, 2)


def test_a_question_back_is_never_an_echo():
    echo, _ = check(("interviewer", "What latency can you add?"), ("candidate", "What latency?"))
    assert not echo.is_echo("What latency can we add?", 2)


def test_word_forms_do_not_hide_an_echo():
    fact = "Rejections get a 429 with Retry-After, and every response carries quota headers."
    said = "So rejections get a 429 and Retry After, and responses carry the quota header."
    echo, _ = check(("interviewer", fact), ("candidate", said))
    assert echo.is_echo(said, 2)
