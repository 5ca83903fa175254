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


# -- long cells: one row each, cut to MAX_CELL_CHARS, the other cells kept -------------------

LINE = "We fine-tune LLMs, ship RAG pipelines and deploy agents with Python."


def long_cell(sep: str, chars: int = 200_000) -> str:
    return sep.join([LINE] * (chars // len(LINE) + 1))


def long_csv(cell: bytes, rows: int = 20, at: int = 7) -> bytes:
    lines = [b"id,title,description\n"]
    for i in range(rows):
        text = cell if i == at else b"Python and SQL"
        lines.append(f"id{i},AI Engineer,".encode() + text + b"\n")
    return b"".join(lines)


@pytest.mark.parametrize(
    ("full", "cell", "lines"),
    [
        # many lines in one quoted cell: they used to be read as 4,000 rows
        (long_cell("\n"), b'"' + long_cell("\n").encode() + b'"', long_cell("\n").count("\n") + 1),
        # one line: it used to be dropped as malformed, with its id
        (long_cell(" "), b'"' + long_cell(" ").encode() + b'"', 1),
        # doubled quotes, commas and CRLF in the long cell
        (long_cell(' "quoted", \r\n'), b'"' + long_cell(' ""quoted"", \r\n').encode() + b'"',
         long_cell("\r\n").count("\n") + 1),
        # no quotes at all: a long unquoted cell on one line
        (long_cell(" ").replace(",", ";"), long_cell(" ").replace(",", ";").encode(), 1),
    ],
    ids=["multi-line", "one-line", "doubled-quotes", "unquoted"],
)
def test_a_long_cell_is_one_row_cut_with_a_warning(
    tmp_path: Path, full: str, cell: bytes, lines: int
) -> None:
    assert len(full) > 131_072  # past the csv module's field limit
    path = tmp_path / "long.csv"
    path.write_bytes(long_csv(cell))
    frame, reader = read_all(path, chunk_size=6)
    assert frame["id"].tolist() == [f"id{i}" for i in range(20)]
    assert frame["title"].tolist() == ["AI Engineer"] * 20
    assert (frame[ERROR] == "").all()
    assert frame.loc[7, "description"] == full[:100_000]
    span = "line 9" if lines == 1 else f"lines 9-{8 + lines}"
    assert frame.loc[7, WARNING] == (
        f"warning: {span}: the description cell has {len(full):,} characters; "
        "only its first 100,000 are kept"
    )
    assert (frame[WARNING].drop(index=7) == "").all()
    assert (reader.stats.rows, reader.stats.malformed, reader.stats.unaccounted_lines) == (20, 0, 0)


def test_an_unclosed_quote_before_a_long_tail_still_reads_the_rows_after_it(tmp_path: Path) -> None:
    tail = b"".join(f"{i},after,{LINE.replace(',', ';')}\n".encode() for i in range(3000))
    path = tmp_path / "unclosed.csv"
    path.write_bytes(b'id,title,description\n0,open,"never closed\n' + tail)
    frame, reader = read_all(path, chunk_size=500)
    assert len(frame) == 3001
    assert frame.loc[0, ERROR] == (
        "line 2: malformed CSV (unexpected end of data); the line is not scored"
    )
    assert frame["id"].tolist()[1:] == [str(i) for i in range(3000)]
    assert reader.stats.unaccounted_lines == 0


def test_a_long_row_with_too_many_fields_is_one_unscored_row(tmp_path: Path) -> None:
    cell = b'"' + long_cell("\n").encode() + b'",extra'
    path = tmp_path / "wide.csv"
    path.write_bytes(long_csv(cell, rows=3, at=1))
    frame, _ = read_all(path)
    assert frame["id"].tolist() == ["id0", "", "id2"]
    assert frame.loc[1, ERROR].startswith("lines 3-")
    assert frame.loc[1, ERROR].endswith(": expected 3 fields, found 4; the row is not scored")


def test_long_jsonl_and_parquet_cells_are_cut_too(tmp_path: Path) -> None:
    text = long_cell("\n")
    jsonl = tmp_path / "long.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "text": text}) + "\n", encoding="utf-8")
    parquet = tmp_path / "long.parquet"
    pd.DataFrame({"id": ["a"], "text": [text]}).to_parquet(parquet)
    note = f"the text cell has {len(text):,} characters; only its first 100,000 are kept"
    for path, where in ((jsonl, "line 1: "), (parquet, "")):
        frame, _ = read_all(path)
        assert frame.loc[0, "text"] == text[:100_000]
        assert frame.loc[0, WARNING] == f"warning: {where}{note}"


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_input_columns_named_like_the_readers_own_are_kept(tmp_path: Path, suffix: str) -> None:
    source = pd.DataFrame({"id": ["1"], ERROR: ["mine"], WARNING: ["also mine"]})
    path = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        source.to_csv(path, index=False)
    elif suffix == ".jsonl":
        source.to_json(path, orient="records", lines=True)
    else:
        source.to_parquet(path)
    frame, reader = read_all(path)
    assert reader.input_columns == ["id", ERROR, WARNING]
    assert reader.renamed == {ERROR: f"input_{ERROR}", WARNING: f"input_{WARNING}"}
    assert frame[f"input_{ERROR}"].tolist() == ["mine"]
    assert frame[f"input_{WARNING}"].tolist() == ["also mine"]
    assert frame[ERROR].tolist() == [""] and frame[WARNING].tolist() == [""]
