"""Tests of ``jdanalyzer audit``: the rules on real ad text, reading ads, the report and the CLI.

The sample ads in ``tests/data/audit_ads/`` (and ``tests/data/audit_ads.csv``) are written
for these tests: one fictional company, Brightloom, with one ad per problem the audit finds.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from jdanalyzer.audit.ads import read_ads
from jdanalyzer.audit.charts import MAX_BARS
from jdanalyzer.audit.checks import (
    AdText,
    missing_essentials,
    requirement_inflation,
    role_clarity,
    title_family,
    young_tech_years,
)
from jdanalyzer.audit.findings import write_findings
from jdanalyzer.audit.gender import gender_coding, verdict
from jdanalyzer.audit.norms import load_norms
from jdanalyzer.audit.readability import count_syllables, readability
from jdanalyzer.audit.report import highlight, render_report
from jdanalyzer.audit.run import AuditResult, Finding, Span, audit
from jdanalyzer.audit.shared_text import find_boilerplate
from jdanalyzer.audit.wording import phrase_findings
from jdanalyzer.batch.columns import COLUMN_NAMES
from jdanalyzer.cli.main import app
from jdanalyzer.errors import ColumnError, InputError
from jdanalyzer.extraction.extract import extract
from jdanalyzer.text.sections import split_sections
from jdanalyzer.types import Evidence, Prediction

DATA = Path(__file__).parents[1] / "data"
ADS = DATA / "audit_ads"
ADS_CSV = DATA / "audit_ads.csv"
YEAR = 2025  # reference year for the young-technology rule, so tests do not age


def ad_text(text: str, *, title: str = "", prediction: Prediction | None = None,
            location: str = "") -> AdText:
    extraction = extract(text)
    sections = tuple(split_sections(extraction.text))
    return AdText("ad", title, extraction.text, sections, extraction, prediction, location)


def rules(findings: list[Finding] | tuple[Finding, ...]) -> set[str]:
    return {f.rule for f in findings}


def by_rule(findings: tuple[Finding, ...], rule: str) -> Finding:
    return next(f for f in findings if f.rule == rule)


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return audit(ADS, company="Brightloom <Energy> & Co", year=YEAR)


@pytest.fixture(scope="module")
def report_html(result: AuditResult) -> str:
    return render_report(result)


# ---------------------------------------------------------------- readability, sections, gender


@pytest.mark.parametrize(("word", "syllables"), [
    ("team", 1), ("data", 2), ("python", 2), ("experience", 4), ("responsibilities", 6),
])
def test_count_syllables(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


def test_readability_is_approximate_flesch() -> None:
    easy = readability("You will build models. You will ship them.\n- Test them")
    hard = readability("Operationalization of heterogeneous multidisciplinary "
                       "infrastructure necessitates considerable organizational sophistication.")
    assert (easy.words, easy.sentences) == (10, 3)
    assert easy.flesch_reading_ease > 80 > hard.flesch_reading_ease
    assert hard.grade_level > easy.grade_level
    assert easy.to_dict()["approximate"] is True
    assert readability("").flesch_reading_ease is None


def test_split_sections_finds_duties_requirements_and_nice_to_have() -> None:
    text = ("Senior Data Scientist\nAcme makes maps.\nWhat you'll do\n- Build models\n"
            "Requirements:\n- Python\nNice to have\n- Rust\nWhat we offer\nA salary.")
    kinds = [(s.kind, s.heading) for s in split_sections(text)]
    assert kinds == [("intro", ""), ("responsibilities", "What you'll do"),
                     ("requirements", "Requirements:"), ("nice_to_have", "Nice to have"),
                     ("offer", "What we offer")]


@pytest.mark.parametrize(("feminine", "masculine", "expected"), [
    (0, 0, "empty"), (2, 2, "neutral"), (3, 1, "feminine-coded"), (6, 1, "strongly feminine-coded"),
    (1, 3, "masculine-coded"), (0, 4, "strongly masculine-coded"),
])
def test_gender_decoder_verdict(feminine: int, masculine: int, expected: str) -> None:
    assert verdict(feminine, masculine) == expected


def test_gender_coding_counts_stems_and_says_where_they_are() -> None:
    text = ("About us\nWe are a supportive, collaborative and data-driven company.\n"
            "Requirements\n- A confident, competitive, fearless and self-reliant leader.\n"
            "- Analytical skills.")
    coding = gender_coding(text)
    words = {(h.word.lower(), h.gender) for h in coding.hits}
    assert words == {
        ("supportive", "feminine"), ("collaborative", "feminine"), ("driven", "masculine"),
        ("confident", "masculine"), ("competitive", "masculine"), ("fearless", "masculine"),
        ("self-reliant", "masculine"), ("leader", "masculine"), ("analytical", "masculine"),
    }
    assert all(text[h.start:h.end] == h.word for h in coding.hits)
    assert coding.verdict == "strongly masculine-coded"  # 7 masculine, 2 feminine
    # Without analytical, lead, driven, compet, support: 3 masculine against 1 feminine.
    assert coding.specific_verdict == "masculine-coded"
    assert coding.count("masculine", role=True) == 6  # "driven" is in the company blurb
    assert coding.count("feminine", role=True) == 0


# ------------------------------------------------------------------------- wording rules


@pytest.mark.parametrize(("text", "rule", "severity", "found"), [
    ("We need a rockstar developer.", "jargon", "medium", "rockstar"),
    ("Python Ninjas wanted", "jargon", "medium", "Ninjas"),
    ("Be our data guru!", "jargon", "medium", "guru"),
    ("We work hard, play hard.", "jargon", "medium", "work hard, play hard"),
    ("Join our young and dynamic team.", "exclusionary-language", "high", "young and dynamic"),
    ("You are a native English speaker.", "exclusionary-language", "high",
     "native English speaker"),
    ("Digital natives welcome.", "exclusionary-language", "high", "Digital natives"),
    ("We hire for culture fit.", "exclusionary-language", "medium", "culture fit"),
    ("Other duties as assigned.", "vague-duties", "medium", "Other duties as assigned"),
])
def test_phrase_findings(text: str, rule: str, severity: str, found: str) -> None:
    (finding,) = phrase_findings("ad", text)
    assert (finding.rule, finding.severity) == (rule, severity)
    assert [s.text for s in finding.spans] == [found]
    assert finding.suggestion


@pytest.mark.parametrize("text", [
    "We offer paid family leave.", "Ninjatrader integration", "Our roadmap is young.",
    "You speak English natively and Dutch well.",
])
def test_phrase_findings_leave_ordinary_text_alone(text: str) -> None:
    assert phrase_findings("ad", text) == []


# ---------------------------------------------------------------- role, inflation, essentials


@pytest.mark.parametrize(("title", "family"), [
    ("Data Scientist", "data_scientist"), ("Senior Data Analyst", "analyst"),
    ("Research Scientist, NLP", "other_scientist"), ("AI Engineer", "ai_engineer"),
    ("Machine Learning Engineer", "ai_engineer"), ("Senior LLM Developer", "ai_engineer"),
    ("ML Platform Engineer", "ai_engineer"), ("Data Scientist / ML Engineer", "hybrid"),
    ("Software Engineer", "engineer"), ("", None),
])
def test_title_family(title: str, family: str | None) -> None:
    assert title_family(title) == family


AI_DUTIES = ("What you'll do\n- Build RAG pipelines with LangChain and a vector database.\n"
             "- Deploy LLM agents to production and evaluate prompts.")


def _prediction(ad: AdText, label: str, *, low: bool = False) -> Prediction:
    start = ad.text.index("RAG")
    evidence = (Evidence("rag", label, 1.2, "taxonomy", "ai_engineer", ((start, start + 3),)),)
    others = [x for x in ("ai_engineer", "data_scientist", "hybrid", "other") if x != label]
    probabilities = {label: 0.45 if low else 0.9, **{o: (0.55 if low else 0.1) / 3 for o in others}}
    return Prediction(label, probabilities, others[0], low, evidence, ad.extraction)


def test_role_mismatch_data_scientist_title_with_ai_engineering_work() -> None:
    ad = ad_text("Data Scientist\n" + AI_DUTIES, title="Data Scientist")
    findings = role_clarity(AdText(**{**ad.__dict__, "prediction": _prediction(ad, "ai_engineer")}))
    finding = by_rule(tuple(findings), "role-mismatch")
    assert finding.severity == "high"
    assert "advertises data science" in finding.message and "AI engineering" in finding.message
    assert [s.text for s in finding.spans] == ["RAG"]
    low = role_clarity(AdText(**{**ad.__dict__, "prediction": _prediction(ad, "ai_engineer",
                                                                            low=True)}))
    assert "role-mismatch" not in rules(low)  # only a confident label makes a mismatch


def test_role_mismatch_the_reverse_and_no_mismatch_when_title_fits() -> None:
    ad = ad_text("Machine Learning Engineer\n" + AI_DUTIES, title="Machine Learning Engineer")
    reverse = role_clarity(AdText(**{**ad.__dict__,
                                     "prediction": _prediction(ad, "data_scientist")}))
    assert "role-mismatch" in rules(reverse)
    fits = role_clarity(AdText(**{**ad.__dict__, "prediction": _prediction(ad, "ai_engineer")}))
    assert "role-mismatch" not in rules(fits)


def test_unicorn_ad_when_labelled_hybrid(samples: dict[str, str]) -> None:
    ad = ad_text(samples["hybrid"], title="Full-Stack Data Scientist (ML + LLM)")
    start = ad.text.index("RAG") if "RAG" in ad.text else 0
    prediction = Prediction("hybrid", {"hybrid": 0.7, "ai_engineer": 0.2, "data_scientist": 0.1,
                                       "other": 0.0}, "ai_engineer", False, (), ad.extraction)
    finding = by_rule(tuple(role_clarity(AdText(**{**ad.__dict__, "prediction": prediction}))),
                      "unicorn-ad")
    assert finding.severity == "medium"
    assert "both full roles" in finding.message
    assert start >= 0 and finding.spans


@pytest.mark.parametrize(("line", "severity"), [
    ("- 5+ years of LLM experience.", "high"),
    ("- At least five years' experience building RAG systems.", "high"),
    ("- 4 years of hands-on work with LLMs", "medium"),
    ("- 3-5 years of experience with LangChain and vector databases.", "high"),
    ("- 6+ years of Python; experience with LLMs is a plus.", None),
    ("- 2 years of experience with RAG.", None),
    ("- 5+ years of experience in statistics.", None),
])
def test_years_for_young_technology(line: str, severity: str | None) -> None:
    findings = young_tech_years(ad_text("Requirements\n" + line), year=YEAR)
    assert [f.severity for f in findings] == ([severity] if severity else [])
    if severity:
        assert findings[0].spans[0].text[0].isalnum()
        assert "since about" in findings[0].message


def test_too_many_skills_and_no_nice_to_have_split() -> None:
    tools = ("Python, PyTorch, TensorFlow, JAX, scikit-learn, XGBoost, Spark, Airflow, Kafka, "
             "Kubernetes, Docker, Terraform, AWS, GCP, Azure, Snowflake, dbt, MLflow, Kubeflow, "
             "Ray, ONNX, CUDA, LlamaIndex, Pinecone, Weaviate, Elasticsearch, Redis, PostgreSQL, "
             "MongoDB, Tableau, Looker, Power BI, SAS, SPSS, Stata and MATLAB.")
    findings = requirement_inflation(ad_text("Requirements\n- " + tools), year=YEAR)
    finding = by_rule(tuple(findings), "too-many-skills")
    assert finding.severity in ("medium", "high")
    assert int(finding.message.split()[2]) > load_norms()["distinct_skills"]["p90"]
    assert {"Python", "PyTorch", "MATLAB"} <= {s.text for s in finding.spans}
    assert "no-nice-to-have-split" in rules(findings)


def test_required_versus_nice_to_have() -> None:
    text = ("Requirements\n- Python and SQL.\n- Experience with scikit-learn.\n"
            "Nice to have\n- Spark\n- Kubernetes\n- Docker is a plus")
    findings = requirement_inflation(ad_text(text), year=YEAR)
    finding = by_rule(tuple(findings), "requirements-split")
    assert finding.severity == "info"
    assert "3 are marked nice-to-have" in finding.message
    assert "too-many-skills" not in rules(findings)


def test_missing_essentials_on_a_bare_ad() -> None:
    text = ("Junior Data Analyst\nJoin us as a junior analyst. You will support the team with "
            "various tasks. We offer a competitive salary.")
    findings = missing_essentials(ad_text(text))
    assert rules(findings) == {"no-responsibilities", "no-salary", "no-location"}
    salary = by_rule(tuple(findings), "no-salary")
    assert "competitive salary" in salary.message
    assert [s.text for s in salary.spans] == ["competitive salary"]


@pytest.mark.parametrize("extra", [
    "Salary: $120k–$150k. Remote (US).",
    "EUR 70,000 - 85,000 per year, hybrid working with two days a week in our Berlin office.",
    "Pay range 95,000 to 120,000 GBP. Based in London.",
])
def test_no_missing_essentials_when_pay_and_place_are_given(extra: str) -> None:
    text = (f"Data Scientist\nResponsibilities\n- Build forecasting models.\n"
            f"- Analyze A/B test results.\n{extra}")
    assert missing_essentials(ad_text(text)) == []


def test_vague_duties_when_the_responsibilities_name_no_task() -> None:
    text = ("Responsibilities\n- Be part of an amazing journey.\n- Make an impact.\n"
            "Salary $90k, remote.")
    (finding,) = missing_essentials(ad_text(text))
    assert (finding.rule, finding.severity) == ("vague-duties", "medium")
    assert finding.spans[0].text == "Responsibilities"


def test_location_column_counts_as_location() -> None:
    text = "Responsibilities\n- Build forecasting models.\n- Analyze data.\nSalary $90k."
    assert missing_essentials(ad_text(text, location="Utrecht")) == []


def test_boilerplate_shared_sentences() -> None:
    blurb = "Brightloom helps 40,000 households cut their energy bills every winter."
    texts = {"a": f"Data Scientist\n{blurb}\n- Build models.", "b": f"AI Engineer\n{blurb}",
             "c": "Analyst\nSomething else entirely, with no shared sentence at all."}
    found = find_boilerplate(texts)
    assert found.ranges["a"] == ((15, 15 + len(blurb)),)
    assert found.ranges["c"] == ()
    assert [(p.text, p.ad_ids) for p in found.passages] == [(blurb, ("a", "b"))]


# ------------------------------------------------------------------------ reading the ads


def test_read_folder_of_txt_md_and_html() -> None:
    batch = read_ads(ADS)
    assert [ad.id for ad in batch.ads] == sorted(p.stem for p in ADS.iterdir())
    titles = {ad.id: ad.title for ad in batch.ads}
    assert titles["senior-data-scientist"] == "Senior Data Scientist, Pricing & Experiments"
    assert titles["ml-engineer-rockstar"] == "Machine Learning Engineer"  # "# " removed
    assert "**" not in next(a.text for a in batch.ads if a.id == "ml-engineer-rockstar")
    assert batch.problems == ()


def test_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "ads").mkdir()
    with pytest.raises(InputError, match=r"has no ads to audit; put one ad per \.txt"):
        read_ads(tmp_path / "ads")


def test_csv_without_description_column(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    path.write_text("id,title,body_html\n1,Data Scientist,hello\n", encoding="utf-8")
    with pytest.raises(ColumnError) as caught:
        read_ads(path)
    assert str(caught.value) == (
        f"{path}: no text column found (tried {', '.join(COLUMN_NAMES['text'])}); the table has: "
        "id, title, body_html; choose one with --text-column"
    )
    batch = read_ads(path, text_column="body_html")
    assert [(ad.id, ad.title, ad.text) for ad in batch.ads] == [("1", "Data Scientist", "hello")]


def test_cli_audit_reads_the_columns_it_is_told(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    text = (ADS / "platform-ai-engineer.txt").read_text(encoding="utf-8")
    pd.DataFrame({"ref": ["a-1"], "role_name": ["Platform AI Engineer"], "body_html": [text]}).to_csv(
        path, index=False)
    out = runner.invoke(app, ["audit", str(path), "-c", "B", "-o", str(tmp_path / "r.html"),
                              "--text-column", "body_html", "--title-column", "role_name"])
    assert out.exit_code == 0, out.stderr
    assert out.stdout.startswith("Audited 1 ad of B: ")


def _folder_with_bad_files(tmp_path: Path) -> Path:
    folder = tmp_path / "ads"
    folder.mkdir()
    for name in ("data-scientist-genai.txt", "junior-analyst.txt"):
        shutil.copy(ADS / name, folder / name)
    shutil.copy(ADS / "ml-engineer-rockstar.md", folder / "junior-analyst.md")  # duplicate id
    (folder / "scan.txt").write_bytes(b"%PDF-1.7\x00\x00\x01\x02binary")
    (folder / "blank.md").write_text("  \n\n", encoding="utf-8")
    (folder / "gone.txt").symlink_to(folder / "missing-target.txt")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    return folder


def test_bad_files_are_listed_and_the_rest_read(tmp_path: Path) -> None:
    batch = read_ads(_folder_with_bad_files(tmp_path))
    assert [ad.id for ad in batch.ads] == ["data-scientist-genai", "junior-analyst",
                                           "junior-analyst-2"]
    messages = {p.source: p.message for p in batch.problems}
    assert messages == {
        "blank.md": "not audited: blank.md is empty",
        "gone.txt": "not audited: no such file: gone.txt",
        "scan.txt": "not audited: scan.txt looks like a binary file, not a posting; give "
                    "plain text, Markdown, HTML, Word (.docx) or PDF",
        "notes.pdf": "skipped: not a .txt, .md or .html file",
        "junior-analyst.txt": "duplicate ad id 'junior-analyst' (junior-analyst.md and "
                              "junior-analyst.txt): audited the second as 'junior-analyst-2'; "
                              "give every ad its own id",
    }


def test_csv_duplicate_ids_and_empty_rows(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ID", "Title", "Description"])
        writer.writerow(["ds-1", "Data Scientist", "Build forecasting models in Python."])
        writer.writerow(["ds-1", "Data Scientist", "Run A/B tests and analyse results."])
        writer.writerow(["ds-2", "Analyst", "   "])
        writer.writerow(["", "Analyst", "Build dashboards in Tableau."])
    batch = read_ads(path)
    assert [ad.id for ad in batch.ads] == ["ds-1", "ds-1-2", "row-4"]
    assert [p.message for p in batch.problems] == [
        "not audited: the description is empty",
        "duplicate ad id 'ds-1' (ads.csv row 1 and ads.csv row 2): audited the second as "
        "'ds-1-2'; give every ad its own id",
    ]


# ----------------------------------------------------------------------- the whole audit


def test_audit_of_the_sample_ads(result: AuditResult) -> None:
    ads = {ad.ad_id: ad for ad in result.ads}
    assert set(ads) == {p.stem for p in ADS.iterdir()}
    rockstar = rules(ads["ml-engineer-rockstar"].findings)
    assert {"jargon", "exclusionary-language", "years-for-young-tech",
            "too-many-skills"} <= rockstar
    years = by_rule(ads["ml-engineer-rockstar"].findings, "years-for-young-tech")
    assert years.severity == "high" and years.spans[0].text == "5+ years"
    assert {"no-salary", "no-location", "no-responsibilities", "vague-duties"} <= rules(
        ads["junior-analyst"].findings)
    # The shared blurb is one company-level finding, not one per ad; the ads keep its spans.
    (template,) = [f for f in result.findings if f.rule == "boilerplate"]
    assert template.ad_id == "" and "Brightloom helps 40,000 households" in template.message
    for ad_id in ("data-scientist-genai", "platform-ai-engineer", "senior-data-scientist"):
        assert ad_id in template.message
        assert any(s.text.startswith("Brightloom helps 40,000 households") for s in ads[ad_id].shared)
        assert not {"no-salary", "no-location"} & rules(ads[ad_id].findings)
    # A "Data Scientist" title over AI-engineering duties (RAG, LLM agents, vector database).
    assert ads["data-scientist-genai"].label == "ai_engineer"
    assert by_rule(ads["data-scientist-genai"].findings, "role-mismatch").severity in (
        "high", "medium")
    assert "role-mismatch" not in rules(ads["senior-data-scientist"].findings)
    assert "requirements-split" in rules(ads["senior-data-scientist"].findings)
    assert "gender-coded" in rules(ads["ml-engineer-rockstar"].findings)
    for ad in result.ads:
        for finding in ad.findings:
            assert all(ad.text[s.start:s.end] == s.text for s in finding.spans)
    assert len(result.shared_passages) == 2
    assert result.problems == ()


def test_audit_of_the_csv_matches_the_folder(result: AuditResult) -> None:
    from_csv = audit(ADS_CSV, company="Brightloom", year=YEAR)
    assert [ad.ad_id for ad in from_csv.ads] == [ad.ad_id for ad in result.ads]
    csv_rules = {ad.ad_id: rules(ad.findings) for ad in from_csv.ads}
    assert "no-location" in csv_rules["junior-analyst"]
    assert "jargon" in csv_rules["ml-engineer-rockstar"]
    # The CSV has a location column: only the ad without one lacks a location.
    assert [a for a, r in csv_rules.items() if "no-location" in r] == ["junior-analyst"]


def test_audit_lists_bad_input_and_audits_the_rest(tmp_path: Path) -> None:
    audited = audit(_folder_with_bad_files(tmp_path), company="Brightloom", year=YEAR)
    assert [ad.ad_id for ad in audited.ads] == ["data-scientist-genai", "junior-analyst",
                                                "junior-analyst-2"]
    assert len(audited.problems) == 5
    html = render_report(audited)
    for name in ("scan.txt", "blank.md", "gone.txt", "notes.pdf", "junior-analyst-2"):
        assert name in html


def test_nothing_auditable_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "ads"
    folder.mkdir()
    (folder / "only.html").write_text("<p> </p><script>x()</script>", encoding="utf-8")
    with pytest.raises(InputError, match=r"no ad in .* could be audited \(only.html: not audited:"):
        audit(folder, company="Acme")


# ----------------------------------------------------------------------------- the report


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_report_content(result: AuditResult, report_html: str) -> None:
    html = report_html
    assert "<title>Job ad audit: Brightloom &lt;Energy&gt; &amp; Co</title>" in html
    summary = html.index('id="summary"')
    assert summary < html.index('id="ad-1"')
    for heading in ("Role mix", "Findings by severity", "Top skills per side", "Length",
                    "Shared text (template)"):
        assert heading in html[summary:html.index('id="ad-1"')]
    assert html.count("<svg") == 4
    assert html.count('<section class="ad"') == len(result.ads)
    for ad in result.ads:
        assert f"{ad.ad_id}" in html
    assert '<mark class="sev-medium" title="jargon">rockstar</mark>' in html
    assert '<mark class="sev-high" title="exclusionary-language">young and dynamic</mark>' in html
    assert 'class="template"' in html
    assert "large language models" in html  # top skills table
    assert "(approximate)" in html
    for tag, attrs in _tags(html):
        assert tag not in ("link", "iframe", "object", "embed")
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)


def test_report_escapes_markup_in_ads(tmp_path: Path) -> None:
    path = tmp_path / "ads.csv"
    evil = ('Data Scientist <script>alert("pwned")</script> <img src=x onerror=alert(1)>\n'
            "Responsibilities\n- Build a rockstar <svg/onload=alert(4)> forecasting model.\n"
            "Salary $90k, remote.")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "description"])
        writer.writerow(['x"><script>alert(2)</script>', "<i>Data</i> Scientist", evil])
    html = render_report(audit(path, company="<script>alert(3)</script>", year=YEAR))
    tags = _tags(html)
    assert not [t for t, _ in tags if t in ("script", "img", "i") or "/" in t]
    assert [t for t, _ in tags].count("svg") == 4  # the charts, and no <svg/onload> from the ad
    assert not [(t, a) for t, a in tags for name in a if name.startswith("on")]
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert ('<mark class="sev-medium" title="jargon">rockstar</mark> '
            "&lt;svg/onload=alert(4)&gt; forecasting") in html
    assert "x&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html  # the ad id
    assert "Job ad audit: &lt;script&gt;alert(3)&lt;/script&gt;" in html  # the company


def test_report_of_the_sample_html_ad_keeps_markup_inert(report_html: str) -> None:
    assert "this script must never run" not in report_html  # the <script> element is dropped
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in report_html  # quoted text shows
    assert not [t for t, _ in _tags(report_html) if t == "script"]


def test_highlight_escapes_then_marks_overlapping_spans() -> None:
    text = "a <b>ninja & guru</b>"
    jargon = Finding("a", "jargon", "medium", "m", "s",
                     (Span(5, 10, "ninja"), Span(13, 17, "guru")))
    shared = Finding("a", "boilerplate", "info", "m", "s", (Span(2, 21, text[2:21]),))
    assert str(highlight(text, [jargon, shared])) == (
        'a <mark class="template" title="boilerplate">&lt;b&gt;</mark>'
        '<mark class="sev-medium template" title="boilerplate, jargon">ninja</mark>'
        '<mark class="template" title="boilerplate"> &amp; </mark>'
        '<mark class="sev-medium template" title="boilerplate, jargon">guru</mark>'
        '<mark class="template" title="boilerplate">&lt;/b&gt;</mark>'
    )


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_findings_file(result: AuditResult, tmp_path: Path, suffix: str) -> None:
    path = write_findings(result.findings, tmp_path / f"findings{suffix}")
    if suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
    else:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            row["spans"] = json.loads(row["spans"])
    assert len(rows) == len(result.findings)
    assert set(rows[0]) == {"ad_id", "rule", "severity", "message", "suggestion", "spans"}
    rock = [r for r in rows if r["ad_id"] == "ml-engineer-rockstar" and r["rule"] == "jargon"]
    assert {s["text"] for r in rock for s in r["spans"]} >= {"rockstar", "ninja", "guru"}
    with pytest.raises(InputError, match="exists; pass --force to overwrite it"):
        write_findings(result.findings, path)
    with pytest.raises(InputError, match=r"findings.txt must end in .csv or .json"):
        write_findings(result.findings, tmp_path / "findings.txt")


def test_report_of_many_ads_keeps_charts_readable(result: AuditResult) -> None:
    many = AuditResult("Brightloom", tuple(
        replace(ad, ad_id=f"{ad.ad_id}-{i}") for i in range(6) for ad in result.ads))
    html = render_report(many)
    assert html.count('<section class="ad"') == 36
    assert html.count("<svg") == 4
    heights = [float(h) for h in re.findall(r'<svg[^>]*height="([\d.]+)pt"', html)]
    assert max(heights) <= (0.45 * MAX_BARS + 1.4) * 72 + 1  # 30 bars at most, not 36


def test_finding_rejects_unknown_severity() -> None:
    with pytest.raises(ValueError, match="severity must be one of high, medium, low, info"):
        Finding("a", "jargon", "critical", "m", "s")


def test_result_to_dict_is_json(result: AuditResult) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    assert data["company"] == "Brightloom <Energy> & Co"
    assert sum(data["severity_counts"].values()) == len(result.findings)
    assert data["ads"][0]["readability"]["approximate"] is True


def test_norms_file_is_ordered_percentiles() -> None:
    norms = load_norms()
    assert norms["postings"] > 1000 and "heldout" in norms["_comment"]
    for measure in ("word_count", "distinct_skills", "flesch_reading_ease"):
        values = [norms[measure][f"p{p}"] for p in (10, 25, 50, 75, 90)]
        assert values == sorted(values)


# ------------------------------------------------------------------------------------ CLI

runner = CliRunner()


def test_cli_audit_writes_report_and_findings(tmp_path: Path) -> None:
    out = runner.invoke(app, ["audit", str(ADS), "--company", "Brightloom", "-o", "report.html",
                              "--findings", "findings.json"])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("Audited 6 ads of Brightloom: ")
    assert "Wrote report.html and findings.json" in out.stdout
    assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))

    again = runner.invoke(app, ["audit", str(ADS), "--company", "Brightloom", "-o", "report.html"])
    assert again.exit_code == 2
    assert again.stderr == "Error: report.html exists; pass --force to overwrite it\n"
    forced = runner.invoke(app, ["audit", str(ADS), "-c", "Brightloom", "-o", "report.html",
                                 "--force"])
    assert forced.exit_code == 0, forced.output


def test_cli_audit_warns_about_bad_files(tmp_path: Path) -> None:
    folder = _folder_with_bad_files(tmp_path)
    out = runner.invoke(app, ["audit", str(folder), "--company", "B", "-o", "r.html"])
    assert out.exit_code == 0, out.output
    assert "Warning: notes.pdf: skipped: not a .txt, .md or .html file\n" in out.stderr
    assert "Warning: blank.md: not audited: blank.md is empty\n" in out.stderr
    assert out.stdout.startswith("Audited 3 ads of B: ")


def _empty_folder(folder: Path) -> str:
    (folder / "ads").mkdir()
    return "ads"


def _csv_without_description(folder: Path) -> str:
    (folder / "ads.csv").write_text("id,title\n1,x\n", encoding="utf-8")
    return "ads.csv"


@pytest.mark.parametrize(("make", "error"), [
    (_empty_folder,
     "Error: ads has no ads to audit; put one ad per .txt, .md or .html file in the folder, "
     "or give a CSV with title and description columns\n"),
    (_csv_without_description,
     f"Error: ads.csv: no text column found (tried {', '.join(COLUMN_NAMES['text'])}); the table "
     "has: id, title; choose one with --text-column\n"),
    (lambda folder: "ads", "Error: no such file or folder: ads\n"),
])
def test_cli_audit_bad_input(tmp_path: Path, make, error: str) -> None:
    target = make(tmp_path)
    out = runner.invoke(app, ["audit", target, "--company", "B", "-o", "r.html"])
    assert out.exit_code == 2
    assert out.stderr == error
    assert not (tmp_path / "r.html").exists()


def test_cli_audit_findings_suffix_checked_first(tmp_path: Path) -> None:
    out = runner.invoke(app, ["audit", str(ADS), "-c", "B", "-o", "r.html", "--findings", "f.xlsx"])
    assert out.exit_code == 2
    assert out.stderr == "Error: f.xlsx must end in .csv or .json (the format follows the suffix)\n"


def test_cli_audit_help() -> None:
    out = runner.invoke(app, ["audit", "--help"])
    assert out.exit_code == 0
    for option in ("--company", "--output", "--findings", "--force"):
        assert option in out.stdout


# -------------------------------------------------------------------------------- browser


@pytest.mark.slow
def test_report_in_headless_chromium(chromium: str, report_html: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    page_path = tmp_path / "report.html"
    page_path.write_text(report_html, encoding="utf-8")
    shot = tmp_path / "report.png"
    dialogs: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            charts = page.locator("figure.chart svg")
            assert charts.count() == 4
            for i in range(4):
                box = charts.nth(i).bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 100
            assert page.locator("section.ad").count() == 6
            assert page.locator("mark.sev-high").count() > 0
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    assert dialogs == []
    assert requests == [page_path.as_uri()]
