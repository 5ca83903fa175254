"""Reading postings from files whatever their encoding, and refusing binary files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from jdanalyzer.errors import InputError
from jdanalyzer.text.reading import decode_bytes, read_posting

POSTING = "Senior ML Engineer — Zürich\n• Build RAG pipelines with PyTorch 🚀\n• Ship models to prod\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF16_LE + POSTING.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + POSTING.encode("utf-16-be"), "utf-16-be"),
        (POSTING.encode("utf-16"), "utf-16-le" if codecs.BOM_UTF16 == codecs.BOM_UTF16_LE else "utf-16-be"),
        (codecs.BOM_UTF32_LE + POSTING.encode("utf-32-le"), "utf-32-le"),
        (codecs.BOM_UTF32_BE + POSTING.encode("utf-32-be"), "utf-32-be"),
        (codecs.BOM_UTF8 + POSTING.encode("utf-8"), "utf-8"),
        (POSTING.encode("utf-8"), "utf-8"),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-16-native", "utf-32-le", "utf-32-be", "utf-8-bom", "utf-8"],
)
def test_unicode_text_with_a_byte_order_mark_is_read(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "posting.txt"
    path.write_bytes(data)
    decoded = read_posting(path)
    assert decoded.text == POSTING  # the mark itself is not part of the text
    assert decoded.encoding == encoding
    assert not decoded.fallback


@pytest.mark.parametrize(
    "data",
    [
        PNG + bytes(range(256)),
        b"\x00\x01\x02\x03" * 500,
        POSTING.encode("utf-16-le"),  # UTF-16 without a mark is not told from binary
        codecs.BOM_UTF16_LE + b"\x01\x00\x02\x00\x00\x00" * 300,  # marked, but control characters
    ],
    ids=["png", "nul-heavy", "utf-16-without-bom", "bom-then-controls"],
)
def test_binary_data_is_still_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(data)
    with pytest.raises(InputError, match=r"image\.png looks like a binary file, not a posting"):
        read_posting(path)


def test_a_byte_order_mark_before_invalid_utf16_is_a_clear_error() -> None:
    # An unpaired high surrogate after the UTF-16-BE mark.
    with pytest.raises(InputError, match="starts with a UTF-16 byte-order mark but is not valid UTF-16; "
                                         "save it again as UTF-8 text"):
        decode_bytes(codecs.BOM_UTF16_BE + "Python ".encode("utf-16-be") + b"\xd8\x00", name="ad.txt")


def test_cp1252_still_falls_back() -> None:
    decoded = decode_bytes("Café — résumé".encode("cp1252"))
    assert (decoded.text, decoded.encoding, decoded.fallback) == ("Café — résumé", "cp1252", True)
