"""The problem bank: all 30 problems load, validate, and their arithmetic holds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from problems.loader import (
    BANK_DIR,
    ProblemBank,
    ProblemFileError,
    load_bank,
    load_problem_file,
)
from problems.phases import PHASE_IDS

FIXED_IDS = {
    "url-shortener", "rate-limiter", "news-feed", "payment-processor", "typeahead",
    "notification-system", "metrics-monitoring", "distributed-cache", "job-scheduler",
    "chat-system", "llm-inference-serving", "enterprise-rag", "semantic-cache",
    "agent-orchestrator", "llm-observability", "multitenant-vector-search",
    "fine-tuning-pipeline", "prompt-management", "image-generation", "code-review-bot",
    "voice-assistant", "gpu-autoscaler", "llm-guardrails", "llm-gateway", "ai-act-evidence",
    "embeddings-refresh", "distributed-training-scheduler", "llm-api-platform",
    "ai-workflow-testing", "model-registry",
}  # fmt: skip
SHARED_PROBLEMS = Path(__file__).resolve().parents[3] / "shared" / "PROBLEMS.md"
BANK = load_bank()
ALL = sorted(BANK, key=lambda problem: problem.id)


def test_the_30_fixed_ids_load():
    assert {problem.id for problem in BANK} == FIXED_IDS
    assert len(BANK.filter(category="classic")) == 10
    assert len(BANK.filter(category="ai")) == 20


def test_statements_match_the_shared_problem_list():
    if not SHARED_PROBLEMS.exists():
        pytest.skip(f"{SHARED_PROBLEMS} is not beside this checkout")
    rows = {}
    for line in SHARED_PROBLEMS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] in FIXED_IDS:
            rows[cells[0]] = cells[1]
    assert rows == {problem.id: problem.statement for problem in BANK}


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.id)
def test_every_reference_estimate_lands_in_its_stated_range(problem):
    for estimate in problem.reference_estimates:
        value = estimate.compute()
        low, high = estimate.expected_range
        assert low <= value <= high, f"{estimate.name}: {value:.4g} {estimate.unit}"


@pytest.mark.parametrize("problem", ALL, ids=lambda p: p.id)
def test_every_problem_is_a_complete_brief(problem):
    assert set(problem.key_points) == set(PHASE_IDS)
    assert len(problem.hidden_facts) >= 5
    assert {curveball.phase for curveball in problem.curveballs} <= set(PHASE_IDS)
    kinds = {curveball.kind for curveball in problem.curveballs}
    assert {"load_spike", "failure"} <= kinds
    assert kinds & {"scale_out", "requirement_change"}


@pytest.mark.parametrize("path", sorted(BANK_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_keywords_are_written_as_strings_in_the_yaml(path):
    # YAML turns unquoted 301 into an int and 1:1 into 61; keywords must be quoted text.
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = raw["hidden_facts"] + [kp for kps in raw["key_points"].values() for kp in kps]
    for entry in entries:
        assert all(isinstance(word, str) for word in entry["keywords"]), entry


def _write_variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((BANK_DIR / "url-shortener.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / f"{data.get('id', 'url-shortener')}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d.pop("hidden_facts"), "hidden_facts"),
        (lambda d: d.pop("reference_estimates"), "reference_estimates"),
        (lambda d: d["key_points"].pop("monitoring"), "monitoring"),
        (lambda d: d["key_points"].update(whiteboard=d["key_points"]["clarify"]), "whiteboard"),
        (lambda d: d["curveballs"][0].update(phase="coffee_break"), "coffee_break"),
        (lambda d: d.update(category="misc"), "category"),
        (lambda d: d.update(surprise="field"), "surprise"),
        (lambda d: d["reference_estimates"][0].update(expected_range=[60, 40]), "low > high"),
    ],
    ids=[
        "missing-section",
        "missing-estimates",
        "missing-phase",
        "unknown-phase-key-point",
        "unknown-phase-curveball",
        "bad-category",
        "unknown-field",
        "reversed-range",
    ],
)
def test_schema_rejects_broken_files(tmp_path, change, complaint):
    path = _write_variant(tmp_path, change)
    with pytest.raises(ProblemFileError, match=complaint):
        load_problem_file(path)


def test_duplicate_ids_are_rejected():
    problem = BANK.get("url-shortener")
    with pytest.raises(ProblemFileError, match="duplicate problem id 'url-shortener'"):
        ProblemBank([problem, problem])


def test_a_file_whose_id_differs_from_its_name_is_rejected(tmp_path):
    text = (BANK_DIR / "url-shortener.yaml").read_text(encoding="utf-8")
    (tmp_path / "other-name.yaml").write_text(text)
    with pytest.raises(ProblemFileError, match="does not match the file name"):
        load_bank(tmp_path)


def test_a_wrong_estimate_is_caught_by_the_range_check(tmp_path):
    def break_arithmetic(data):
        data["reference_estimates"][0]["inputs"]["bytes_per_record"] = 5000

    problem = load_problem_file(_write_variant(tmp_path, break_arithmetic))
    assert not problem.reference_estimates[0].is_consistent()
