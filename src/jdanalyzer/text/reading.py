"""Read postings from files and standard input, whatever their encoding."""

from __future__ import annotations

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


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return len(head) > 0 and control / len(head) > 0.1


def decode_bytes(data: bytes, *, name: str = "input") -> Decoded:
    """Decode bytes as UTF-8 (with or without BOM), falling back to cp1252 then latin-1.

    Raises:
        InputError: the bytes are binary (NUL bytes or mostly control characters).
    """
    if _looks_binary(data):
        raise InputError(
            f"{name} looks like a binary file, not a posting; give plain text, Markdown or HTML"
        )
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "cp1252", fallback=True)
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1", fallback=True)


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
