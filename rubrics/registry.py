"""Choosing the judge: ``offline`` (the heuristic judge) or ``provider:model``.

With no name given, ``JUDGE_MODEL`` decides; if it is empty, a configured Anthropic key wins,
then an OpenAI key or an OpenAI-compatible base URL, and with none of them the offline judge
grades. The same keys and base URL as the interviewer's are used.
"""

from __future__ import annotations

from core.settings import Settings
from interviewer.registry import UnknownModelError, provider_credentials
from rubrics.heuristic import HeuristicJudge
from rubrics.judge import Judge

__all__ = ["UnknownModelError", "choose_judge"]


def _provider_judge(settings: Settings, provider: str, model: str, samples: int) -> Judge:
    from rubrics.llm_judge import LLMJudge

    try:
        api_key, base_url = provider_credentials(settings, provider, model)
    except UnknownModelError as exc:
        raise UnknownModelError(str(exc).replace("unknown provider", "unknown judge")) from None
    if provider == "openai":
        from rubrics.judge_clients import OpenAIJudgeClient

        client = OpenAIJudgeClient(model=model, api_key=api_key, base_url=base_url)
    else:
        from rubrics.judge_clients import AnthropicJudgeClient

        client = AnthropicJudgeClient(model=model, api_key=api_key)
    return LLMJudge(client, timeout=settings.provider_timeout_seconds, samples=samples)


def choose_judge(settings: Settings, name: str | None = None, *, samples: int = 1) -> Judge:
    name = (name if name is not None else settings.judge_model).strip()
    if name == "offline":
        return HeuristicJudge()
    if name:
        provider, sep, model = name.partition(":")
        if not sep or not model:
            raise UnknownModelError(
                f"judge {name!r} should be offline, openai:MODEL or anthropic:MODEL"
            )
        return _provider_judge(settings, provider, model, samples)
    if settings.anthropic_api_key:
        return _provider_judge(settings, "anthropic", settings.anthropic_model, samples)
    if settings.openai_api_key or settings.openai_base_url:
        return _provider_judge(settings, "openai", settings.openai_model, samples)
    return HeuristicJudge()
