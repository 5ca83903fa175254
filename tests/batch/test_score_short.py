"""Rows too short to judge: no label, a `warning: too short` note, counted on their own."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from jdanalyzer.batch.score import score_file, score_frame
from jdanalyzer.types import LABELS


def test_score_frame_short_row_has_no_label_and_a_note(samples: dict[str, str]) -> None:
    frame = pd.DataFrame({"description": ["We need a python person.", samples["ai_engineer"]]})
    out = score_frame(frame, text_column="description")
    short, whole = out.iloc[0], out.iloc[1]
    assert short["label"] is None and pd.isna(short["confidence"])
    assert short["error"] == (
        "warning: too short (5 words) to tell the role: no label; paste the whole ad"
    )
    assert short["evidence"] == []  # no label, so no evidence for it
    assert sum(short[f"p_{label}"] for label in LABELS) == pytest.approx(1, abs=1e-3)
    assert whole["label"] == "ai_engineer" and whole["error"] == ""


def test_score_file_counts_too_short_rows_apart(tmp_path: Path, samples: dict[str, str]) -> None:
    source = tmp_path / "in.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "description"])
        writer.writerow(["ai", samples["ai_engineer"]])
        writer.writerow(["tiny", "We need a python person."])
        writer.writerow(["ds", samples["data_scientist"]])
        writer.writerow(["empty", ""])
        writer.writerow(["short29", " ".join(samples["hybrid"].split()[:29])])
        writer.writerow(["ok30", " ".join(samples["hybrid"].split()[:30])])
    summary = score_file(source, tmp_path / "out.csv", jobs=1, chunk_size=4)
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert [bool(label) for label in out["label"]] == [True, False, True, False, False, True]
    assert out.loc[1, "error"].startswith("warning: too short (5 words)")
    assert out.loc[4, "error"].startswith("warning: too short (29 words)")
    assert out.loc[1, "confidence"] == "" and out.loc[1, "p_other"] != ""
    assert out.loc[5, "error"].startswith("warning: only 30 words")
    assert (summary.rows, summary.scored, summary.too_short, summary.unscored) == (6, 3, 2, 1)
    assert summary.flagged == 4  # empty, two too short, one 30-word text with a warning
    assert sum(summary.labels.values()) == 3
    assert summary.to_dict()["too_short"] == 2
    report = summary.report()
    assert "Scored 3 of 6 rows" in report
    assert "; too short to label: 2" in report
    assert "(1 not scored, 2 too short to label, 1 scored with a warning)" in report


@pytest.mark.slow
def test_dask_counts_too_short_rows_as_local_does(tmp_path: Path, samples: dict[str, str]) -> None:
    from distributed import LocalCluster

    source = tmp_path / "in.csv"
    pd.DataFrame({"description": [samples["ai_engineer"], "We need a python person.", "",
                                  "Python developer wanted."]}).to_csv(source, index=False)
    local = score_file(source, tmp_path / "local.csv", jobs=1, chunk_size=2)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        remote = score_file(source, tmp_path / "dask", engine="dask", fmt="csv",
                            scheduler=cluster.scheduler_address, chunk_size=2)
    assert (local.scored, local.too_short, local.unscored) == (1, 2, 1)
    assert (remote.scored, remote.too_short, remote.unscored) == (1, 2, 1)
