"""`interview grade FILE.json`: progress on stderr, the scorecard on stdout, one-line errors."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from cli.main import main
from tests.rubrics.labelled_set import LABELLED

STRONG = LABELLED / "url-shortener__strong.json"
RECOMMENDATIONS = {"strong_no_hire", "no_hire", "lean_no_hire", "lean_hire", "hire", "strong_hire"}


def test_json_output_has_the_documented_fields(capsys):
    assert main(["grade", str(STRONG), "--json", "--judge", "offline"]) == 0
    captured = capsys.readouterr()
    card = json.loads(captured.out)
    assert card["recommendation"] in RECOMMENDATIONS
    assert 0 <= card["score"] <= 100
    assert all({"id", "score"} <= set(d) for d in card["dimensions"])
    assert len(card["dimensions"]) == 10
    # Progress goes to stderr, one line per dimension, so stdout stays pure JSON.
    assert "[10/10]" in captured.err and "Grading url-shortener__strong.json" in captured.err


def test_the_default_output_is_a_readable_scorecard(capsys):
    assert main(["grade", str(STRONG)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Scorecard: URL shortener")
    assert "## Estimation check" in out and "## Most valuable improvements" in out


def test_the_level_changes_the_bar(capsys):
    medium = str(LABELLED / "rate-limiter__medium.json")
    verdicts = {}
    for level in ("mid", "staff"):
        main(["grade", medium, "--json", "--level", level])
        verdicts[level] = json.loads(capsys.readouterr().out)
    assert verdicts["mid"]["score"] == verdicts["staff"]["score"]
    order = sorted(
        RECOMMENDATIONS,
        key=list(
            ["strong_no_hire", "no_hire", "lean_no_hire", "lean_hire", "hire", "strong_hire"]
        ).index,
    )
    assert order.index(verdicts["mid"]["recommendation"]) > order.index(
        verdicts["staff"]["recommendation"]
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        ('{"problem": "url-shortener", "duration_s": 2700, "events": [{"t": 1}]}', "events.0"),
        ('{"problem": "pizza-oven", "duration_s": 2700, "events": []}', "pizza-oven"),
    ],
)
def test_bad_files_get_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "t.json"
    if content is not None:
        path.write_text(content)
    assert main(["grade", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("interview: ") and message in err and "\n" not in err


def test_an_unconfigured_judge_is_one_line(capsys):
    assert main(["grade", str(STRONG), "--judge", "anthropic:claude-x"]) == 2
    assert (
        capsys.readouterr().err.strip() == "interview: anthropic:claude-x needs ANTHROPIC_API_KEY"
    )


@respx.mock(assert_all_mocked=True)
def test_a_provider_judge_is_used_when_named(respx_mock, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://openai.test/v1")
    answer = json.dumps({"evidence": [], "reasoning": "thin", "score": 2})
    route = respx_mock.post("https://openai.test/v1/chat/completions").mock(
        return_value=httpx.Response(
            200,
            json={
                "id": "c",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            },
        )
    )
    assert main(["grade", str(STRONG), "--json", "--judge", "openai:local-model"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert route.call_count == 9 and card["judge"] == "openai:local-model"
    assert {d["score"] for d in card["dimensions"] if d["id"] != "time_management"} == {2}


@respx.mock(assert_all_mocked=True)
def test_an_incomplete_card_is_printed_without_a_verdict_and_exits_3(
    respx_mock, monkeypatch, capsys
):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://openai.test/v1")
    respx_mock.post("https://openai.test/v1/chat/completions").mock(
        return_value=httpx.Response(503, json={"error": {"message": "overloaded"}})
    )
    assert main(["grade", str(STRONG), "--judge", "openai:local-model"]) == 3
    captured = capsys.readouterr()
    assert "**No recommendation**" in captured.out
    assert "incomplete: 9 of 10 dimensions could not be graded" in captured.out
    assert "Strong hire" not in captured.out and "/100" not in captured.out
    assert "unscored" in captured.out  # an unscored dimension is never shown as a score
    last = captured.err.strip().splitlines()[-1]
    assert "no recommendation" in last and "regrade" in last
