"""`jdanalyzer classify` over several files or a folder: one row per file, errors in their rows."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from jdanalyzer.cli.main import app
from jdanalyzer.cli.render import prediction_view

runner = CliRunner()
# The tests run in tmp_path (tests/conftest.py) and name files relative to it, as a person would.
WIDE = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, env=WIDE)


def rows(stdout: str) -> dict[str, str]:
    """The table's rows by file name (the first cell), each as its line of text."""
    out = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if cells and cells[0].endswith((".txt", ".md", ".docx", ".pdf", ".html")):
            out[Path(cells[0]).name] = line
    return out


@pytest.fixture
def folder(tmp_path: Path, sample_paths: dict[str, Path]) -> Path:
    ads = tmp_path / "ads"
    ads.mkdir()
    for name in ("ai_engineer", "data_scientist"):
        shutil.copy(sample_paths[name], ads / f"{name}.txt")
    shutil.copy(sample_paths["hybrid"], ads / "hybrid.md")
    (ads / "notes.csv").write_text("not,a,posting\n")
    return ads


def test_several_files_give_one_row_each(folder: Path) -> None:
    result = invoke("classify", "ads/ai_engineer.txt", "ads/data_scientist.txt")
    assert result.exit_code == 0, result.stderr
    found = rows(result.stdout)
    assert set(found) == {"ai_engineer.txt", "data_scientist.txt"}
    assert "│ ai_engineer " in found["ai_engineer.txt"]
    assert "│ data_scientist " in found["data_scientist.txt"]
    header = next(line for line in result.stdout.splitlines() if "confidence" in line)
    for column in ("file", "label", "confidence", "runner-up", "top duty evidence"):
        assert column in header
    # The top duty evidence is a duty sentence of the ad itself, in its own words.
    for name in ("ai_engineer.txt", "data_scientist.txt"):
        evidence = found[name].split("│")[-2].strip().rstrip("…")
        ad = " ".join((folder / name).read_text(encoding="utf-8").split())
        assert len(evidence.split()) >= 5 and evidence in ad, (name, evidence)
    assert "Label:" not in result.stdout  # not the detailed view of one posting


def test_a_folder_gives_its_posting_files(folder: Path) -> None:
    result = invoke("classify", folder.name)
    assert result.exit_code == 0, result.stderr
    found = rows(result.stdout)
    assert list(found) == ["ai_engineer.txt", "data_scientist.txt", "hybrid.md"]  # not notes.csv
    assert "│ hybrid " in found["hybrid.md"]


def test_an_unreadable_file_gets_its_error_row_and_the_others_still_run(folder: Path) -> None:
    (folder / "empty.txt").write_text("  \n")
    (folder / "image.txt").write_bytes(bytes(range(256)) * 20)
    result = invoke("classify", folder.name, "gone.txt")
    assert result.exit_code == 2
    found = rows(result.stdout)
    assert len(found) == 6
    assert "│ ai_engineer " in found["ai_engineer.txt"]
    assert "│ error " in found["empty.txt"] and "the posting is empty" in found["empty.txt"]
    assert "│ error " in found["image.txt"] and "looks like a binary file" in found["image.txt"]
    assert "│ error " in found["gone.txt"] and "no such file" in found["gone.txt"]
    assert result.stderr.strip() == "Error: 3 of 6 files could not be classified; their rows say why"


def test_json_is_a_list_with_file_and_error(folder: Path, tmp_path: Path) -> None:
    missing = tmp_path / "gone.txt"
    result = invoke("classify", str(folder / "ai_engineer.txt"), str(missing), "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 2
    assert data[0]["file"] == str(folder / "ai_engineer.txt")
    assert data[0]["error"] is None and data[0]["label"] == "ai_engineer"
    assert {"confidence", "runner_up", "evidence", "probabilities"} <= set(data[0])
    assert data[1] == {"file": str(missing), "error": f"no such file: {missing}"}


def test_one_file_keeps_the_detailed_output(sample_paths: dict[str, Path], role_model) -> None:
    path = sample_paths["hybrid"]
    result = invoke("classify", str(path), "--title", "Data Scientist")
    assert result.exit_code == 0
    expected = Console(file=io.StringIO(), width=200, no_color=True, force_terminal=False)
    prediction = role_model.classify(path.read_text(encoding="utf-8"), "Data Scientist")
    for renderable in prediction_view(prediction):
        expected.print(renderable)
    assert result.stdout == expected.file.getvalue()

    as_json = json.loads(invoke("classify", str(path), "-f", "json").stdout)
    assert isinstance(as_json, dict) and as_json["label"] == "hybrid" and "file" not in as_json


def test_one_missing_file_is_still_a_one_line_error(tmp_path: Path) -> None:
    result = invoke("classify", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: no such file: {tmp_path / 'nope.txt'}"


AI_DUTIES = [
    "Senior AI Engineer, LLM Applications",
    "Build retrieval-augmented generation pipelines with LangChain and a vector database.",
    "Fine-tune open LLMs with LoRA and serve them with vLLM on Kubernetes.",
    "Evaluate prompts and agents with automated evals and guardrails.",
    "Strong Python and PyTorch; experience with FastAPI and Docker.",
]


def test_docx_and_pdf_in_a_folder_are_classified(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    pytest.importorskip("pypdf")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("pdf", force=True)
    import matplotlib.pyplot as plt

    document = docx.Document()
    for line in AI_DUTIES:
        document.add_paragraph(line)
    document.save(str(tmp_path / "ad.docx"))
    with matplotlib.rc_context({"pdf.fonttype": 42}):  # real text a PDF reader can take out
        figure = plt.figure(figsize=(8.27, 11.69))
        for i, line in enumerate(AI_DUTIES):
            figure.text(0.05, 0.95 - i * 0.025, line, fontsize=9)
        figure.savefig(str(tmp_path / "ad.pdf"))
        plt.close(figure)

    result = invoke("classify", ".")
    assert result.exit_code == 0, result.stderr
    found = rows(result.stdout)
    assert set(found) == {"ad.docx", "ad.pdf"}
    assert all("│ ai_engineer " in line for line in found.values())


def test_missing_documents_extra_is_a_row_not_a_crash(
    tmp_path: Path, sample_paths: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "docx", None)
    (tmp_path / "ad.docx").write_bytes(b"PK not really a docx")
    shutil.copy(sample_paths["ai_engineer"], tmp_path / "ai.txt")
    result = invoke("classify", str(tmp_path), "-f", "json")
    assert result.exit_code == 2
    by_file = {Path(item["file"]).name: item for item in json.loads(result.stdout)}
    assert by_file["ad.docx"]["error"] == (
        "reading .docx needs the documents extra: pip install 'jdanalyzer[documents]'"
    )
    assert by_file["ai.txt"]["label"] == "ai_engineer"
    # One file: the same message as the one line of the error.
    single = invoke("classify", str(tmp_path / "ad.docx"))
    assert single.exit_code == 2
    assert single.stderr.strip() == (
        "Error: reading .docx needs the documents extra: pip install 'jdanalyzer[documents]'"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-"], "Error: '-' (standard input) cannot be mixed with files; give it alone"),
        (["--title", "ML Engineer"],
         "Error: --title is the title of one posting; leave it out when classifying several"),
    ],
)
def test_several_files_refuse_stdin_and_title(
    sample_paths: dict[str, Path], extra: list[str], message: str
) -> None:
    result = invoke("classify", str(sample_paths["ai_engineer"]), str(sample_paths["hybrid"]), *extra)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_a_folder_without_postings_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "table.csv").write_text("a,b\n")
    result = invoke("classify", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"Error: {tmp_path} holds no posting files (.txt, .md")


def test_help_documents_several_files_and_the_exit_code() -> None:
    result = invoke("classify", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Several files or a folder" in text
    assert "the exit code is 2" in text
    assert "pip install 'jdanalyzer[documents]'" in text
