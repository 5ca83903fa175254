"""Chunked table readers: every line accounted for, malformed lines reported by number."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from jdanalyzer.batch.tables import (
    ERROR,
    WARNING,
    TableReader,
    guess_format,
    neutralize,
)
from jdanalyzer.errors import InputError

MESSY = (
    b"id,title,description\n"
    b"1,ok,We deploy LLM agents\n"  # line 2
    b'2,"bad"quote,text\n'  # line 3: character after a closing quote
    b"3,too,many,fields\n"  # line 4
    b"\n"  # line 5: blank
    b'4,multi,"two\nlines"\n'  # lines 6-7: one row
    b"5,caf\xe9,Latin-1 bytes\n"  # line 8
    b'6,open,"never closed\n'  # line 9: the quote runs to the end of the file
    b"7,after,still read\n"  # line 10
)


def read_all(path: Path, **kwargs) -> tuple[pd.DataFrame, TableReader]:
    with TableReader(path, **kwargs) as reader:
        frame = pd.concat(list(reader.chunks()), ignore_index=True)
    return frame, reader


def test_messy_csv_every_line_is_accounted_for(tmp_path: Path) -> None:
    path = tmp_path / "messy.csv"
    path.write_bytes(MESSY)
    frame, reader = read_all(path, chunk_size=3)
    assert list(frame["id"]) == ["1", "", "", "4", "5", "", "7"]
    assert list(frame[ERROR]) == [
        "",
        "line 3: malformed CSV (',' expected after '\"'); the line is not scored",
        "line 4: expected 3 fields, found 4; the row is not scored",
        "",
        "",
        "line 9: malformed CSV (unexpected end of data); the line is not scored",
        "",
    ]
    assert frame.loc[3, "description"] == "two\nlines"
    assert frame.loc[4, "title"] == "café"
    assert frame.loc[4, WARNING] == "warning: line 8 not valid UTF-8; read as cp1252"
    stats = reader.stats
    assert (stats.lines, stats.header_lines, stats.blank_lines, stats.rows) == (10, 1, 1, 7)
    assert (stats.malformed, stats.fallback_rows, stats.unaccounted_lines) == (3, 1, 0)
    assert stats.fraction == 1.0


def test_gzip_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "postings.csv.gz"
    path.write_bytes(gzip.compress("\ufeffid,text\n1,Python and SQL\n".encode()))
    frame, reader = read_all(path)
    assert reader.columns == ["id", "text"]
    assert frame["text"].tolist() == ["Python and SQL"]


def test_restart_from_chunk_starts_reads_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "messy.csv"
    path.write_bytes(MESSY)
    whole, reader = read_all(path, chunk_size=2)
    parts = []
    for start in reader.chunk_starts:
        with TableReader(path, chunk_size=2, start=start, header=reader.columns) as part:
            parts.append(next(part.chunks(max_rows=2)))
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)


def test_jsonl_bad_lines_and_extra_keys(tmp_path: Path) -> None:
    path = tmp_path / "postings.jsonl"
    lines = [json.dumps({"id": 1, "text": "Build RAG"}), "{not json", "[1, 2]", "",
             json.dumps({"id": 2, "text": None, "extra": True})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame, reader = read_all(path, chunk_size=2)
    assert reader.columns == ["id", "text"]  # the keys of the first chunk
    assert frame["id"].tolist() == [1, None, None, 2]
    assert frame[WARNING].tolist()[3] == (
        "warning: line 5: key(s) extra are not among the columns of the first rows and "
        "were left out"
    )
    assert frame[ERROR].tolist()[1].startswith("line 2: not valid JSON")
    assert frame[ERROR].tolist()[2] == "line 3: expected a JSON object {...}; not scored"
    assert reader.stats.blank_lines == 1


def test_parquet_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "postings.parquet"
    pd.DataFrame({"id": range(5), "text": ["a", "b", "c", "d", "e"]}).to_parquet(path)
    with TableReader(path, chunk_size=2) as reader:
        sizes = [len(chunk) for chunk in reader.chunks()]
    assert sizes == [2, 2, 1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty: no header row"),
        (b'"a,b\n', "the header of"),
        (b"a,a\n1,2\n", "duplicate column names: a"),
    ],
)
def test_unusable_csv_raises(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message), TableReader(path):
        pass


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1 555", "'+1 555"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("LLM; RAG", "LLM; RAG"),
        ("a=b", "a=b"),
        (None, None),
        (0.5, 0.5),
    ],
)
def test_neutralize(value: object, expected: object) -> None:
    assert neutralize(value) == expected


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("a.CSV.gz", "csv"), ("a.jsonl", "jsonl"), ("a.parquet", "parquet")],
)
def test_guess_format(name: str, fmt: str) -> None:
    assert guess_format(name) == fmt


def test_guess_format_unknown() -> None:
    with pytest.raises(InputError, match=r"cannot tell the format of input a\.xlsx"):
        guess_format("a.xlsx")
