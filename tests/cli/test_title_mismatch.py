"""`classify --title` says when the text contradicts the title (the audit's role-mismatch rule).

Reported: ``classify --title "Data Scientist"`` on a pure LLM-engineering ad printed
``ai_engineer 96%`` and nothing about the title, which is the hiring manager's real question.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jdanalyzer.cli.main import app

runner = CliRunner()

LLM_AD = (Path(__file__).resolve().parents[1] / "data" / "titles" / "llm-engineering-ad.txt").read_text(
    encoding="utf-8"
)  # a pure LLM-engineering ad, shared with the other title-mismatch tests

MESSAGE = ("the title 'Data Scientist' advertises data science, but the duties and skills read "
           "as AI engineering")


def _ad(tmp_path: Path) -> str:
    path = tmp_path / "ad.txt"
    path.write_text(LLM_AD, encoding="utf-8")
    return str(path)


def test_classify_json_has_the_title_mismatch(tmp_path: Path) -> None:
    result = runner.invoke(app, ["classify", _ad(tmp_path), "--title", "Data Scientist",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["label"] == "ai_engineer"
    mismatch = data["title_mismatch"]
    assert set(mismatch) == {"message", "severity", "title_family", "label"}
    assert (mismatch["severity"], mismatch["title_family"], mismatch["label"]) == (
        "high", "data_scientist", "ai_engineer")
    assert mismatch["message"].startswith(MESSAGE)


def test_classify_table_prints_a_title_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["classify", _ad(tmp_path), "--title", "Data Scientist"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert f"Title: {MESSAGE}" in out and "[high]" in out
    assert out.index("Label: ai_engineer") < out.index("Title: ")


def test_a_fitting_title_or_none_prints_no_title_line(tmp_path: Path) -> None:
    fits = runner.invoke(app, ["classify", _ad(tmp_path), "--title", "AI Engineer"])
    assert fits.exit_code == 0 and "Title: " not in fits.stdout
    untitled = runner.invoke(app, ["classify", _ad(tmp_path), "--format", "json"])
    assert json.loads(untitled.stdout)["title_mismatch"] is None
