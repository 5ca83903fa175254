"""Read postings from files and standard input, whatever their encoding."""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass
from pathlib import Path

from jdanalyzer.errors import InputError

__all__ = ["Decoded", "decode_bytes", "read_posting"]

# Reading more than this from one file or stdin is refused: it is not a job posting.
MAX_INPUT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Decoded:
    text: str
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
        f"{name} looks like a binary file, not a posting; give plain text, Markdown or HTML"
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
    """Read one posting from a file path, or from standard input for ``None`` or ``"-"``."""
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
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        name = str(path)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name} is over {MAX_INPUT_BYTES // 2**20} MB; a posting is far shorter")
    return decode_bytes(data, name=name)
