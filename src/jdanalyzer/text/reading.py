"""Read postings from files and standard input, whatever their encoding.

Plain text, Markdown and HTML are decoded from their bytes. Word (``.docx``) and PDF files
are read for their text through the ``documents`` extra (python-docx and pypdf), which is
imported only when such a file is read.
"""

from __future__ import annotations

import codecs
import logging
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jdanalyzer.errors import InputError

__all__ = [
    "DOCUMENT_SUFFIXES", "POSTING_SUFFIXES", "Decoded", "decode_bytes", "posting_files", "read_posting"
]

# Reading more than this from one file or stdin is refused: it is not a job posting.
MAX_INPUT_BYTES = 20 * 1024 * 1024

#: Files read for their text through the ``documents`` extra rather than decoded.
DOCUMENT_SUFFIXES = (".docx", ".pdf")
#: The files of a folder that :func:`posting_files` takes as postings.
POSTING_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", *DOCUMENT_SUFFIXES)


@dataclass(frozen=True)
class Decoded:
    text: str
    #: The encoding of the bytes, or ``docx`` / ``pdf`` for text taken from a document.
    encoding: str
    #: True when the bytes were not valid UTF-8 and a fallback decoding was used.
    fallback: bool = False


# Text in UTF-16 or UTF-32 is full of NUL bytes: it is told from binary by its byte-order
# mark. UTF-32 first, as its little-endian mark starts with UTF-16's.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return len(head) > 0 and control / len(head) > 0.1


def _binary_error(name: str) -> InputError:
    return InputError(
        f"{name} looks like a binary file, not a posting; give plain text, Markdown, HTML, "
        "Word (.docx) or PDF"
    )


def decode_bytes(data: bytes, *, name: str = "input") -> Decoded:
    """Decode bytes as UTF-8 (with or without BOM), falling back to cp1252 then latin-1;
    bytes that start with a UTF-16 or UTF-32 byte-order mark are decoded as such.

    Raises:
        InputError: the bytes are binary (NUL bytes or mostly control characters), or
            start with a UTF-16 or UTF-32 byte-order mark but are not valid in it.

    Example:
        >>> decode_bytes("Build RAG pipelines".encode("utf-16")).text
        'Build RAG pipelines'
    """
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return _decode_marked(data[len(mark) :], encoding, name)
    if _looks_binary(data):
        raise _binary_error(name)
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "cp1252", fallback=True)
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1", fallback=True)


def _decode_marked(data: bytes, encoding: str, name: str) -> Decoded:
    """Decode the bytes after a UTF-16 or UTF-32 byte-order mark."""
    label = encoding[:6].upper()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise InputError(
            f"{name} starts with a {label} byte-order mark but is not valid {label}; "
            "save it again as UTF-8 text"
        ) from None
    if _looks_binary(text[:8192].encode("utf-8")):
        raise _binary_error(name)
    return Decoded(text, encoding)


def read_posting(source: str | Path | None) -> Decoded:
    """Read one posting from a file path, or from standard input for ``None`` or ``"-"``.

    A ``.docx`` or ``.pdf`` file is read for its text (paragraphs, list items as ``- ``
    lines, table cells; a PDF's pages in order), which needs the ``documents`` extra.

    Raises:
        InputError: no such file, a folder, over 20 MB, binary, or a document that cannot
            be read (not a Word/PDF file, encrypted, no text layer, the extra missing).

    Example:
        >>> read_posting("ad.docx").text.splitlines()[0]  # doctest: +SKIP
        'Senior AI Engineer'
    """
    if source is None or str(source) == "-":
        if sys.stdin is None:
            raise InputError("no posting given: pass a FILE or pipe the posting on standard input")
        if sys.stdin.isatty():
            print("Paste the posting, then press Ctrl-D (Ctrl-Z Enter on Windows):", file=sys.stderr)
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        name = "standard input"
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(f"no such file: {path}")
        if path.is_dir():
            raise InputError(f"{path} is a folder; give one posting file, or '-' for standard input")
        if path.suffix.lower() in DOCUMENT_SUFFIXES:
            return _read_document(path)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        name = str(path)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name} is over {MAX_INPUT_BYTES // 2**20} MB; a posting is far shorter")
    return decode_bytes(data, name=name)


def posting_files(sources: Sequence[str | Path]) -> list[Path]:
    """The files to read for ``sources``: each file as given, and each folder's posting files.

    A folder gives its files ending in one of :data:`POSTING_SUFFIXES` (not those of its
    subfolders, nor hidden files or Word's ``~$`` lock files), sorted by name. A path that
    does not exist is kept, so that reading it reports it.

    Raises:
        InputError: a folder holds no posting file.

    Example:
        >>> posting_files(["ads/"])  # doctest: +SKIP
        [PosixPath('ads/ml-engineer.docx'), PosixPath('ads/data-scientist.txt')]
    """
    out: list[Path] = []
    for source in sources:
        path = Path(source)
        if not path.is_dir():
            out.append(path)
            continue
        found = sorted(
            (child for child in path.iterdir()
             if child.suffix.lower() in POSTING_SUFFIXES and not child.name.startswith((".", "~$"))
             and child.is_file()),
            key=lambda child: child.name.lower(),
        )
        if not found:
            raise InputError(f"{path} holds no posting files ({', '.join(POSTING_SUFFIXES)})")
        out += found
    return out


def _needs_extra(suffix: str) -> InputError:
    return InputError(f"reading {suffix} needs the documents extra: pip install 'jdanalyzer[documents]'")


def _read_document(path: Path) -> Decoded:
    """The text of a Word or PDF file (``path`` exists and is not a folder)."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_INPUT_BYTES:
        raise InputError(f"{path} is over {MAX_INPUT_BYTES // 2**20} MB; a posting is far shorter")
    text = _docx_text(path) if suffix == ".docx" else _pdf_text(path)
    return Decoded(text, suffix[1:])


def _docx_text(path: Path) -> str:
    try:
        import docx
        from docx.table import Table
    except ImportError:
        raise _needs_extra(".docx") from None
    try:
        document = docx.Document(str(path))
        lines = list(_block_lines(document.iter_inner_content(), Table))
    # python-docx raises many kinds (zipfile.BadZipFile, KeyError, ValueError, lxml's
    # errors) for a file that is not a Word document: all mean the same to the reader.
    except Exception as exc:
        raise InputError(
            f"cannot read {path} as a Word document ({type(exc).__name__}: {str(exc)[:200]}); save it again "
            "as .docx, or as plain text"
        ) from None
    return "\n".join(lines)


def _block_lines(blocks: Iterator[Any], table_type: type[Any]) -> Iterator[str]:
    """Lines of text of paragraphs and tables in document order; list items start with ``- ``."""
    for block in blocks:
        if isinstance(block, table_type):
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell comes once per column it spans
                        continue
                    seen.add(id(cell._tc))
                    yield from _block_lines(cell.iter_inner_content(), table_type)
            continue
        text = block.text.strip()
        if not text:
            yield ""
            continue
        p_pr = block._p.pPr
        style = block.style.name if block.style is not None else ""
        listed = (p_pr is not None and p_pr.numPr is not None) or style.startswith("List")
        yield f"- {text}" if listed else text


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        raise _needs_extra(".pdf") from None
    # pypdf logs a warning for each defect it works around ("EOF marker not found"); with no
    # logging set up these would reach stderr beside our own message, so they are kept quiet.
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{path} is a password-protected PDF; save it without a password or as text")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    # pypdf raises its own errors and also ValueError, KeyError, zlib.error ... for a broken
    # or unsupported file: all mean the same to the reader.
    except Exception as exc:
        raise InputError(
            f"cannot read {path} as a PDF ({type(exc).__name__}: {str(exc)[:200]}); save it again, "
            "or as plain text"
        ) from None
    finally:
        pypdf_log.setLevel(level)
    text = "\n\n".join(page.strip("\n") for page in pages)
    if not text.strip():
        raise InputError(
            f"{path} has no text to read: it is probably a scanned image; run it through OCR or "
            "paste the posting's text"
        )
    return text
