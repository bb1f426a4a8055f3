"""Choosing the interviewer model from the settings.

Models are named ``provider:model`` (``openai:gpt-4.1-mini``, ``anthropic:claude-sonnet-4-5``) or
``offline``. With no model named, a configured Anthropic key wins, then an OpenAI key or an
OpenAI-compatible base URL; with none of them, the offline interviewer runs, and the app says so.
"""

from __future__ import annotations

from core.settings import Settings
from interviewer.base import Interviewer
from interviewer.offline import OfflineInterviewer

__all__ = ["UnknownModelError", "choose_interviewer", "provider_credentials"]


class UnknownModelError(ValueError):
    """A model name that no configured provider can serve."""


def _secret(value) -> str | None:
    return value.get_secret_value() if value is not None else None


def provider_credentials(
    settings: Settings, provider: str, model: str
) -> tuple[str | None, str | None]:
    """The API key and base URL for ``provider:model``; raises when it is not configured."""
    if provider == "openai":
        if not (settings.openai_api_key or settings.openai_base_url):
            raise UnknownModelError(f"openai:{model} needs OPENAI_API_KEY or OPENAI_BASE_URL")
        return _secret(settings.openai_api_key), settings.openai_base_url
    if provider == "anthropic":
        if not settings.anthropic_api_key:
            raise UnknownModelError(f"anthropic:{model} needs ANTHROPIC_API_KEY")
        return _secret(settings.anthropic_api_key), None
    raise UnknownModelError(
        f"unknown provider {provider!r}: use offline, openai:MODEL or anthropic:MODEL"
    )


def _build(settings: Settings, provider: str, model: str) -> Interviewer:
    api_key, base_url = provider_credentials(settings, provider, model)
    if provider == "openai":
        from interviewer.providers.openai_chat import OpenAIChatInterviewer

        return OpenAIChatInterviewer(
            model=model,
            api_key=api_key,
            base_url=base_url,
            timeout=settings.provider_timeout_seconds,
            context_tokens=settings.context_tokens,
        )
    from interviewer.providers.anthropic_messages import AnthropicInterviewer

    return AnthropicInterviewer(
        model=model,
        api_key=api_key,
        timeout=settings.provider_timeout_seconds,
        context_tokens=settings.context_tokens,
    )


def choose_interviewer(settings: Settings) -> tuple[Interviewer, str]:
    """The interviewer to use and a one-line reason a user can read."""
    name = settings.interviewer_model.strip()
    if name == "offline":
        return OfflineInterviewer(token_delay=settings.offline_token_delay), (
            "chosen in INTERVIEWER_MODEL"
        )
    if name:
        provider, sep, model = name.partition(":")
        if not sep or not model:
            raise UnknownModelError(
                f"INTERVIEWER_MODEL {name!r} should look like openai:MODEL or anthropic:MODEL"
            )
        return _build(settings, provider, model), "chosen in INTERVIEWER_MODEL"
    if settings.anthropic_api_key:
        return _build(settings, "anthropic", settings.anthropic_model), "ANTHROPIC_API_KEY is set"
    if settings.openai_api_key or settings.openai_base_url:
        reason = "OPENAI_API_KEY is set" if settings.openai_api_key else "OPENAI_BASE_URL is set"
        return _build(settings, "openai", settings.openai_model), reason
    return OfflineInterviewer(token_delay=settings.offline_token_delay), ("no API key configured")
