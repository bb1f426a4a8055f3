"""The `interview` command line."""

from __future__ import annotations

import pytest

from cli.main import main
from problems.loader import load_bank


def test_problems_lists_all_30(capsys):
    assert main(["problems"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 30
    assert lines[0].startswith("chat-system")  # classic problems come first


def test_problems_filters_by_category_and_difficulty(capsys):
    assert main(["problems", "--category", "ai", "--difficulty", "expert"]) == 0
    ids = [line.split()[0] for line in capsys.readouterr().out.strip().splitlines()]
    expected = [p.id for p in load_bank().filter(category="ai", difficulty="expert")]
    assert ids == expected
    assert ids and "llm-inference-serving" in ids


def test_show_prints_a_candidate_safe_view(capsys):
    assert main(["problems", "show", "url-shortener"]) == 0
    out = capsys.readouterr().out
    assert "Design a URL shortener (bit.ly). Handle 100B URLs." in out
    problem = load_bank().get("url-shortener")
    for fact in problem.hidden_facts:
        assert fact.answer not in out


def test_show_of_an_unknown_id_is_one_line_on_stderr(capsys):
    assert main(["problems", "show", "nope"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "interview: unknown problem id 'nope' (see `interview problems`)"
    assert captured.out == ""


def test_bad_arguments_exit_with_a_usage_message(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["problems", "--category", "nonsense"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_invalid_configuration_is_one_line_not_a_traceback(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORT", "not-a-port")
    assert main(["serve"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("interview: invalid configuration: port:")
    assert "\n" not in err
