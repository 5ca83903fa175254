"""The audit's rule registry and the controls built on it: --list-rules, --select/--ignore,
--fail-on and the [tool.jdanalyzer.audit] settings of a TOML file.

The ads are the sample ads of ``tests/data/audit_ads/`` (see tests/audit/test_audit.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from jdanalyzer.audit.checks import requirement_inflation, role_clarity
from jdanalyzer.audit.config import AuditSettings, load_settings
from jdanalyzer.audit.findings import SEVERITIES, Finding
from jdanalyzer.audit.rules import RULES, AdContext, RuleRegistry, parse_rule_ids, rule
from jdanalyzer.audit.run import AuditResult, audit
from jdanalyzer.audit.wording import load_phrases
from jdanalyzer.cli.main import app
from jdanalyzer.errors import InputError
from jdanalyzer.extraction.extract import extract
from jdanalyzer.text.sections import split_sections

REPO = Path(__file__).resolve().parents[2]
ADS = REPO / "tests" / "data" / "audit_ads"
YEAR = 2025
#: Every rule, in registry order (the list the README kept by hand).
RULE_IDS = [
    "role-mismatch", "unicorn-ad", "years-for-young-tech", "too-many-skills", "requirements-split",
    "no-nice-to-have-split", "no-responsibilities", "vague-duties", "no-salary", "no-location",
    "jargon", "exclusionary-language", "gender-coded", "unusual-length", "hard-to-read",
    "boilerplate",
]
runner = CliRunner()


def rule_ids(findings: tuple[Finding, ...]) -> set[str]:
    return {f.rule for f in findings}


@pytest.fixture(scope="module")
def full() -> AuditResult:
    return audit(ADS, company="Brightloom", year=YEAR)


# ----------------------------------------------------------------------------- the registry


def test_registry_lists_every_rule_once_with_a_doc() -> None:
    assert list(RULES) == RULE_IDS
    for r in RULES.values():
        assert r.summary.endswith(".") and len(r.summary) < 80, r.id
        assert len(r.doc.splitlines()) >= 3, r.id  # a first line, a blank line, the details
        assert r.severity in r.severities and set(r.severities) <= set(SEVERITIES)
    assert [r.id for r in RULES.values() if r.scope == "company"] == ["boilerplate"]


def test_registry_order_does_not_depend_on_import_order() -> None:
    code = ("import jdanalyzer.audit.boilerplate, jdanalyzer.audit.wording; "
            "from jdanalyzer.audit.rules import RULES; print(' '.join(RULES))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == RULE_IDS


def test_every_finding_comes_from_its_rule_with_a_declared_severity(full: AuditResult) -> None:
    assert full.rules == tuple(RULE_IDS)
    for finding in full.findings:
        assert finding.severity in RULES[finding.rule].severities, finding
    # The phrase rules take their severities from data/ad_phrases.json.
    rule_of = {"jargon": "jargon", "exclusionary": "exclusionary-language",
               "vague_duty": "vague-duties"}
    for phrase in load_phrases():
        assert phrase.severity in RULES[rule_of[phrase.category]].severities, phrase.phrases


def test_the_function_that_emitted_four_rules_is_four_rules() -> None:
    tools = ("Python, PyTorch, TensorFlow, JAX, scikit-learn, XGBoost, Spark, Airflow, Kafka, "
             "Kubernetes, Docker, Terraform, AWS, GCP, Azure, Snowflake, dbt, MLflow, Kubeflow, "
             "Ray, ONNX, CUDA, LlamaIndex, Pinecone, Weaviate, Elasticsearch, Redis, PostgreSQL, "
             "MongoDB, Tableau, Looker, Power BI, SAS, SPSS, Stata and MATLAB.")
    found = extract(f"Requirements\n- 5+ years of LLM experience.\n- {tools}")
    ad = AdContext("ad", "", found.text, tuple(split_sections(found.text)), found, year=YEAR)
    by_rule = {r.id: list(r.check(ad)) for r in RULES.values() if r.scope == "ad"}
    assert {rid for rid, fs in by_rule.items() if fs} >= {
        "years-for-young-tech", "too-many-skills", "no-nice-to-have-split"}
    for rid, findings in by_rule.items():
        assert {f.rule for f in findings} <= {rid}
    assert requirement_inflation(ad) == (by_rule["years-for-young-tech"]
                                         + by_rule["too-many-skills"]
                                         + by_rule["requirements-split"]
                                         + by_rule["no-nice-to-have-split"])
    assert role_clarity(ad) == []  # no prediction: no role rule can judge the ad


def test_rule_decorator_checks_its_arguments() -> None:
    registry = RuleRegistry()
    with pytest.raises(ValueError, match="severity must be one of high, medium, low, info, "
                                         "not 'critical'"):
        rule("x", severity="critical", summary="X.", registry=registry)
    with pytest.raises(ValueError, match="scope must be one of ad, company"):
        rule("x", severity="low", summary="X.", scope="team", registry=registry)
    with pytest.raises(ValueError, match="needs a docstring"):
        rule("x", severity="low", summary="X.", registry=registry)(lambda ad: [])
    with pytest.raises(ValueError, match="two audit rules have the id 'jargon'"):
        RULES.add(RULES["jargon"])


# ------------------------------------------------------------------------ select and ignore


def test_select_runs_only_those_rules_on_the_sample_ads(full: AuditResult) -> None:
    chosen = audit(ADS, company="Brightloom", year=YEAR, select=["jargon", "no-salary"])
    assert chosen.rules == ("no-salary", "jargon")
    assert rule_ids(chosen.findings) == {"jargon", "no-salary"}
    assert chosen.findings == tuple(f for f in full.findings if f.rule in ("jargon", "no-salary"))


def test_ignore_leaves_rules_out_and_keeps_the_rest_identical(full: AuditResult) -> None:
    ignored = audit(ADS, company="Brightloom", year=YEAR,
                    ignore=["boilerplate", "gender-coded", "jargon"])
    assert "boilerplate" in rule_ids(full.findings) and "jargon" in rule_ids(full.findings)
    assert not rule_ids(ignored.findings) & {"boilerplate", "gender-coded", "jargon"}
    assert ignored.findings == tuple(
        f for f in full.findings if f.rule not in ("boilerplate", "gender-coded", "jargon"))
    assert ignored.shared_passages == full.shared_passages  # the report still shows the template


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"select": ["jargn"]},
     "unknown audit rule 'jargn' in select (did you mean 'jargon'?); the rules are: "
     + ", ".join(RULE_IDS)),
    ({"ignore": ["no-such-rule"]},
     "unknown audit rule 'no-such-rule' in ignore; the rules are: " + ", ".join(RULE_IDS)),
    ({"select": []}, "select names no rule; give at least one rule id "
                     "(`jdanalyzer audit --list-rules` lists them)"),
])
def test_unknown_rule_ids_are_an_error_before_any_ad_is_read(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError) as caught:
        audit("no-such-folder", company="B", **kwargs)
    assert str(caught.value) == message


def test_parse_rule_ids() -> None:
    assert parse_rule_ids(["jargon,no-salary", " boilerplate ", "jargon", ""]) == (
        "jargon", "no-salary", "boilerplate")


# ------------------------------------------------------------------------------------ CLI


def _three_ads(tmp_path: Path) -> Path:
    """Three sample ads. Findings of rules that do not depend on the role model:
    junior-analyst: no-responsibilities (high); no-salary, no-location, vague-duties (medium);
    unusual-length (low); gender-coded (info). platform-ai-engineer and senior-data-scientist
    share a company blurb: one boilerplate finding for the company; gender-coded and
    requirements-split, all info."""
    folder = tmp_path / "ads"
    folder.mkdir()
    for name in ("junior-analyst.txt", "platform-ai-engineer.txt", "senior-data-scientist.html"):
        shutil.copy(ADS / name, folder / name)
    return folder


def _run(*args: str) -> Result:
    return runner.invoke(app, ["audit", *args])


def _found(path: Path = Path("f.json")) -> set[str]:
    return {row["rule"] for row in json.loads(path.read_text(encoding="utf-8"))}


def test_cli_list_rules_needs_no_input() -> None:
    out = _run("--list-rules")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert [line.split()[0] for line in lines] == RULE_IDS
    assert lines[0].split(None, 2)[1:] == ["high/medium/low", RULES["role-mismatch"].summary]
    assert out.stdout == RULES.table() + "\n"


@pytest.mark.parametrize(("args", "error"), [
    ([], "Error: missing INPUT, the ads to audit (--list-rules lists the rules)\n"),
    (["ads"], "Error: missing --company, the company the ads are from\n"),
    (["ads", "-c", "B"], "Error: missing --output, the HTML report to write\n"),
    (["ads", "-c", "B", "-o", "r.html", "--select", "jargon,salary"],
     "Error: unknown audit rule 'salary' in --select (did you mean 'no-salary'?); the rules are: "
     + ", ".join(RULE_IDS) + "\n"),
    (["ads", "-c", "B", "-o", "r.html", "--fail-on", "info"],
     "Error: --fail-on must be one of high, medium, low, not 'info'\n"),
])
def test_cli_audit_option_errors(args: list[str], error: str) -> None:
    out = _run(*args)
    assert (out.exit_code, out.stderr) == (2, error)
    assert not Path("r.html").exists()


def test_cli_select_ignore_and_fail_on(tmp_path: Path) -> None:
    ads = str(_three_ads(tmp_path))
    below = _run(ads, "-c", "B", "-o", "r.html", "--findings", "f.json",
                 "--select", "no-salary,unusual-length", "--select", "boilerplate",
                 "--fail-on", "high")
    assert below.exit_code == 0, below.output  # the worst finding is medium
    assert below.stderr == ""
    assert below.stdout.startswith("Audited 3 ads of B with 3 of 16 rules: 3 findings ")
    assert _found() == {"no-salary", "unusual-length", "boilerplate"}

    at = _run(ads, "-c", "B", "-o", "r.html", "--findings", "f.json", "--force",
              "--select", "no-salary,no-location,vague-duties,unusual-length,boilerplate",
              "--ignore", "vague-duties", "--fail-on", "medium")
    assert at.exit_code == 1, at.output
    assert at.stderr == "Failing: 2 findings at medium severity or worse (fail-on medium)\n"
    assert "Wrote r.html and f.json" in at.stdout  # written before failing
    assert _found() == {"no-salary", "no-location", "unusual-length", "boilerplate"}

    low = _run(ads, "-c", "B", "-o", "r.html", "--force", "--select", "unusual-length,boilerplate",
               "--fail-on", "low")
    assert low.exit_code == 1, low.output
    assert low.stderr == "Failing: 1 finding at low severity or worse (fail-on low)\n"
    info = _run(ads, "-c", "B", "-o", "r.html", "--force", "--select", "boilerplate,gender-coded",
                "--fail-on", "low")
    assert info.exit_code == 0, info.output  # info findings never fail a run


def test_cli_reads_pyproject_toml_and_flags_win(tmp_path: Path) -> None:
    ads = str(_three_ads(tmp_path))
    Path("pyproject.toml").write_text(
        '[project]\nname = "ads"\n\n[tool.jdanalyzer.audit]\nselect = ["no-salary", "boilerplate"]\n'
        'fail_on = "medium"\n', encoding="utf-8")
    from_file = _run(ads, "-c", "B", "-o", "r.html", "--findings", "f.json")
    assert from_file.exit_code == 1, from_file.output
    assert _found() == {"no-salary", "boilerplate"}
    assert from_file.stderr == "Failing: 1 finding at medium severity or worse (fail-on medium)\n"

    flags = _run(ads, "-c", "B", "-o", "r.html", "--findings", "f.json", "--force",
                 "--select", "unusual-length", "--fail-on", "high")
    assert flags.exit_code == 0, flags.output
    assert _found() == {"unusual-length"}


def test_cli_reads_the_config_option_instead_of_pyproject(tmp_path: Path) -> None:
    ads = str(_three_ads(tmp_path))
    Path("pyproject.toml").write_text('[tool.jdanalyzer.audit]\nselect = "no-salary"\n',
                                      encoding="utf-8")
    Path("audit.toml").write_text(
        '[tool.jdanalyzer.audit]\nselect = ["no-salary", "no-location", "boilerplate", '
        '"gender-coded"]\nignore = "boilerplate, gender-coded"\nfail_on = "low"\n',
        encoding="utf-8")
    out = _run(ads, "-c", "B", "-o", "r.html", "--findings", "f.json", "--config", "audit.toml")
    assert out.exit_code == 1, out.output
    assert _found() == {"no-salary", "no-location"}
    assert load_settings("audit.toml") == AuditSettings(
        ("no-salary", "no-location", "boilerplate", "gender-coded"), ("boilerplate", "gender-coded"),
        "low", "audit.toml")


@pytest.mark.parametrize(("toml", "error"), [
    ('[tool.jdanalyzer.audit]\nfail_on = "critical"\n',
     "fail_on in pyproject.toml [tool.jdanalyzer.audit] must be one of high, medium, low, "
     "not 'critical'"),
    ('[tool.jdanalyzer.audit]\nselect = ["jargon", "no-salery"]\n',
     "unknown audit rule 'no-salery' in select in pyproject.toml [tool.jdanalyzer.audit] "
     "(did you mean 'no-salary'?); the rules are: " + ", ".join(RULE_IDS)),
    ('[tool.jdanalyzer.audit]\nfail-on = "high"\n',
     "pyproject.toml [tool.jdanalyzer.audit]: unknown key 'fail-on'; the keys are: select, "
     "ignore, fail_on"),
    ('[tool.jdanalyzer.audit]\nignore = [1]\n',
     'ignore in pyproject.toml [tool.jdanalyzer.audit] must be a list of rule ids, e.g. '
     '["jargon", "no-salary"]'),
    ("[tool.jdanalyzer]\naudit = 3\n",
     "pyproject.toml: tool.jdanalyzer.audit must be a table ([tool.jdanalyzer.audit])"),
    ("[tool.jdanalyzer.audit\n",
     "pyproject.toml is not valid TOML: Expected ']' at the end of a table declaration"),
])
def test_cli_bad_pyproject_settings(toml: str, error: str) -> None:
    Path("pyproject.toml").write_text(toml, encoding="utf-8")
    out = _run("ads", "-c", "B", "-o", "r.html")
    assert out.exit_code == 2
    assert out.stderr.startswith(f"Error: {error}") and out.stderr.count("\n") == 1


def test_settings_files_that_say_nothing_about_the_audit() -> None:
    assert load_settings() == AuditSettings()  # no pyproject.toml here
    Path("pyproject.toml").write_text('[project]\nname = "x"\n[tool.ruff]\nline-length = 99\n',
                                      encoding="utf-8")
    assert load_settings() == AuditSettings()
    Path("other.toml").write_text('[tool.jdanalyzer]\nmodel = "m"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"^other.toml has no \[tool.jdanalyzer.audit\] table; "):
        load_settings("other.toml")
    with pytest.raises(InputError, match=r"^no such config file: missing\.toml$"):
        load_settings("missing.toml")


# ----------------------------------------------------------------------------------- docs


def test_audit_rules_doc_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "audit_rules.py"), "--check"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    doc = (REPO / "docs" / "audit-rules.md").read_text(encoding="utf-8")
    for r in RULES.values():
        assert f"\n### {r.id}\n" in doc and r.doc in doc
