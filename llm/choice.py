"""Choosing a model, the one way the interviewer and the judge both do it.

A name is ``offline``, ``provider:model`` or an alias (:mod:`llm.model_ids`). With no name, a
configured Anthropic key wins, then an OpenAI key or an OpenAI-compatible base URL; with none
of them the choice is offline, and the reason says so. The wiring (``core/wiring.py``) calls
this with the settings; nothing in the engine reads settings itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llm.anthropic_models import AnthropicModel
from llm.clients import Credentials, anthropic_client, openai_client
from llm.fake import FakeModel
from llm.model import Model
from llm.model_ids import ModelId, parse_model_id
from llm.openai_models import OpenAIModel
from llm.prices import price_key

__all__ = ["Choice", "Models"]

OFFLINE = "offline"


@dataclass(frozen=True)
class Choice:
    """The model chosen (None: offline) and why, in words a user can read."""

    model: Model | None
    reason: str


@dataclass
class Models:
    """Builds models from names, one SDK client per provider shared by all of them."""

    credentials: Credentials
    default_openai: str = "gpt-4.1-mini"
    default_anthropic: str = "claude-sonnet-4-6"
    _clients: dict[str, object] = field(default_factory=dict)

    def _client(self, provider: str):
        if provider not in self._clients:
            build = openai_client if provider == "openai" else anthropic_client
            self._clients[provider] = build(self.credentials)
        return self._clients[provider]

    def build(self, model: ModelId) -> Model:
        """The model for ``model``; raises :class:`UnknownModelError` if its provider is not
        configured."""
        self.credentials.require(model)
        if model.provider == "openai":
            key = price_key(str(model), base_url=self.credentials.openai_base_url)
            return OpenAIModel(model.name, self._client("openai"), price_key=key)
        if model.provider == "anthropic":
            return AnthropicModel(model.name, self._client("anthropic"))
        return FakeModel(model.name)

    def resolve(self, name: str) -> Model:
        return self.build(parse_model_id(name))

    def choose(self, name: str, *, setting: str) -> Choice:
        """``name`` (as given in ``setting``, say ``JUDGE_MODEL``), or else the default."""
        name = name.strip()
        if name.lower() == OFFLINE:
            return Choice(None, f"chosen in {setting}")
        if name:
            return Choice(self.resolve(name), f"chosen in {setting}")
        if self.credentials.configured("anthropic"):
            model = ModelId("anthropic", self.default_anthropic)
            return Choice(self.build(model), "ANTHROPIC_API_KEY is set")
        if self.credentials.configured("openai"):
            key_set = self.credentials.openai_api_key
            reason = "OPENAI_API_KEY is set" if key_set else "OPENAI_BASE_URL is set"
            return Choice(self.build(ModelId("openai", self.default_openai)), reason)
        return Choice(None, "no API key configured")
