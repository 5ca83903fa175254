"""`classify` on a text too short to judge, and `jdanalyzer labels`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from jdanalyzer.cli.main import app
from jdanalyzer.types import LABELS

runner = CliRunner()


def test_classify_short_text_prints_bars_and_no_label() -> None:
    result = runner.invoke(app, ["classify"], input="We need a python person.")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "No reliable label: the text has 5 words; paste the whole ad" in out
    assert "Label:" not in out and "Evidence" not in out
    for label in LABELS:  # the probability bars, one per label
        assert label in out
    assert out.count("%") == len(LABELS)
    assert "Note: too short" not in out  # said once, not twice


def test_classify_short_text_json_has_null_label() -> None:
    result = runner.invoke(app, ["classify", "--format", "json"], input="We need a python person.")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["label"] is None and data["low_confidence"] is True
    assert data["confidence"] is None and data["runner_up"] is None
    assert set(data["probabilities"]) == set(LABELS)


def test_classify_whole_ad_still_has_a_label(sample_paths) -> None:
    result = runner.invoke(app, ["classify", str(sample_paths["ai_engineer"])])
    assert result.exit_code == 0
    assert "Label: ai_engineer" in result.stdout
    assert "No reliable label" not in result.stdout


def test_labels_help() -> None:
    result = runner.invoke(app, ["labels", "--help"])
    assert result.exit_code == 0 and "Usage" in result.stdout


def test_labels_prints_every_definition_and_the_title_rule() -> None:
    result = runner.invoke(app, ["labels"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for label in LABELS:
        assert label in lines, label  # each label on a line of its own, its paragraph below
        paragraph = lines[lines.index(label) + 1]
        assert paragraph.startswith("  ") and len(paragraph.split()) > 5
    assert any(line.startswith("Title: The title is read but does not decide") for line in lines)


def test_labels_json_defines_the_four_labels() -> None:
    result = runner.invoke(app, ["labels", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == list(LABELS)
    assert all(isinstance(text, str) and len(text.split()) >= 20 for text in data.values())
    assert "deploy" in data["ai_engineer"] or "shipping" in data["ai_engineer"]
    assert "statistics" in data["data_scientist"]


def test_labels_is_listed_in_the_top_level_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert "labels" in result.stdout
