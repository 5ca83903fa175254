"""``jdanalyzer audit`` on hostile input: ``$`` in ad ids, symbolic links out of the ads
folder, spreadsheet formulas, very long cells and broken CSV files.

Each test writes its input to ``tmp_path`` from the sample ads in ``tests/data/audit_ads/``.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import matplotlib
import pytest
from typer.testing import CliRunner

from jdanalyzer.audit.ads import read_ads
from jdanalyzer.audit.findings import Finding, Span, write_findings
from jdanalyzer.audit.report import write_report
from jdanalyzer.audit.run import audit
from jdanalyzer.cli.main import app

ADS = Path(__file__).parents[1] / "data" / "audit_ads"
YEAR = 2025
runner = CliRunner()


def _ad(name: str = "platform-ai-engineer.txt") -> str:
    return (ADS / name).read_text(encoding="utf-8")


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _glyph_ids(svg: str) -> set[str]:
    """The glyphs an SVG drawn with ``svg.fonttype = "path"`` defines (``DejaVuSans-7`` ...)."""
    return set(re.findall(r'<path id="([A-Za-z][\w.-]*-[0-9a-f]+)"', svg))


def _dollar_glyph() -> str:
    from matplotlib.font_manager import FontProperties, findfont, get_font

    font = get_font(findfont(FontProperties()))
    return f"{font.postscript_name}-{font.get_char_index(ord('$')):x}"


# ------------------------------------------------------------------ $ in ids: literal chart text


def test_dollar_in_file_names_is_drawn_literally(tmp_path: Path) -> None:
    folder = tmp_path / "ads"
    folder.mkdir()
    shutil.copy(ADS / "platform-ai-engineer.txt", folder / "pay$100k.txt")
    shutil.copy(ADS / "ml-engineer-rockstar.md", folder / "a$b$c.md")
    shutil.copy(ADS / "junior-analyst.txt", folder / "x$\\b$.txt")  # not valid mathtext
    result = audit(folder, company="Acme", year=YEAR)
    assert sorted(ad.ad_id for ad in result.ads) == ["a$b$c", "pay$100k", "x$\\b$"]
    report = write_report(result, tmp_path / "report.html").read_text(encoding="utf-8")
    for ad_id in ("pay$100k", "a$b$c", "x$\\b$"):
        assert ad_id in report
    glyphs = _glyph_ids(report)
    assert _dollar_glyph() in glyphs  # the $ signs are drawn ...
    assert not any("Oblique" in g or "Italic" in g for g in glyphs)  # ... and no math italic b


def test_dollar_in_csv_ids_writes_the_report(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "ads.csv", ["id", "title", "description"], [
        ["$x$", "Platform AI Engineer", _ad()],
        ["$\\frac{$", "Junior Data Analyst", _ad("junior-analyst.txt")],
    ])
    report = tmp_path / "r.html"
    out = runner.invoke(app, ["audit", str(path), "-c", "Acme", "-o", str(report)])
    assert out.exit_code == 0, out.output
    html = report.read_text(encoding="utf-8")
    assert "$x$" in html and "$\\frac{$" in html
    assert _dollar_glyph() in _glyph_ids(html)


def test_charts_ignore_a_usetex_matplotlibrc(tmp_path: Path) -> None:
    folder = tmp_path / "ads"
    folder.mkdir()
    shutil.copy(ADS / "platform-ai-engineer.txt", folder / "50%_of_$pay.txt")
    result = audit(folder, company="Acme & Co", year=YEAR)
    with matplotlib.rc_context({"text.usetex": True, "text.parse_math": True}):
        report = write_report(result, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "50%_of_$pay" in report
    assert _dollar_glyph() in _glyph_ids(report)


# ------------------------------------------------------------- symbolic links out of the folder


def _folder_with_links(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("Data Scientist\n\nAPI key SECRET-TOKEN-8841. Build models in Python.\n",
                      encoding="utf-8")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "other.txt").write_text("SECRET-TOKEN-8841 in a folder\n", encoding="utf-8")
    folder = tmp_path / "ads"
    folder.mkdir()
    shutil.copy(ADS / "platform-ai-engineer.txt", folder / "platform.txt")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "leakdir.md").symlink_to(outside)
    (folder / "alias.txt").symlink_to(folder / "platform.txt")  # stays inside: read
    return folder


def test_symlinks_out_of_the_folder_are_skipped(tmp_path: Path) -> None:
    folder = _folder_with_links(tmp_path)
    batch = read_ads(folder)
    assert [ad.id for ad in batch.ads] == ["alias", "platform"]
    skipped = {p.source: p.message for p in batch.problems}
    assert skipped == {
        name: "skipped: a symbolic link to a file or folder outside ads; copy the ad into the "
              "folder to audit it"
        for name in ("leak.txt", "leakdir.md")
    }
    assert all("SECRET" not in ad.text for ad in batch.ads)


def test_cli_audit_never_embeds_a_linked_file(tmp_path: Path) -> None:
    folder = _folder_with_links(tmp_path)
    report, findings = tmp_path / "r.html", tmp_path / "f.csv"
    out = runner.invoke(app, ["audit", str(folder), "-c", "Acme", "-o", str(report),
                              "--findings", str(findings)])
    assert out.exit_code == 0, out.output
    assert "Warning: leak.txt: skipped: a symbolic link to a file or folder outside ads" in out.stderr
    assert out.stdout.startswith("Audited 2 ads of Acme: ")
    assert "SECRET-TOKEN-8841" not in report.read_text(encoding="utf-8")
    assert "SECRET-TOKEN-8841" not in findings.read_text(encoding="utf-8")


# -------------------------------------------------------------------- formula-safe findings CSV

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1", "@x", "-2"]


def test_findings_csv_neutralizes_formulas(tmp_path: Path) -> None:
    findings = [Finding(ad_id, "jargon", "medium", "-x reads as jargon", "=SUM(A1)",
                        (Span(0, 2, "@x"),)) for ad_id in FORMULAS]
    path = write_findings(findings, tmp_path / "f.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["ad_id"] for r in rows] == ["'" + f for f in FORMULAS]
    assert {r["message"] for r in rows} == {"'-x reads as jargon"}
    assert {r["suggestion"] for r in rows} == {"'=SUM(A1)"}
    json_rows = write_findings(findings, tmp_path / "f.json").read_text(encoding="utf-8")
    assert '"ad_id": "=HYPERLINK' in json_rows  # JSON is data, not a spreadsheet: left as is


def test_cli_findings_csv_is_formula_safe(tmp_path: Path) -> None:
    text = _ad("full-stack-data-scientist.txt")
    path = _write_csv(tmp_path / "ads.csv", ["id", "title", "description"],
                      [[f, f, f"{f} {text}"] for f in FORMULAS])
    findings = tmp_path / "f.csv"
    out = runner.invoke(app, ["audit", str(path), "-c", "Acme", "-o", str(tmp_path / "r.html"),
                              "--findings", str(findings)])
    assert out.exit_code == 0, out.output
    with findings.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    # "": the one company-level boilerplate finding (the four ads share their text).
    assert {row[0] for row in rows} == {"'" + f for f in FORMULAS} | {""}
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


# -------------------------------------------------------------------------------- long cells


def test_long_csv_cells_are_cut_and_keep_their_rows(tmp_path: Path) -> None:
    multi = ("Build forecasting models in Python.\n" * 6000)[:200_000]
    one_line = ("word " * 40_000)[:200_000]
    path = _write_csv(tmp_path / "ads.csv", ["id", "title", "description"], [
        ["multi", "Data Scientist", multi],
        ["one-line", "ML Engineer", one_line],
        ["short", "Data Analyst", "We need an analyst with SQL."],
    ])
    batch = read_ads(path)
    assert [(ad.id, ad.title, len(ad.text)) for ad in batch.ads] == [
        ("multi", "Data Scientist", 100_000), ("one-line", "ML Engineer", 100_000),
        ("short", "Data Analyst", 28),
    ]
    assert batch.ads[0].text == multi[:100_000]
    assert batch.warnings == (
        "ads.csv row 1: the description cell has 200,000 characters; audited its first 100,000",
        "ads.csv row 2: the description cell has 200,000 characters; audited its first 100,000",
    )
    assert batch.problems == ()


# ----------------------------------------------------------------------------- broken CSV files


def test_cli_unclosed_quote_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    path.write_text('id,title,description\na,Data Scientist,"Build models\nb,x,y\n',
                    encoding="utf-8")
    out = runner.invoke(app, ["audit", str(path), "-c", "Acme", "-o", str(tmp_path / "r.html")])
    assert out.exit_code == 2
    assert out.stderr.count("\n") == 1
    assert out.stderr.startswith(f"Error: cannot read {path} as a table: a quoted cell is never "
                                 "closed (")
    assert out.stderr.endswith('); close the quote, or double each " inside a quoted cell\n')
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(("header", "named"), [
    (["id", "description", "description"], "'description'"),
    (["id", "id", "title", "description"], "'id'"),
])
def test_cli_duplicate_columns_are_one_error_line(
    tmp_path: Path, header: list[str], named: str
) -> None:
    path = _write_csv(tmp_path / "ads.csv", header, [["a"] * (len(header) - 1) + [_ad()]])
    out = runner.invoke(app, ["audit", str(path), "-c", "Acme", "-o", str(tmp_path / "r.html")])
    assert out.exit_code == 2
    assert out.stderr == (f"Error: {path} has duplicate column names: {named}; give every column "
                          "its own name\n")
    assert not (tmp_path / "r.html").exists()


def test_blank_repeated_header_cells_are_not_duplicates(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "ads.csv", ["id", "description", "", ""], [["a", _ad(), "", ""]])
    assert [ad.id for ad in read_ads(path).ads] == ["a"]


def test_an_ad_too_short_to_label_is_reported_as_such(tmp_path: Path) -> None:
    ads = tmp_path / "ads"
    ads.mkdir()
    (ads / "short.txt").write_text("Data Scientist\nWe need a python person.\n", encoding="utf-8")
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "audit_ads" / "platform-ai-engineer.txt", ads)
    report = tmp_path / "r.html"
    out = CliRunner().invoke(app, ["audit", str(ads), "-c", "B", "-o", str(report)])
    assert out.exit_code == 0, out.stderr
    html = report.read_text(encoding="utf-8")
    assert "too short to tell" in html and ">None<" not in html
