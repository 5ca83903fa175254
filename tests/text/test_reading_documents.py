"""Reading Word (.docx) and PDF postings through the documents extra, and folders of postings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jdanalyzer.errors import InputError
from jdanalyzer.text.reading import POSTING_SUFFIXES, posting_files, read_posting

TITLE = "Senior AI Engineer, LLM Applications"
INTRO = "Northwind builds assistants that answer questions over customer documents."
DUTIES = [
    "Build retrieval-augmented generation pipelines with LangChain and a vector database.",
    "Fine-tune open LLMs with LoRA and serve them with vLLM on Kubernetes.",
    "Evaluate prompts and agents with automated evals and guardrails.",
]
REQUIREMENTS = ["Strong Python and PyTorch.", "Experience with FastAPI and Docker."]


def write_docx(path: Path) -> Path:
    """A small Word posting: a heading, paragraphs, bullet lists and a two-cell table."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading(TITLE, level=1)
    document.add_paragraph(INTRO)
    document.add_heading("Responsibilities", level=2)
    for duty in DUTIES:
        document.add_paragraph(duty, style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Requirements"
    cell = table.rows[0].cells[1]
    cell.text = REQUIREMENTS[0]
    cell.add_paragraph(REQUIREMENTS[1])
    document.save(str(path))
    return path


def write_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF with ``lines`` as real text (matplotlib's PDF backend, TrueType fonts)."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("pdf", force=True)
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        figure = plt.figure(figsize=(8.27, 11.69))
        for i, line in enumerate(lines):
            figure.text(0.05, 0.95 - i * 0.025, line, fontsize=9)
        figure.savefig(str(path))
        plt.close(figure)
    return path


def test_docx_paragraphs_lists_and_tables_are_read_in_order(tmp_path: Path) -> None:
    decoded = read_posting(write_docx(tmp_path / "ad.docx"))
    assert decoded.encoding == "docx" and not decoded.fallback
    lines = [line for line in decoded.text.splitlines() if line]
    assert lines == [TITLE, INTRO, "Responsibilities", *(f"- {d}" for d in DUTIES),
                     "Requirements", *REQUIREMENTS]


def test_pdf_text_is_read(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    path = write_pdf(tmp_path / "ad.pdf", [TITLE, INTRO, "Responsibilities", *(f"- {d}" for d in DUTIES)])
    decoded = read_posting(path)
    assert decoded.encoding == "pdf"
    lines = [" ".join(line.split()) for line in decoded.text.splitlines() if line.strip()]
    assert lines[:3] == [TITLE, INTRO, "Responsibilities"]
    assert f"- {DUTIES[1]}" in lines


def test_docx_and_pdf_postings_are_classified(tmp_path: Path, role_model) -> None:
    pytest.importorskip("pypdf")
    for path in (write_docx(tmp_path / "ad.docx"),
                 write_pdf(tmp_path / "ad.pdf", [TITLE, INTRO, "Responsibilities", *DUTIES, *REQUIREMENTS])):
        prediction = role_model.classify(read_posting(path).text)
        assert prediction.label == "ai_engineer", path.name
        assert "vllm" in {m.id for m in prediction.skills}


@pytest.mark.parametrize(("suffix", "module"), [(".docx", "docx"), (".pdf", "pypdf")])
def test_missing_documents_extra_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, module: str
) -> None:
    path = tmp_path / f"ad{suffix}"
    path.write_bytes(b"anything: the reader is missing before the file is opened")
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    with pytest.raises(InputError) as caught:
        read_posting(path)
    assert str(caught.value) == (
        f"reading {suffix} needs the documents extra: pip install 'jdanalyzer[documents]'"
    )


def test_a_text_file_named_docx_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("docx")
    path = tmp_path / "ad.docx"
    path.write_text("Senior AI Engineer. Build RAG pipelines.")
    with pytest.raises(InputError, match=r"cannot read .*ad\.docx as a Word document \(.*\); save it again"):
        read_posting(path)


def test_a_broken_pdf_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    path = tmp_path / "ad.pdf"
    path.write_bytes(b"%PDF-1.4\n this is not a real PDF body")
    with pytest.raises(InputError, match=r"cannot read .*ad\.pdf as a PDF \(.*\); save it again"):
        read_posting(path)


def test_a_pdf_without_text_says_it_is_probably_scanned(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    path = write_pdf(tmp_path / "scan.pdf", [])
    with pytest.raises(InputError, match=r"scan\.pdf has no text to read: it is probably a scanned image"):
        read_posting(path)


def test_folder_gives_its_posting_files_sorted(tmp_path: Path) -> None:
    for name in ("b.md", "A.txt", "c.html", "d.docx", "e.pdf", "notes.csv", ".hidden.txt", "~$d.docx"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.txt").write_text("x")
    missing = tmp_path / "missing.txt"
    got = posting_files([tmp_path, missing])
    assert [p.name for p in got] == ["A.txt", "b.md", "c.html", "d.docx", "e.pdf", "missing.txt"]
    assert {".txt", ".md", ".html", ".docx", ".pdf"} <= set(POSTING_SUFFIXES)


def test_folder_without_postings_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n")
    with pytest.raises(InputError, match=r"holds no posting files \(\.txt, \.md"):
        posting_files([tmp_path])
