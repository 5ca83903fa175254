"""The notebooks: committed without outputs, and executed top to bottom against the corpus."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

NOTEBOOKS = REPO / "notebooks"
CHECKER = REPO / "scripts" / "check_notebooks_stripped.py"
NAMES = ("01_corpus.ipynb", "02_model.ipynb")
#: The notebooks may quote this many characters of a posting in a row, no more.
SNIPPET_CHARS = 200


def run_checker(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECKER), *map(str, paths)], capture_output=True, text=True, check=False
    )


def code_cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def test_the_notebooks_are_there() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == list(NAMES)


def test_committed_notebooks_have_no_outputs() -> None:
    result = run_checker()  # default: the repository's notebooks/ folder
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_checker_reports_outputs_and_execution_counts(tmp_path: Path) -> None:
    notebook = json.loads((NOTEBOOKS / NAMES[0]).read_text(encoding="utf-8"))
    number = next(i for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "code")
    notebook["cells"][number]["execution_count"] = 7
    notebook["cells"][number]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}]
    path = tmp_path / "executed.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")

    result = run_checker(tmp_path)

    assert result.returncode == 1
    assert f"{path}: cell {number} has 1 output(s)" in result.stdout
    assert f"{path}: cell {number} has execution count 7" in result.stdout
    assert "nbstripout" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "does not exist"), ("{not json", "Error:")],
    ids=["missing", "invalid-json"],
)
def test_checker_fails_cleanly_on_bad_input(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "broken.ipynb"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run_checker(path)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize("name", NAMES)
def test_notebook_code_parses_and_uses_the_package(name: str) -> None:
    cells = code_cells(NOTEBOOKS / name)
    for source in cells:
        ast.parse(source)  # a syntax error fails here, without the corpus
    code = "\n".join(cells)
    assert "from jdanalyzer" in code
    assert "JDANALYZER_CORPUS" in code and "heldout-ids.txt" in code


# --- executing the notebooks (needs the shared corpus) ---------------------------------------


def _required(var: str) -> bool:
    return os.environ.get(var, "") not in ("", "0", "false", "no")


def _require_cv_predictions(corpus_dir: Path, heldout_ids: set[str]) -> None:
    """02_model reads the out-of-fold predictions of `make model`; without them it would
    cross-validate for many minutes, too long for the suite."""
    import pandas as pd

    from jdanalyzer.model.artifacts import default_model_path
    from jdanalyzer.model.training import CV_PREDICTIONS

    path = Path(os.environ.get("JDANALYZER_CV_PREDICTIONS") or default_model_path().parent / CV_PREDICTIONS)
    # The labels `make model` trains on: the corpus's, then the project's blind ones.
    labels = pd.concat([
        pd.read_csv(corpus_dir / "labels-train.csv", dtype=str, keep_default_na=False),
        pd.read_csv(REPO / "corpora" / "labels-extra.csv", dtype=str, keep_default_na=False),
    ])
    labels = labels[~labels["posting_id"].isin(heldout_ids)].drop_duplicates("posting_id")
    problem = None
    if not path.is_file():
        problem = f"{path} is missing"
    else:
        oof = pd.read_csv(path, dtype=str, keep_default_na=False)
        if dict(zip(oof["posting_id"], oof["label"], strict=True)) != dict(
            zip(labels["posting_id"], labels["label"], strict=True)
        ):
            problem = f"{path} does not match the current training labels"
    if problem:
        message = f"{problem}: run `make model` (02_model.ipynb would cross-validate for many minutes)"
        if _required("JDANALYZER_REQUIRE_CORPUS"):
            pytest.fail(message + " and JDANALYZER_REQUIRE_CORPUS is set")
        pytest.skip(message)


def _execute(source: Path, workdir: Path):
    import nbformat
    from nbclient import NotebookClient

    copy = workdir / source.name
    shutil.copy(source, copy)
    notebook = nbformat.read(copy, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()
    nbformat.write(notebook, copy)  # kept in tmp_path to look at when a check below fails
    return notebook


def _outputs(notebook) -> tuple[str, int]:
    """All text the notebook printed or displayed as plain text, and the number of figures."""
    texts, figures = [], 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output["text"])
            data = output.get("data", {})
            texts.append(data.get("text/plain", ""))
            texts.append(re.sub(r"<[^>]+>", " ", data.get("text/html", "")))
            figures += "image/png" in data
    return "\n".join(texts), figures


def _quotes_more_than(printed: str, posting: str, limit: int) -> bool:
    """True if ``printed`` contains more than ``limit`` consecutive characters of ``posting``
    (both compared with whitespace collapsed)."""
    printed, posting = " ".join(printed.split()), " ".join(posting.split())
    width = limit + 1
    windows = {printed[i : i + width] for i in range(len(printed) - width + 1)}
    return any(posting[i : i + width] in windows for i in range(len(posting) - width + 1))


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize(("name", "min_figures"), [(NAMES[0], 6), (NAMES[1], 5)])
def test_notebook_runs_top_to_bottom(
    name: str,
    min_figures: int,
    corpus_dir: Path,
    heldout_ids: set[str],
    corpus_postings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jdanalyzer import normalize

    if name == "02_model.ipynb":
        _require_cv_predictions(corpus_dir, heldout_ids)
    monkeypatch.setenv("JDANALYZER_CORPUS", str(corpus_dir))

    notebook = _execute(NOTEBOOKS / name, tmp_path)

    printed, figures = _outputs(notebook)
    assert figures >= min_figures
    assert not [i for i in heldout_ids if i in printed], "a held-out posting id was printed"
    shown = corpus_postings[[pid in printed for pid in corpus_postings["posting_id"]]]
    if name == "02_model.ipynb":
        assert len(shown) >= 3, "the notebook should show a few misclassified postings"
        assert "What the model gets wrong and why" in "".join(c.source for c in notebook.cells)
    for posting_id, description in zip(shown["posting_id"], shown["description"], strict=True):
        assert not _quotes_more_than(printed, normalize(description), SNIPPET_CHARS), (
            f"{name} prints more than {SNIPPET_CHARS} characters of posting {posting_id}"
        )
