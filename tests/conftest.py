"""Shared fixtures: a temporary data directory, a fake clock, and the app in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from interviewer.clock import FakeClock
from interviewer.offline import OfflineInterviewer
from web.app import make_app

PROVIDER_AND_SERVER_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "INTERVIEWER_MODEL",
    "JUDGE_MODEL",
    "DATABASE_URL",
    "SECRET_KEY",
    "DATA_DIR",
    "HOST",
    "PORT",
)


@pytest.fixture(autouse=True)
def _no_real_configuration(monkeypatch):
    """Tests never pick up a developer's keys or database from the environment."""
    for name in PROVIDER_AND_SERVER_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-0123456789",
        offline_token_delay=0,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(settings: Settings, clock: FakeClock):
    return make_app(settings, clock=clock, interviewer=OfflineInterviewer())


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
