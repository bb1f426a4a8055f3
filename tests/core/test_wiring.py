"""Which interviewer and which judge run, from the settings: one way for both."""

from __future__ import annotations

import pytest

from core.settings import Settings
from core.wiring import UnknownModelError, choose_interviewer, choose_judge, models_from
from rubrics.heuristic import HeuristicJudge
from rubrics.llm_judge import LLMJudge


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_no_key_means_offline_for_both_and_says_why():
    interviewer, reason = choose_interviewer(settings())
    assert interviewer.offline and interviewer.model_id == "offline"
    assert reason == "no API key configured"
    assert isinstance(choose_judge(settings()), HeuristicJudge)


def test_an_anthropic_key_picks_anthropic_for_both():
    configured = settings(anthropic_api_key="sk-ant-test", openai_api_key="sk")
    interviewer, reason = choose_interviewer(configured)
    assert interviewer.model_id == "anthropic:claude-sonnet-4-6" and not interviewer.offline
    assert reason == "ANTHROPIC_API_KEY is set"
    judge = choose_judge(configured)
    assert isinstance(judge, LLMJudge) and judge.name == "anthropic:claude-sonnet-4-6"


def test_a_base_url_alone_picks_a_local_openai_compatible_server_priced_as_self_hosted():
    interviewer, reason = choose_interviewer(
        settings(openai_base_url="http://127.0.0.1:11434/v1", openai_model="llama3.1")
    )
    assert interviewer.model_id == "openai:llama3.1"
    assert interviewer.price_key == "openai-compatible:llama3.1"
    assert reason == "OPENAI_BASE_URL is set"


def test_an_explicit_model_or_alias_wins_over_keys():
    keys = {"openai_api_key": "sk-test", "anthropic_api_key": "sk-ant"}
    interviewer, reason = choose_interviewer(settings(**keys, interviewer_model="openai:o4"))
    assert interviewer.model_id == "openai:o4" and reason == "chosen in INTERVIEWER_MODEL"
    interviewer, _ = choose_interviewer(settings(**keys, interviewer_model="haiku"))
    assert interviewer.model_id == "anthropic:claude-haiku-4-5"
    offline, _ = choose_interviewer(settings(openai_api_key="sk", interviewer_model="offline"))
    assert offline.offline
    assert choose_judge(settings(**keys), "gpt-4o-mini").name == "openai:gpt-4o-mini"
    assert isinstance(choose_judge(settings(**keys), "offline"), HeuristicJudge)


def test_the_fake_model_needs_no_key():
    interviewer, _ = choose_interviewer(settings(interviewer_model="fake:demo"))
    assert interviewer.model_id == "fake:demo" and not interviewer.offline
    assert choose_judge(settings(), "fake").name == "fake:scripted"


def test_the_interviewer_and_the_judge_share_one_client_per_provider():
    models = models_from(settings(openai_api_key="sk"))
    assert models.resolve("openai:a").client is models.resolve("openai:b").client


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("gpt4o", "gpt4o is not provider:model"),
        ("mistral:large", "unknown provider 'mistral'"),
        ("openai:", "no model name after the colon"),
        ("anthropic:claude", "needs ANTHROPIC_API_KEY"),
        ("openai:gpt", "needs OPENAI_API_KEY or OPENAI_BASE_URL"),
    ],
)
def test_bad_model_names_are_refused_with_a_reason(model, message):
    with pytest.raises(UnknownModelError, match=message) as caught:
        choose_interviewer(settings(interviewer_model=model))
    assert caught.value.name == model
    with pytest.raises(UnknownModelError, match=message):
        choose_judge(settings(), model)
