"""A real `interview serve` process, driven over HTTP and SSE by a real client."""

from __future__ import annotations

from scripts.e2e_check import run


def test_served_app_streams_persists_and_survives_a_restart():
    result = run()
    assert result["messages"] == 3
    assert result["opening_tokens"] > 20
    assert result["fake_model_events"] > 2  # the model path, on the scripted fake model
