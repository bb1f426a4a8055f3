"""Putting the pieces together from the settings, once, for the web app and the CLI alike.

This is the only place that reads the settings to choose models: the engine and the judges
are handed what they use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from core.settings import Settings
from interviewer.base import Interviewer
from interviewer.clock import Clock, SystemClock
from interviewer.model_interviewer import ModelInterviewer
from interviewer.offline import OfflineInterviewer
from interviewer.service import InterviewService, Offload
from llm import Credentials, Models, UnknownModelError
from llm.prices import load_price_table
from problems.loader import ProblemBank, load_bank
from problems.phases import load_phase_plan
from rubrics.heuristic import HeuristicJudge
from rubrics.judge import Judge
from storage.db import make_engine
from storage.events import SessionStore
from storage.migrations import migrate

__all__ = [
    "UnknownModelError",
    "Wired",
    "build_service",
    "choose_interviewer",
    "choose_judge",
    "models_from",
]


def _secret(value) -> str | None:
    return value.get_secret_value() if value is not None else None


def models_from(settings: Settings) -> Models:
    """The models the settings' keys and URLs can reach."""
    credentials = Credentials(
        openai_api_key=_secret(settings.openai_api_key),
        openai_base_url=settings.openai_base_url,
        anthropic_api_key=_secret(settings.anthropic_api_key),
        anthropic_base_url=settings.anthropic_base_url,
        timeout=settings.provider_timeout_seconds,
    )
    return Models(
        credentials,
        default_openai=settings.openai_model,
        default_anthropic=settings.anthropic_model,
    )


def choose_interviewer(settings: Settings, models: Models | None = None) -> tuple[Interviewer, str]:
    """The interviewer ``INTERVIEWER_MODEL`` names (or the default), and why."""
    models = models or models_from(settings)
    choice = models.choose(settings.interviewer_model, setting="INTERVIEWER_MODEL")
    if choice.model is None:
        return OfflineInterviewer(token_delay=settings.offline_token_delay), choice.reason
    return ModelInterviewer(choice.model, context_tokens=settings.context_tokens), choice.reason


def choose_judge(
    settings: Settings,
    name: str | None = None,
    *,
    samples: int = 1,
    models: Models | None = None,
) -> Judge:
    """The judge ``name`` names (else ``JUDGE_MODEL``, else the default): the heuristic judge
    offline, an LLM judge otherwise."""
    from rubrics.llm_judge import LLMJudge

    models = models or models_from(settings)
    setting = "the request" if name is not None else "JUDGE_MODEL"
    choice = models.choose(name if name is not None else settings.judge_model, setting=setting)
    if choice.model is None:
        return HeuristicJudge()
    return LLMJudge(
        choice.model,
        timeout=settings.provider_timeout_seconds,
        samples=samples,
        price_table=load_price_table(settings.price_table),
    )


@dataclass(frozen=True)
class Wired:
    service: InterviewService
    engine: Engine
    interviewer_reason: str
    models: Models = field(compare=False)


def build_service(
    settings: Settings,
    *,
    clock: Clock | None = None,
    interviewer: Interviewer | None = None,
    bank: ProblemBank | None = None,
    offload: Offload | None = None,
) -> Wired:
    """Open (and migrate) the database and build the interview service."""
    models = models_from(settings)
    if interviewer is None:
        interviewer, reason = choose_interviewer(settings, models)
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
    return Wired(service, engine, reason, models)
