"""Extraction against the hand-annotated gold set (tests/data/extraction_gold.jsonl).

See tests/data/EXTRACTION_GOLD.md for the annotation guidelines. Only posting ids, offsets
and taxonomy ids are stored; the texts come from the shared corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jdanalyzer.extraction.extract import extract_many, prepare_text
from jdanalyzer.extraction.gold import Mention, load_gold, score_mentions
from jdanalyzer.extraction.taxonomy import load_taxonomy

GOLD = Path(__file__).parents[1] / "data" / "extraction_gold.jsonl"
TARGET_PRECISION = 0.90
TARGET_RECALL = 0.80


@pytest.fixture(scope="module")
def gold() -> dict[str, list[Mention]]:
    return load_gold(GOLD)


@pytest.fixture(scope="module")
def gold_texts(gold, corpus_postings) -> dict[str, str]:
    """Raw descriptions of the gold postings (all of them non-held-out)."""
    rows = corpus_postings.set_index("posting_id")
    absent = sorted(set(gold) - set(rows.index))
    assert not absent, f"gold postings missing from the non-held-out corpus: {absent}"
    return {posting_id: rows.at[posting_id, "description"] for posting_id in gold}


@pytest.fixture(scope="module")
def scores(gold, gold_texts) -> dict:
    extractions = dict(zip(gold_texts, extract_many(gold_texts.values()), strict=True))
    return score_mentions(gold, {pid: e.matches for pid, e in extractions.items()})


def test_gold_has_25_postings_none_held_out(gold, heldout_ids):
    assert len(gold) == 25
    assert not set(gold) & heldout_ids


def test_gold_offsets_and_ids_are_valid(gold, gold_texts):
    taxonomy = load_taxonomy()
    for posting_id, mentions in gold.items():
        text, _ = prepare_text(gold_texts[posting_id])
        assert mentions, posting_id
        for m in mentions:
            assert 0 <= m.start < m.end <= len(text), (posting_id, m)
            assert text[m.start:m.end].strip() == text[m.start:m.end], (posting_id, m)
            assert m.kind in ("skill", "task"), (posting_id, m)
            if not m.id.startswith("missing:"):
                assert m.id in taxonomy, (posting_id, m)
                assert taxonomy[m.id].kind == m.kind, (posting_id, m)


def test_extraction_precision_meets_target(scores):
    overall = scores["overlap"]["all"]
    assert overall["precision"] >= TARGET_PRECISION, overall


def test_extraction_recall_meets_target(scores):
    overall = scores["overlap"]["all"]
    assert overall["recall"] >= TARGET_RECALL, overall


def test_score_mentions_overlap_and_exact():
    gold = {"p": [Mention(0, 6, "python", "skill"), Mention(10, 30, "deploy_models", "task")]}
    predicted = {"p": [Mention(0, 6, "python", "skill"), Mention(10, 25, "deploy_models", "task"),
                       Mention(40, 43, "sql", "skill")]}
    result = score_mentions(gold, predicted)
    assert result["overlap"]["all"]["precision"] == pytest.approx(2 / 3)
    assert result["overlap"]["all"]["recall"] == 1.0
    assert result["exact"]["all"]["recall"] == 0.5
    assert result["overlap"]["task"]["f1"] == 1.0
    assert [m.id for _, m in result["false_positives"]] == ["sql"]
    assert result["misses"] == []
