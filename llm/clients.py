"""Credentials, and the SDK clients built from them: one way, for the interviewer and the judge.

Every client has the SDK's own retries off (:mod:`llm.retry` is the only retry layer) and a
timeout of our choosing (the SDKs default to ten minutes); connections are pooled by the SDK's
own HTTP client.
"""

from __future__ import annotations

from dataclasses import dataclass

from anthropic import AsyncAnthropic
from openai import AsyncOpenAI

from llm.model_ids import ModelId, UnknownModelError

__all__ = ["Credentials", "anthropic_client", "openai_client"]

# Local servers accept any key, and the SDK insists on one.
NO_KEY = "not-needed"


@dataclass(frozen=True)
class Credentials:
    """Where the providers are and the keys to them. ``openai_base_url`` names an
    OpenAI-compatible server (vLLM, Ollama, llama.cpp) in place of OpenAI's API."""

    openai_api_key: str | None = None
    openai_base_url: str | None = None
    anthropic_api_key: str | None = None
    anthropic_base_url: str | None = None
    timeout: float = 60.0

    def configured(self, provider: str) -> bool:
        if provider == "openai":
            return bool(self.openai_api_key or self.openai_base_url)
        if provider == "anthropic":
            return bool(self.anthropic_api_key)
        return provider == "fake"

    def require(self, model: ModelId) -> None:
        """Raise :class:`UnknownModelError` when ``model``'s provider is not configured."""
        if self.configured(model.provider):
            return
        needs = {"openai": "OPENAI_API_KEY or OPENAI_BASE_URL", "anthropic": "ANTHROPIC_API_KEY"}
        raise UnknownModelError(str(model), f"needs {needs[model.provider]}")

    def base_url(self, provider: str) -> str | None:
        return self.openai_base_url if provider == "openai" else self.anthropic_base_url


def openai_client(credentials: Credentials) -> AsyncOpenAI:
    return AsyncOpenAI(
        api_key=credentials.openai_api_key or NO_KEY,
        base_url=credentials.openai_base_url,
        timeout=credentials.timeout,
        max_retries=0,
    )


def anthropic_client(credentials: Credentials) -> AsyncAnthropic:
    return AsyncAnthropic(
        api_key=credentials.anthropic_api_key,
        base_url=credentials.anthropic_base_url,
        timeout=credentials.timeout,
        max_retries=0,
    )
