"""Is the answer about this problem: defining concepts per phase, and pasted designs."""

from __future__ import annotations

from problems.loader import load_bank
from rubrics.text import Sentence
from rubrics.topicality import check_topicality, missing_concepts

BANK = load_bank()


def said(phase: str, *texts: str) -> list[Sentence]:
    return [Sentence(n, float(n), phase, text) for n, text in enumerate(texts, start=1)]


def test_every_problem_names_defining_concepts_for_its_design_phases():
    for problem in BANK:
        assert problem.defining_concepts["high_level_design"], problem.id
        assert problem.defining_concepts["deep_dive"], problem.id


def test_a_semantic_cache_without_embeddings_misses_its_defining_concept():
    problem = BANK.get("semantic-cache")
    exact = said("high_level_design", "A proxy hashes the prompt and looks it up in Redis.")
    assert "high_level_design" in missing_concepts(problem, exact)
    meaning = said(
        "high_level_design", "The proxy embeds the question and searches a vector index."
    )
    assert "high_level_design" not in missing_concepts(problem, meaning)


def test_concepts_match_whole_words_in_their_own_phase_only():
    problem = BANK.get("semantic-cache")
    # Said while clarifying, the embedding does not make the high-level design about it.
    early = said("clarify", "Would we embed the question and use a vector index?")
    assert "high_level_design" in missing_concepts(problem, early)
    # "embeddable" is not "embed".
    partial = said("high_level_design", "The widget is embeddable in any page.")
    assert "high_level_design" in missing_concepts(problem, partial)


def test_a_design_for_another_problem_is_flagged_as_pasted():
    problem = BANK.get("rate-limiter")
    cache_design = said(
        "high_level_design",
        "Clients hash each key onto a consistent hashing ring with virtual nodes.",
        "Every shard keeps three replicas and evicts with LRU when memory fills up.",
        "Reads are cache-aside: on a miss we read the database and write back with a TTL.",
        "Hot keys get a near cache, and gossip tells every node which peers are alive.",
        "Write-through keeps the cache and the database in step; invalidation follows writes.",
    )
    topicality = check_topicality(problem, cache_design, BANK)
    assert topicality.pasted and topicality.closest == "distributed-cache"
    assert "distributed-cache" in topicality.describe()


def test_an_answer_about_the_problem_is_not_pasted():
    problem = BANK.get("rate-limiter")
    design = said(
        "high_level_design",
        "The gateway middleware checks a token bucket per API key in Redis with a Lua script.",
        "Over the limit it returns 429 with Retry-After; rules come from a rules service.",
    ) + said("deep_dive", "The sliding window weighs the previous window's count by overlap.")
    topicality = check_topicality(problem, design, BANK)
    assert not topicality.pasted and topicality.fit > topicality.closest_fit


def test_a_concept_placed_somewhere_is_said_about_not_dropped_in_passing():
    problem = BANK.get("model-registry")
    placed = said(
        "high_level_design",
        "Lineage goes in the metadata JSON: dataset name, git commit and training parameters.",
        "A promotion API moves a version from staging to canary to prod.",
    )
    assert "high_level_design" not in missing_concepts(problem, placed)
    passing = said("high_level_design", "Lineage too.", "Staging, canary and prod as well.")
    assert "high_level_design" in missing_concepts(problem, passing)
