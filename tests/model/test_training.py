"""Training and evaluation on the real labeled postings (slow; needs the shared corpus)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from jdanalyzer.cli.main import app
from jdanalyzer.model.card import headroom_markdown
from jdanalyzer.model.estimator import LABELS
from jdanalyzer.model.training import (
    cross_validate,
    keyword_rule,
    label_agreement,
    learning_curve,
    load_labeled,
    train_model,
)

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
    assert len(report.fold_macro_f1) == 2 and all(0 <= f <= 1 for f in report.fold_macro_f1)


def test_learning_curve_trains_on_growing_shares(labeled: pd.DataFrame) -> None:
    subset = labeled.groupby("label", group_keys=False).head(30)
    rows = learning_curve(subset, fractions=(0.5, 1.0), n_splits=2)
    assert [r["fraction"] for r in rows] == [0.5, 1.0]
    assert rows[0]["labels"] < rows[1]["labels"] <= len(subset)
    full = cross_validate(subset, n_splits=2, baselines=False)
    assert rows[1]["macro_f1"] == full.results["model"]["macro_f1"]  # same folds, same model


def test_label_agreement_counts_matches_on_training_postings(labeled: pd.DataFrame, tmp_path: Path) -> None:
    rows = labeled.groupby("label", group_keys=False).head(3)[["posting_id", "label"]].copy()
    flipped = rows.iloc[0]["label"]
    rows.iloc[0, rows.columns.get_loc("label")] = "other" if flipped != "other" else "hybrid"
    extra = pd.DataFrame({"posting_id": ["not-a-training-posting"], "label": ["other"]})
    path = tmp_path / "second.csv"
    pd.concat([rows, extra]).to_csv(path, index=False)
    result = label_agreement(path, labeled)
    assert result["n"] == 12  # the unknown posting is left out
    assert result["agreement"] == round(11 / 12, 3)
    assert result["per_label"][flipped] == {"n": 3, "agreement": round(2 / 3, 3)}
    assert 0 < result["kappa"] < 1


def test_keyword_rule_reads_the_sides() -> None:
    terms = pd.Series([
        "skill:llm skill:rag skill:vllm task:deploy_models",
        "skill:causal_inference skill:ab_testing skill:statistics",
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


def test_headroom_section_reads_the_figures() -> None:
    from jdanalyzer.model.report import EvalReport

    report = EvalReport(labels=list(LABELS), n_splits=5, fold_macro_f1=[0.70, 0.80])
    report.learning_curve = [{"fraction": 0.5, "labels": 300, "macro_f1": 0.7},
                             {"fraction": 1.0, "labels": 600, "macro_f1": 0.75}]
    report.agreement = {"n": 4, "agreement": 0.75, "kappa": 0.6,
                        "per_label": {"hybrid": {"n": 2, "agreement": 0.5}},
                        "model_vs_training": 0.5, "model_vs_second": 0.75}
    text = headroom_markdown(report)
    assert "ranges from 0.7 to 0.8" in text
    assert "| 50% | 300 | 0.7 |" in text and "+0.050" in text and "about 0.80" in text
    assert "agrees with the training labels on 75%" in text and "`hybrid` 50% of 2" in text
    assert headroom_markdown(EvalReport(labels=list(LABELS), n_splits=5)) == ""


REPO = Path(__file__).resolve().parents[2]


def test_extra_labels_add_postings_and_the_first_label_wins(corpus_dir: Path, tmp_path: Path) -> None:
    train = pd.read_csv(corpus_dir / "labels-train.csv", dtype=str)
    extra = pd.read_csv(REPO / "corpora" / "labels-extra.csv", dtype=str)
    assert not set(extra["posting_id"]) & set(train["posting_id"])
    clash = tmp_path / "clash.csv"
    first = train.iloc[0]
    other = next(lab for lab in LABELS if lab != first["label"])
    pd.DataFrame({"posting_id": [first["posting_id"]], "label": [other]}).to_csv(clash, index=False)
    frame, data = load_labeled(
        corpus_dir / "postings.csv.gz", corpus_dir / "labels-train.csv", annotate=False,
        extra_labels=[REPO / "corpora" / "labels-extra.csv", clash],
    )
    assert data["n_labeled"] == len(frame) == len(train) + len(extra)
    assert frame.set_index("posting_id").loc[first["posting_id"], "label"] == first["label"]
    assert [e["file"] for e in data["extra_labels"]] == ["labels-extra.csv", "clash.csv"]


def test_extra_labels_with_an_unknown_label_are_refused(corpus_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("posting_id,label\nx-1,ml_engineer\n")
    result = CliRunner().invoke(app, [
        "evaluate", "--postings", str(corpus_dir / "postings.csv.gz"),
        "--labels", str(corpus_dir / "labels-train.csv"), "--extra-labels", str(bad),
    ])
    assert result.exit_code != 0
    assert "bad.csv has unknown label(s) ['ml_engineer']" in result.stderr


def test_the_project_labels_are_blind_double_annotations(heldout_ids: set[str]) -> None:
    extra = pd.read_csv(REPO / "corpora" / "labels-extra.csv", dtype=str, keep_default_na=False)
    assert len(extra) >= 1000 and not set(extra["posting_id"]) & heldout_ids
    agreed = extra["annotator_a"] == extra["annotator_b"]
    assert (extra.loc[agreed, "label"] == extra.loc[agreed, "annotator_a"]).all()
    assert (extra.loc[~agreed, "label"] == extra.loc[~agreed, "annotator_c"]).all()
    sentences = pd.read_csv(REPO / "corpora" / "sentence-labels.csv", dtype=str, keep_default_na=False)
    assert not {u.split(":")[0] for u in sentences["unit_id"]} & heldout_ids
    assert set(sentences["label"]) <= {"ai_engineering", "data_science", "other_work", "not_duty"}
