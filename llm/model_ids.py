"""Model ids: ``provider:model``, the short names people type, and the error for a bad one.

``openai:`` models run on OpenAI's API or on any OpenAI-compatible server (vLLM, Ollama,
llama.cpp) named by ``OPENAI_BASE_URL``, so any model name goes there. ``anthropic:`` models
run on Anthropic's Messages API. ``fake:`` models are the scripted model of :mod:`llm.fake`:
no network, for tests, dry runs and demos. ``offline`` is not a model: it names the rule-based
interviewer and the heuristic judge, and is handled by whoever chooses.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALIASES", "PROVIDERS", "ModelId", "UnknownModelError", "parse_model_id"]

PROVIDERS = ("openai", "anthropic", "fake")
# Short names, resolved to full ids. Full ids are never looked up here: a new model works
# under its full id the day it ships.
ALIASES = {
    "gpt-4.1": "openai:gpt-4.1",
    "gpt-4.1-mini": "openai:gpt-4.1-mini",
    "gpt-4o": "openai:gpt-4o",
    "gpt-4o-mini": "openai:gpt-4o-mini",
    "sonnet": "anthropic:claude-sonnet-4-6",
    "claude-sonnet": "anthropic:claude-sonnet-4-6",
    "haiku": "anthropic:claude-haiku-4-5",
    "claude-haiku": "anthropic:claude-haiku-4-5",
    "opus": "anthropic:claude-opus-4-1",
    "claude-opus": "anthropic:claude-opus-4-1",
    "fake": "fake:scripted",
}


class UnknownModelError(ValueError):
    """A model name that cannot be served: bad syntax, an unknown provider or alias, or a
    provider whose key or URL is not configured. ``name`` is what was asked for."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name} {reason}" if name else f"no model named: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class ModelId:
    provider: str
    name: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.name}"


def parse_model_id(name: str) -> ModelId:
    """``provider:model`` or an alias, as a :class:`ModelId`."""
    raw = name.strip()
    full = ALIASES.get(raw.lower(), raw)
    provider, sep, model = full.partition(":")
    if not sep:
        known = ", ".join(sorted(ALIASES))
        raise UnknownModelError(
            raw, f"is not provider:model (openai:, anthropic:, fake:) nor one of {known}"
        )
    if provider not in PROVIDERS:
        raise UnknownModelError(
            raw, f"has an unknown provider {provider!r}; use one of {', '.join(PROVIDERS)}"
        )
    if not model.strip() or any(char.isspace() for char in model):
        raise UnknownModelError(raw, "has no model name after the colon, or one with spaces")
    return ModelId(provider, model)
