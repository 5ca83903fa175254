from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jdanalyzer.cli.main import app

runner = CliRunner()
COMMANDS = ["extract", "classify", "train", "evaluate", "score", "audit", "serve"]


def invoke(*args: str, input: str | bytes | None = None):
    return runner.invoke(app, list(args), input=input)


def error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_top_level_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.stdout


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("jdanalyzer ")


def test_help_is_fast_and_imports_no_heavy_library() -> None:
    code = (
        "import sys, jdanalyzer.cli.main\n"
        "heavy = [m for m in ('spacy', 'sklearn', 'pandas', 'numpy') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_extract_table(sample_paths: dict[str, Path]) -> None:
    result = invoke("extract", str(sample_paths["data_scientist"]))
    assert result.exit_code == 0
    assert "Tableau" in result.stdout and "data_scientist" in result.stdout


def test_extract_json_from_stdin(samples: dict[str, str]) -> None:
    result = invoke("extract", "-", "--format", "json", input=samples["ai_engineer"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {m["id"] for m in data["skills"]} >= {"vllm", "kubernetes", "langgraph"}
    for m in data["skills"] + data["tasks"]:
        assert data["text"][m["start"] : m["end"]] == m["matched"]


def test_extract_lists_job_titles_as_roles_apart_from_skills() -> None:
    text = "Senior Data Scientist. Work beside our software engineers; build churn models in Python."
    table = invoke("extract", "-", input=text)
    assert table.exit_code == 0
    rows = [line for line in table.stdout.splitlines() if "role named" in line]
    assert any("data science" in row for row in rows) and any("software" in row for row in rows), table.stdout
    data = json.loads(invoke("extract", "-", "--format", "json", input=text).stdout)
    assert [m["matched"] for m in data["roles"]] == ["Data Scientist", "software engineers"]
    assert not {m["id"] for m in data["skills"]} & {"data_science", "software_engineering"}
    titles_only = invoke("extract", "-", input="Our data scientists.")
    assert titles_only.exit_code == 0 and "role named" in titles_only.stdout


def test_classify_json_from_stdin_without_a_file_argument(samples: dict[str, str]) -> None:
    result = invoke("classify", "--format", "json", input=samples["data_scientist"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["label"] == "data_scientist"


def test_classify_table_shows_label_bars_evidence_and_text(sample_paths: dict[str, Path]) -> None:
    result = invoke("classify", str(sample_paths["ai_engineer"]), "--title", "Senior AI Engineer")
    assert result.exit_code == 0
    out = result.stdout
    assert "Label: ai_engineer" in out and "█" in out
    assert "Evidence" in out and "Posting, evidence highlighted" in out


@pytest.mark.parametrize("command", ["extract", "classify"])
@pytest.mark.parametrize("text", ["", "  \n\t  "])
def test_empty_input_is_a_one_line_error(command: str, text: str) -> None:
    result = invoke(command, "-", input=text)
    assert result.exit_code == 2
    assert error_line(result) == "Error: the posting is empty; paste or pipe the text of a job ad"


@pytest.mark.parametrize("command", ["extract", "classify"])
def test_one_posting_commands_turn_the_collector_back_on(command: str, samples: dict[str, str]) -> None:
    import gc

    assert gc.isenabled()
    result = invoke(command, "-", input=samples["ai_engineer"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    failed = invoke(command, "-", input="")
    assert failed.exit_code == 2
    assert gc.isenabled()


def test_missing_file(tmp_path: Path) -> None:
    result = invoke("classify", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert error_line(result) == f"Error: no such file: {tmp_path / 'nope.txt'}"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    result = invoke("extract", str(tmp_path))
    assert result.exit_code == 2
    assert error_line(result).startswith(f"Error: {tmp_path} is a folder")


def test_binary_input(tmp_path: Path) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(bytes(range(256)) * 40)
    result = invoke("classify", str(path))
    assert result.exit_code == 2
    assert "looks like a binary file" in error_line(result)


def test_non_utf8_input_is_read_with_a_warning(tmp_path: Path, samples: dict[str, str]) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes((samples["data_scientist"] + "\nCafé résumé").encode("cp1252"))
    result = invoke("extract", str(path), "--format", "json")
    assert result.exit_code == 0
    assert "Warning: input is not UTF-8" in result.stderr
    assert "Café" in json.loads(result.stdout)["text"]


def test_huge_posting_is_truncated_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("We use PyTorch and SQL for analytics. " * 60_000)  # about 2 MB
    result = invoke("extract", str(path), "--format", "json")
    assert result.exit_code == 0
    assert "cut to its first" in result.stderr
    assert json.loads(result.stdout)["truncated"] is True


def test_running_as_a_module(sample_paths: dict[str, Path]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "jdanalyzer", "extract", str(sample_paths["hybrid"]), "-f", "json"],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["skills"]


@pytest.mark.parametrize("name", ["\x1e", "a\u2028b", "tab\there"])
def test_a_file_name_with_a_line_break_character_stays_on_the_error_line(
        tmp_path: Path, name: str) -> None:
    # str.splitlines() breaks at \x1e and \u2028: the name used to split the one error line.
    ads = tmp_path / "ads"
    ads.mkdir()
    (ads / f"{name}.txt").write_text("")
    result = invoke("audit", str(ads), "--company", "Acme", "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    line = error_line(result)
    assert line.startswith("Error: no ad in") and "is empty" in line
    assert name.encode("unicode_escape").decode("ascii") in line
