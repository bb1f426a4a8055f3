"""Which interviewer runs, from the settings."""

from __future__ import annotations

import pytest

from core.settings import Settings
from interviewer.registry import UnknownModelError, choose_interviewer


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_no_key_means_offline_and_says_why():
    interviewer, reason = choose_interviewer(settings())
    assert interviewer.offline and interviewer.model_id == "offline"
    assert reason == "no API key configured"


def test_an_anthropic_key_picks_anthropic():
    interviewer, reason = choose_interviewer(settings(anthropic_api_key="sk-ant-test"))
    assert interviewer.model_id == "anthropic:claude-sonnet-4-6"
    assert not interviewer.offline
    assert reason == "ANTHROPIC_API_KEY is set"


def test_a_base_url_alone_picks_a_local_openai_compatible_server():
    interviewer, reason = choose_interviewer(
        settings(openai_base_url="http://127.0.0.1:11434/v1", openai_model="llama3.1")
    )
    assert interviewer.model_id == "openai:llama3.1"
    assert reason == "OPENAI_BASE_URL is set"


def test_an_explicit_model_wins_over_keys():
    interviewer, _ = choose_interviewer(
        settings(
            openai_api_key="sk-test", anthropic_api_key="sk-ant", interviewer_model="openai:o4"
        )
    )
    assert interviewer.model_id == "openai:o4"
    offline, _ = choose_interviewer(settings(openai_api_key="sk", interviewer_model="offline"))
    assert offline.offline


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("gpt-4o", "should look like"),
        ("mistral:large", "unknown provider"),
        ("anthropic:claude", "needs ANTHROPIC_API_KEY"),
        ("openai:gpt", "needs OPENAI_API_KEY"),
    ],
)
def test_bad_model_names_are_refused_with_a_reason(model, message):
    with pytest.raises(UnknownModelError, match=message):
        choose_interviewer(settings(interviewer_model=model))
