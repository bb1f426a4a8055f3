"""bench/judge_agreement.py: the agreement figures it prints, offline and with an LLM judge."""

from __future__ import annotations

import json

import pytest

import bench.judge_agreement as bench
from bench.judge_agreement import Agreement, agreement, kendall_tau_b
from llm import ModelId, StructuredReply, Usage
from rubrics.llm_judge import LLMJudge
from tests.rubrics.labelled_set import Labelled


class _Card:
    def __init__(self, score, recommendation):
        self.score, self.recommendation = score, recommendation


def test_the_figures_count_pairs_bands_and_steps():
    rows = [
        Labelled("a", "p", "strong", "strong_hire", "standard", None),
        Labelled("b", "p", "medium", "lean_no_hire", "standard", None),
        Labelled("c", "p", "weak", "no_hire", "standard", None),
        Labelled("d", "q", "weak", "strong_no_hire", "echo", None),
    ]
    cards = {
        "a": _Card(90, "strong_hire"),
        "b": _Card(30, "no_hire"),  # one band low: still within one step
        "c": _Card(40, "lean_no_hire"),  # above the medium: a tier pair and a band pair wrong
        "d": _Card(None, None),  # incomplete: ranks last, no band
    }
    result = agreement(rows, cards)
    assert isinstance(result, Agreement)
    assert result.tier_pairs == (2, 3)
    assert result.band_pairs == (5, 6)
    assert result.within_one == (3, 4) and result.exact == (1, 4)
    assert any("c" in miss for miss in result.misses)


def test_kendall_tau_is_one_for_the_same_order_and_minus_one_reversed():
    assert kendall_tau_b([1, 2, 3], [10, 20, 30]) == 1.0
    assert kendall_tau_b([1, 2, 3], [30, 20, 10]) == -1.0


def test_the_offline_run_prints_both_sets(capsys):
    bench.main(["--set", "fresh", "--quiet"])
    out = capsys.readouterr().out
    assert "== fresh: 17 transcripts on 4 problems" in out
    for line in ("within-problem tier pairs", "band pairs", "band within one step", "Kendall"):
        assert line in out


def test_an_llm_judge_with_samples_reports_the_spread(monkeypatch, capsys):
    answers = iter([2, 3, 4] * 10_000)

    class Client:
        id = ModelId("openai", "fake")
        price_key = "openai:fake"

        async def structured(self, prompt):
            text = json.dumps({"evidence": [], "reasoning": "r", "score": next(answers)})
            return StructuredReply(text, Usage(input_tokens=100, output_tokens=10))

    def fake_choose(settings, name, *, samples=1):
        assert name == "openai:fake" and samples == 3
        return LLMJudge(Client(), samples=samples, concurrency=8)

    monkeypatch.setattr(bench, "choose_judge", fake_choose)
    bench.main(["--set", "fresh", "--quiet", "--judge", "openai:fake", "--samples", "3"])
    out = capsys.readouterr().out
    assert "judge: openai:fake (judge.v2)" in out
    assert "sample spread per dimension: mean 2.00, max 2" in out
    assert "model calls" in out


def test_any_folder_with_a_manifest_can_be_measured(tmp_path, capsys):
    source = bench.SETS["fresh"]
    row = json.loads((source / "manifest.json").read_text())[0]
    (tmp_path / row["file"]).write_text((source / row["file"]).read_text())
    (tmp_path / "manifest.json").write_text(json.dumps([row]))
    bench.main(["--dir", str(tmp_path), "--quiet"])
    out = capsys.readouterr().out
    assert f"== {tmp_path}: 1 transcripts on 1 problems" in out and "graded 1 in" in out


def test_a_folder_without_a_manifest_or_with_a_bad_row_is_a_one_line_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--dir", str(tmp_path)])
    assert exit_.value.code == 2 and "has no manifest.json" in capsys.readouterr().err
    (tmp_path / "manifest.json").write_text(json.dumps([{"file": "x.json"}]))
    with pytest.raises(SystemExit):
        bench.main(["--dir", str(tmp_path)])
    assert "KeyError" in capsys.readouterr().err


def test_a_dry_run_takes_the_llm_judges_whole_path_with_the_scripted_model(capsys):
    bench.main(["--set", "fresh", "--quiet", "--dry-run", "--judge", "anthropic:claude-haiku-4-5"])
    out = capsys.readouterr().out
    assert "in place of anthropic:claude-haiku-4-5" in out and "judge: fake:dry-run" in out
    calls = int(out.split(" model calls")[0].rsplit(" ", 1)[-1])
    dollars = float(out.rsplit("$", 1)[-1])
    assert calls >= 17 * 9 and dollars > 0  # priced as the model it stands in for


def test_a_judge_that_cannot_be_chosen_is_a_one_line_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--judge", "acme:model"])
    assert exit_.value.code == 2 and "unknown provider 'acme'" in capsys.readouterr().err
