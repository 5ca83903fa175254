"""The report an HR lead reads: label names in words, charts whose legend covers nothing,
the findings columns the README names, and one summary line per ad to paste into a ticket."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jdanalyzer.audit import charts
from jdanalyzer.audit.findings import FINDING_COLUMNS
from jdanalyzer.audit.report import render_report
from jdanalyzer.audit.run import AuditResult, audit
from jdanalyzer.cli.main import app
from jdanalyzer.types import LABEL_TITLES, LABELS

REPO = Path(__file__).resolve().parents[2]
ADS = REPO / "tests" / "data" / "audit_ads"


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return audit(ADS, company="Brightloom")


def test_each_ad_has_a_summary_line_naming_its_label_and_serious_rules(result: AuditResult) -> None:
    for ad in result.ads:
        line = ad.summary
        assert "\n" not in line and line.startswith(ad.ad_id)
        assert f"reads as {LABEL_TITLES[ad.label]} " in line
        for finding in ad.findings:
            if finding.severity in ("high", "medium"):
                assert finding.rule in line, (line, finding.rule)
        counts = ad.severity_counts()
        for severity, n in counts.items():
            assert (f"{n} {severity}" in line) == (n > 0), (line, severity)
        assert line.endswith("no findings.") == (not ad.findings)


def test_the_report_and_cli_print_the_summary_lines(result: AuditResult, tmp_path: Path) -> None:
    html = render_report(result)
    for ad in result.ads:
        assert ad.summary.replace("&", "&amp;") in html.replace("&#39;", "'")
    out = CliRunner().invoke(app, ["audit", str(ADS), "-c", "Brightloom", "-o", str(tmp_path / "r.html")])
    assert out.exit_code == 0, out.output
    assert [line[2:] for line in out.stdout.splitlines() if line.startswith("- ")] == [
        ad.summary for ad in result.ads
    ]


def test_the_report_names_labels_in_words(result: AuditResult) -> None:
    text = re.sub(r"<[^>]+>", " ", render_report(result))  # what a reader sees, not attributes
    for label in LABELS:
        assert label not in text or label == "other" or label == "hybrid", label
    assert "AI engineer" in text and "data scientist" in text


def test_findings_columns_are_the_ones_the_readme_names(result: AuditResult, tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    said = re.search(r"`--findings` writes one\s+row per finding \(CSV or JSON, by extension\): ([^.]+)\.",
                     readme)
    assert said, "README describes the findings file"
    named = re.findall(r"`(\w+)`", said.group(1))
    assert tuple(named) == FINDING_COLUMNS
    from jdanalyzer.audit.findings import write_findings

    path = write_findings(result.findings, tmp_path / "f.csv")
    with path.open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == FINDING_COLUMNS
    assert "<th>rule</th>" in render_report(result) and "<th>check</th>" not in render_report(result)


@pytest.mark.parametrize("chart", ["severity_chart", "length_chart"])
def test_chart_legends_cover_no_bar(result: AuditResult, chart: str, monkeypatch) -> None:
    """The legend sits outside the plotting area, so it covers neither a bar nor a label."""
    figures = []
    real = charts._svg
    monkeypatch.setattr(charts, "_svg", lambda figure: figures.append(figure) or real(figure))
    getattr(charts, chart)(result)
    (figure,) = figures
    figure.draw_without_rendering()  # lays the figure out as saving it did
    (axes,) = figure.axes
    assert axes.get_legend() is None and figure.legends
    legend = figure.legends[0].get_window_extent()
    for artist in (axes, *axes.get_yticklabels(), axes.title, axes.xaxis.label):
        box = artist.get_window_extent()
        assert not legend.overlaps(box), artist
