"""Training and evaluation on the real labeled postings (slow; needs the shared corpus)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from jdanalyzer.cli import app
from jdanalyzer.model import LABELS
from jdanalyzer.training import cross_validate, keyword_rule, load_labeled, train_model

pytestmark = [pytest.mark.slow, pytest.mark.corpus]


@pytest.fixture(scope="module")
def labeled(corpus_dir: Path) -> pd.DataFrame:
    frame, data = load_labeled(corpus_dir / "postings.csv.gz", corpus_dir / "labels-train.csv")
    assert data["n_labeled"] == len(frame) and data["heldout_excluded"] > 0
    return frame


def test_heldout_postings_are_never_loaded(labeled: pd.DataFrame, heldout_ids: set[str]) -> None:
    assert not set(labeled["posting_id"]) & heldout_ids
    assert set(labeled["label"]) == set(LABELS)
    # Groups are companies: one employer's postings share a group.
    assert labeled["group"].nunique() < len(labeled)


def test_training_is_deterministic(labeled: pd.DataFrame) -> None:
    train = labeled.groupby("label", group_keys=False).head(40)
    test = labeled.drop(train.index).head(40)
    first = train_model(train).predict_proba(test)
    second = train_model(train).predict_proba(test)
    np.testing.assert_array_equal(first, second)


def test_cross_validation_reports_model_and_baselines(labeled: pd.DataFrame) -> None:
    subset = labeled.groupby("label", group_keys=False).head(30)
    report = cross_validate(subset, n_splits=2)
    assert set(report.results) == {"model", "tfidf_only", "majority", "keyword_rule"}
    for result in report.results.values():
        assert 0 <= result["macro_f1"] <= 1
        assert np.asarray(result["confusion"]).sum() == len(subset)
    assert report.results["model"]["macro_f1"] > report.results["majority"]["macro_f1"]
    assert set(report.per_source) == set(subset["source"])
    assert report.oof is not None and len(report.oof) == len(subset)


def test_keyword_rule_reads_the_sides() -> None:
    terms = pd.Series([
        "skill:llm skill:rag skill:vllm task:deploy_models",
        "skill:tableau skill:ab_testing skill:statistics",
        "skill:python",
    ])
    assert list(keyword_rule(terms)) == ["ai_engineer", "data_scientist", "other"]


def test_evaluate_command_prints_the_tables(corpus_dir: Path, tmp_path: Path) -> None:
    labels = pd.read_csv(corpus_dir / "labels-train.csv")
    small = labels.groupby("label", group_keys=False).head(15)
    small.to_csv(tmp_path / "labels.csv", index=False)
    result = CliRunner().invoke(app, [
        "evaluate", "--postings", str(corpus_dir / "postings.csv.gz"),
        "--labels", str(tmp_path / "labels.csv"), "--heldout", str(corpus_dir / "heldout-ids.txt"),
        "--folds", "2",
    ])
    assert result.exit_code == 0, result.stderr
    for heading in ("macro-F1", "Confusion matrix", "Reliability", "Macro-F1 per source"):
        assert heading in result.stdout


def test_unknown_labels_are_refused(corpus_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_text("posting_id,label\nx,astronaut\n")
    result = CliRunner().invoke(app, [
        "evaluate", "--postings", str(corpus_dir / "postings.csv.gz"),
        "--labels", str(tmp_path / "labels.csv"),
    ])
    assert result.exit_code == 2
    assert "unknown label(s) ['astronaut']" in result.stderr
