"""Read and write tables of postings in chunks: CSV (also ``.csv.gz``), JSONL and Parquet.

Readers never drop a record silently. A malformed CSV line (bad quoting, wrong number of
fields) or JSONL line (not a JSON object) becomes a row whose input cells are empty and
whose :data:`ERROR` cell says what is wrong at which line; bytes that are not UTF-8 are
decoded with a fallback and the row gets a :data:`WARNING`. Every physical line is
accounted for in :class:`ReadStats` (header, blank, or part of exactly one row).

A cell longer than :data:`MAX_CELL_CHARS` is cut to that many characters and its row gets a
:data:`WARNING`; a quoted CSV cell longer than the ``csv`` module's field limit is read by
hand, so it stays one row and keeps its other cells. An input column named like
:data:`ERROR` or :data:`WARNING` is kept as ``input_<name>`` (see :attr:`TableReader.renamed`).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from jdanalyzer.batch.spreadsheet import neutralize
from jdanalyzer.errors import ColumnError, InputError
from jdanalyzer.text.reading import decode_bytes

__all__ = [
    "ERROR",
    "FORMATS",
    "MAX_CELL_CHARS",
    "WARNING",
    "ReadStats",
    "TableReader",
    "arrow_ready",
    "concat_parts",
    "guess_format",
    "joined",
    "neutralize",
    "neutralized",
    "pa_table",
    "prefixed",
    "write_part",
]

FORMATS = ("csv", "jsonl", "parquet")
#: Columns a reader adds to each chunk: why a row could not be read, and read warnings.
ERROR = "__jd_error"
WARNING = "__jd_warning"
#: Cells are cut to this many characters (the most of a posting that is scored, too).
MAX_CELL_CHARS = 100_000
#: A CSV record read by hand past this many characters is no longer kept for a re-read
#: (the lines after an unclosed quote are read again as rows while they are kept).
_MAX_RECORD_CHARS = 10_000_000

_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
             ".pq": "parquet"}


def guess_format(path: str | Path, *, what: str = "input") -> str:
    """The table format of ``path`` from its suffix (``.gz`` is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    fmt = _SUFFIXES.get(suffixes[-1] if suffixes else "")
    if fmt is None:
        raise InputError(
            f"cannot tell the format of {what} {path} from its name; use a .csv, .csv.gz, "
            f".jsonl or .parquet file or give the format ({', '.join(FORMATS)})"
        )
    return fmt


def prefixed(columns: Sequence[str], reserved: Sequence[str]) -> dict[str, str]:
    """``input_<name>`` (``input_input_<name>``...) for each of ``columns`` named in ``reserved``.

    Example:
        >>> prefixed(["id", "label", "input_label"], ["label", "error"])
        {'label': 'input_input_label'}
    """
    taken, renames = set(columns), {}
    for column in columns:
        if column in reserved:
            new = f"input_{column}"
            while new in taken or new in reserved:
                new = f"input_{new}"
            taken.add(new)
            renames[column] = new
    return renames


@dataclass
class ReadStats:
    """Running counts of what a reader has read (updated as chunks are read)."""

    lines: int = 0
    header_lines: int = 0
    blank_lines: int = 0
    record_lines: int = 0
    rows: int = 0
    malformed: int = 0
    fallback_rows: int = 0
    bytes_read: int = 0
    bytes_total: int | None = None

    @property
    def unaccounted_lines(self) -> int:
        """Lines that are neither header, blank, nor part of a row: 0 unless there is a bug."""
        if self.lines == 0:
            return 0
        return self.lines - self.header_lines - self.blank_lines - self.record_lines

    @property
    def fraction(self) -> float | None:
        if not self.bytes_total:
            return None
        return min(1.0, self.bytes_read / self.bytes_total)


@dataclass(frozen=True)
class _Line:
    number: int
    offset: int
    text: str
    fallback: str | None  # the fallback encoding used, if the bytes were not UTF-8


@dataclass(frozen=True)
class _Record:
    values: list[Any] | dict[str, Any] | None  # None: unreadable
    first: _Line
    last: _Line
    error: str = ""
    warning: str = ""
    long_cells: tuple[tuple[int, int], ...] = ()  # (index, length) of cells cut by the reader


_UNQUOTED_END = re.compile(r"[,\r\n]")


class _RecordScan:
    """Parse one CSV record by hand, line by line, as ``csv.reader(strict=True)`` does.

    Only for records with a cell past the ``csv`` field limit: each cell keeps its first
    ``keep`` characters and its full length, so memory stays bounded however long it is.
    """

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.cells: list[str] = []
        self.lengths: list[int] = []
        self.error = ""
        self.done = False
        self._parts: list[str] = []
        self._length = 0
        self._start = True  # at the start of a cell
        self._quoted = False  # inside a quoted cell
        self._closed = False  # just after the quote that closed a quoted cell

    def _add(self, text: str) -> None:
        room = self.keep - min(self._length, self.keep)
        if room > 0:
            self._parts.append(text[:room])
        self._length += len(text)

    def _save(self) -> None:
        self.cells.append("".join(self._parts))
        self.lengths.append(self._length)
        self._parts, self._length = [], 0
        self._start, self._closed = True, False

    def _end(self, text: str, at: int) -> None:
        self._save()
        self.done = True
        if text[at:].strip("\r\n"):
            self.error = "new-line character seen in unquoted field"

    def feed(self, text: str) -> None:
        """Read one more line of the record; sets :attr:`done` when the record ends."""
        i, n = 0, len(text)
        while i < n and not self.done:
            if self._quoted:
                j = text.find('"', i)
                if j < 0:
                    self._add(text[i:])
                    return
                self._add(text[i:j])
                if j + 1 < n and text[j + 1] == '"':  # a doubled quote is a quote
                    self._add('"')
                    i = j + 2
                else:
                    self._quoted, self._closed, i = False, True, j + 1
            elif self._closed:
                if text[i] == ",":
                    self._save()
                    i += 1
                elif text[i] in "\r\n":
                    self._end(text, i)
                else:
                    self.error, self.done = "',' expected after '\"'", True
            elif self._start and text[i] == '"':
                self._quoted, self._start, i = True, False, i + 1
            else:
                self._start = False
                found = _UNQUOTED_END.search(text, i)
                if found is None:
                    self._add(text[i:])
                    return
                self._add(text[i:found.start()])
                if found.group() == ",":
                    self._save()
                    i = found.end()
                else:
                    self._end(text, found.start())

    def finish(self) -> None:
        """The input ended: close the record (an open quote is an error)."""
        if self.done:
            return
        self.done = True
        if self._quoted:
            self.error = "unexpected end of data"
        else:
            self._save()


class _Lines:
    """Decoded lines of a binary stream, numbered, with their byte offsets, and a push-back."""

    def __init__(self, raw: IO[bytes], *, number: int = 0, offset: int = 0) -> None:
        self._raw = raw
        self._back: deque[_Line] = deque()
        self.number = number
        self.offset = offset
        self.taken: list[_Line] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._back:
            line = self._back.popleft()
        else:
            data = self._raw.readline()
            if not data:
                raise StopIteration
            self.number += 1
            line = _decode_line(data, self.number, self.offset)
            self.offset += len(data)
        self.taken.append(line)
        return line.text

    def push_back(self, lines: Sequence[_Line]) -> None:
        self._back.extendleft(reversed(lines))


def _decode_line(data: bytes, number: int, offset: int) -> _Line:
    try:
        text, fallback = data.decode("utf-8"), None
    except UnicodeDecodeError:
        try:
            decoded = decode_bytes(data)
            text, fallback = decoded.text, decoded.encoding
        except InputError:  # control bytes: still keep the line, byte for byte
            text, fallback = data.decode("latin-1"), "latin-1"
    if number == 1:
        text = text.removeprefix("\ufeff")
    return _Line(number, offset, text, fallback)


def _span(first: _Line, last: _Line) -> str:
    if first.number == last.number:
        return f"line {first.number}"
    return f"lines {first.number}-{last.number}"


def _warning(lines: Sequence[_Line]) -> str:
    bad = next((ln for ln in lines if ln.fallback), None)
    if bad is None:
        return ""
    return f"warning: {_span(lines[0], lines[-1])} not valid UTF-8; read as {bad.fallback}"


class TableReader:
    """Read a CSV, JSONL or Parquet table (or standard input, ``-``) in chunks of rows.

    Use it as a context manager; :attr:`columns` is known on entry, :attr:`stats` grows
    as :meth:`chunks` is consumed. Each chunk is a DataFrame of the input columns (cells as
    read: strings for CSV) plus :data:`ERROR` and :data:`WARNING`. ``header`` gives the
    column names as they are in the file (:attr:`input_columns`), e.g. to read from ``start``.

    Example:
        >>> with TableReader("postings.csv") as reader:  # doctest: +SKIP
        ...     for chunk in reader.chunks():
        ...         print(len(chunk))
    """

    def __init__(
        self, source: str | Path, *, fmt: str | None = None, chunk_size: int = 500,
        start: tuple[int, int] | None = None, header: Sequence[str] | None = None,
    ) -> None:
        self.source = source
        self.is_stdin = str(source) == "-"
        self.fmt = fmt or ("" if self.is_stdin else guess_format(source))
        self.chunk_size = chunk_size
        #: The column names in the file; :attr:`columns` are those of the chunks.
        self.input_columns: list[str] = list(header) if header is not None else []
        self.stats = ReadStats()
        #: (byte offset, line number) before the first line of each chunk read so far.
        self.chunk_starts: list[tuple[int, int]] = []
        self._start = start
        self._file: IO[bytes] | None = None
        self._raw: IO[bytes] | None = None
        self._lines: _Lines | None = None
        self._pending: list[_Record] = []

    @property
    def renamed(self) -> dict[str, str]:
        """Input columns named like :data:`ERROR` or :data:`WARNING`, and their chunk names."""
        return prefixed(self.input_columns, (ERROR, WARNING))

    @property
    def columns(self) -> list[str]:
        """The input columns of each chunk: :attr:`input_columns`, :attr:`renamed` applied."""
        renamed = self.renamed
        return [renamed.get(c, c) for c in self.input_columns]

    def size_hint(self) -> tuple[int | None, int | None]:
        """The input's rows and bytes of text, as far as they are known without reading it.

        Parquet gives its row count (from its footer) and no byte size; a CSV or JSONL file
        its size (a ``.gz`` file the size its trailer records, or its own if larger);
        standard input neither. Call it on an open reader.
        """
        if self.is_stdin:
            return None, None
        if self.fmt == "parquet":
            return int(self._parquet.metadata.num_rows), None
        size = self.stats.bytes_total
        if size is not None and str(self.source).lower().endswith(".gz") and size >= 4:
            with Path(self.source).open("rb") as handle:  # ISIZE: the size modulo 2**32
                handle.seek(-4, io.SEEK_END)
                size = max(size, int.from_bytes(handle.read(4), "little"))
        return None, size

    def __enter__(self) -> TableReader:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Open the source and read the header (CSV), schema (Parquet) or first chunk (JSONL)."""
        name = "standard input" if self.is_stdin else str(self.source)
        if self.is_stdin:
            raw: Any = sys.stdin.buffer
            if not hasattr(raw, "peek"):  # e.g. a BytesIO under test runners
                raw = io.BufferedReader(raw)
            head = raw.peek(4)[:4]
            self.fmt = self.fmt or ("parquet" if head == b"PAR1" else
                                    "jsonl" if head.lstrip()[:1] == b"{" else "csv")
            if self.fmt == "parquet":  # Parquet needs to seek to its footer
                raw = io.BytesIO(raw.read())
        else:
            path = Path(self.source)
            if not path.is_file():
                raise InputError(f"no such file: {path}")
            raw = path.open("rb")
            self.stats.bytes_total = path.stat().st_size
        self._raw = raw
        if self.fmt == "parquet":
            self._open_parquet(raw, name)
            return
        gz = not self.is_stdin and str(self.source).lower().endswith(".gz")
        file: Any = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
        self._file = file
        number = offset = 0
        if self._start is not None:
            offset, number = self._start
            file.seek(offset)
        self._lines = _Lines(file, number=number, offset=offset)
        if self.fmt == "csv" and not self.input_columns:
            self._read_header(name)
        elif self.fmt == "jsonl" and not self.input_columns:
            self._pending = list(self._jsonl_records(self.chunk_size))
            seen: dict[str, None] = {}
            for record in self._pending:
                for key in record.values or ():
                    seen.setdefault(key)
            self.input_columns = list(seen)
            if not self.input_columns and not self._pending:
                raise InputError(f"{name} is empty: no rows to score")

    def close(self) -> None:
        if not self.is_stdin:
            for handle in (self._file, self._raw):
                if handle is not None:
                    handle.close()

    def _open_parquet(self, raw: IO[bytes], name: str) -> None:
        import pyarrow.parquet as pq

        try:
            self._parquet = pq.ParquetFile(raw)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
            raise InputError(f"cannot read {name} as Parquet: {exc}") from None
        self.input_columns = list(self._parquet.schema_arrow.names)

    def _read_header(self, name: str) -> None:
        assert self._lines is not None
        reader = csv.reader(self._lines, strict=True)
        try:
            while True:
                header = next(reader)
                if header:
                    break
                self.stats.blank_lines += 1
        except StopIteration:
            raise InputError(f"{name} is empty: no header row and no rows to score") from None
        except csv.Error as exc:
            raise InputError(f"the header of {name} is not valid CSV: {exc}") from None
        self.stats.header_lines = self._lines.number - self.stats.blank_lines
        self._lines.taken.clear()
        dupes = sorted({c for c in header if header.count(c) > 1})
        if dupes:
            raise ColumnError(f"{name} has duplicate column names: {', '.join(dupes)}")
        self.input_columns = header
        self._csv = reader

    # -- records ------------------------------------------------------------------------

    def _csv_records(self) -> Iterator[_Record]:
        assert self._lines is not None
        lines, width = self._lines, len(self.input_columns)
        if not hasattr(self, "_csv"):
            self._csv = csv.reader(lines, strict=True)
        while True:
            lines.taken.clear()
            try:
                values = next(self._csv)
            except StopIteration:
                return
            except csv.Error as exc:
                if str(exc).startswith("field larger than field limit"):
                    yield self._long_record(width)
                    continue
                # The record claims only its first line; the lines it swallowed (an unclosed
                # quote runs to the end of the file) are read again as records of their own.
                first = lines.taken[0]
                lines.push_back(lines.taken[1:])
                yield _Record(None, first, first, error=f"line {first.number}: malformed CSV "
                              f"({exc}); the line is not scored")
                continue
            taken = list(lines.taken)
            first, last = taken[0], taken[-1]
            if not values:
                self.stats.blank_lines += len(taken)
                continue
            if len(values) != width:
                yield _Record(None, first, last, error=f"{_span(first, last)}: expected "
                              f"{width} fields, found {len(values)}; the row is not scored")
                continue
            yield _Record(values, first, last, warning=_warning(taken))

    def _long_record(self, width: int) -> _Record:
        """Read the record the ``csv`` module gave up on (a cell past its field limit) by hand."""
        assert self._lines is not None
        lines = self._lines
        pending = deque(lines.taken)
        lines.taken.clear()
        scan = _RecordScan(MAX_CELL_CHARS)
        kept: list[_Line] | None = []  # the record's lines, while they can still be re-read
        first = last = pending[0]
        size = 0
        while not scan.done:
            if pending:
                last = pending.popleft()
            else:
                try:
                    next(lines)
                except StopIteration:
                    scan.finish()
                    break
                last = lines.taken.pop()
            size += len(last.text)
            if kept is not None:
                kept.append(last)
                if size > _MAX_RECORD_CHARS:
                    kept = None
            scan.feed(last.text)
        lines.push_back(list(pending))  # lines the csv reader read past the record's end
        if scan.error:
            if kept is None:  # too long to read again: the record claims all it read
                return _Record(None, first, last, error=f"{_span(first, last)}: malformed CSV "
                               f"({scan.error}) in a record of over {_MAX_RECORD_CHARS:,} "
                               "characters; the row is not scored")
            lines.push_back(kept[1:])
            return _Record(None, first, first, error=f"line {first.number}: malformed CSV "
                           f"({scan.error}); the line is not scored")
        if len(scan.cells) != width:
            return _Record(None, first, last, error=f"{_span(first, last)}: expected "
                           f"{width} fields, found {len(scan.cells)}; the row is not scored")
        long_cells = tuple((i, n) for i, n in enumerate(scan.lengths) if n > MAX_CELL_CHARS)
        return _Record(scan.cells, first, last, warning=_warning(kept or [first, last]),
                       long_cells=long_cells)

    def _jsonl_records(self, limit: int | None = None) -> Iterator[_Record]:
        assert self._lines is not None
        count = 0
        for text in self._lines:
            line = self._lines.taken.pop()
            if not text.strip():
                self.stats.blank_lines += 1
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                value, error = None, f"not valid JSON ({exc.msg} at column {exc.colno})"
            else:
                error = "" if isinstance(value, dict) else "expected a JSON object {...}"
            if error:
                yield _Record(None, line, line, error=f"line {line.number}: {error}; not scored")
            else:
                yield _Record(value, line, line, warning=_warning([line]))
            count += 1
            if limit is not None and count >= limit:
                return

    def _frame(self, records: list[_Record]) -> pd.DataFrame:
        rows, errors, warnings = [], [], []
        names = self.input_columns
        empty = [None if self.fmt == "jsonl" else ""] * len(names)
        for record in records:
            self.stats.rows += 1
            self.stats.record_lines += record.last.number - record.first.number + 1
            self.stats.malformed += bool(record.error)
            self.stats.fallback_rows += bool(record.warning)
            notes = [record.warning] if record.warning else []
            if record.values is None:
                row = empty
            elif isinstance(record.values, dict):
                extra = [k for k in record.values if k not in names]
                if extra:
                    notes.append(f"warning: line {record.first.number}: key(s) {', '.join(extra)} "
                                 "are not among the columns of the first rows and were left out")
                row = [record.values.get(c) for c in names]
            else:
                row = record.values
            row, cut = _cut_cells(row, names, dict(record.long_cells))
            if cut:
                notes.append(f"warning: {_span(record.first, record.last)}: {cut}")
            rows.append(row)
            errors.append(record.error)
            warnings.append("; ".join(notes))
        frame = pd.DataFrame(rows, columns=self.columns, dtype=object)
        frame[ERROR] = errors
        frame[WARNING] = warnings
        return frame

    def chunks(self, max_rows: int | None = None) -> Iterator[pd.DataFrame]:
        """Yield the table in DataFrames of up to ``chunk_size`` rows, in input order."""
        if self.fmt == "parquet":
            yield from self._parquet_chunks()
            return
        assert self._lines is not None
        records = (
            self._csv_records() if self.fmt == "csv"
            else _chain(self._pending, self._jsonl_records())
        )
        batch: list[_Record] = []
        for produced, record in enumerate(records, 1):
            if not batch:
                self.chunk_starts.append((record.first.offset, record.first.number - 1))
            batch.append(record)
            if len(batch) >= self.chunk_size or (max_rows is not None and produced >= max_rows):
                yield self._emit(batch)
                batch = []
                if max_rows is not None and produced >= max_rows:
                    return
        if batch:
            yield self._emit(batch)
        self._update_position()

    def _emit(self, batch: list[_Record]) -> pd.DataFrame:
        frame = self._frame(batch)
        self._update_position()
        return frame

    def _update_position(self) -> None:
        if self._lines is not None:
            self.stats.lines = self._lines.number
        if self._raw is not None and self.stats.bytes_total:
            self.stats.bytes_read = self._raw.tell()

    def _parquet_chunks(self) -> Iterator[pd.DataFrame]:
        total = self._parquet.metadata.num_rows
        names = self.input_columns
        for batch in self._parquet.iter_batches(batch_size=self.chunk_size):
            frame = batch.to_pandas()
            frame.columns = pd.Index(self.columns)
            notes: list[list[str]] = [[] for _ in range(len(frame))]
            for i, name in enumerate(names):
                values = frame.iloc[:, i]
                if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
                    continue
                lengths = values.map(lambda v: len(v) if isinstance(v, str) else 0)
                for j in (lengths > MAX_CELL_CHARS).to_numpy().nonzero()[0]:
                    notes[j].append(_cut_note(name, int(lengths.iloc[j])))
                    frame.iloc[j, i] = values.iloc[j][:MAX_CELL_CHARS]
            frame[ERROR] = ""
            frame[WARNING] = ["warning: " + "; ".join(n) if n else "" for n in notes]
            self.stats.rows += len(frame)
            if total:
                self.stats.bytes_read = int((self.stats.bytes_total or 0) * self.stats.rows / total)
            yield frame


def _cut_note(column: str, length: int) -> str:
    return (f"the {column} cell has {length:,} characters; only its first {MAX_CELL_CHARS:,} "
            "are kept")


def _cut_cells(
    row: list[Any], names: Sequence[str], long_cells: dict[int, int]
) -> tuple[list[Any], str]:
    """``row`` with text cells cut to :data:`MAX_CELL_CHARS`, and a note naming the cut cells."""
    notes: list[str] = []
    for i, value in enumerate(row):
        length = long_cells.get(i, len(value) if isinstance(value, str) else 0)
        if length > MAX_CELL_CHARS:
            if notes == []:
                row = list(row)
            row[i] = value[:MAX_CELL_CHARS]
            notes.append(_cut_note(names[i], length))
    return row, "; ".join(notes)


def _chain(first: list[_Record], rest: Iterator[_Record]) -> Iterator[_Record]:
    yield from first
    first.clear()
    yield from rest


# -- writing -----------------------------------------------------------------------------


def _is_list(value: Any) -> bool:
    """A list, tuple or numpy array (how pandas gives a Parquet list cell)."""
    return isinstance(value, list | tuple) or getattr(value, "ndim", 0) > 0


def _json_value(value: Any) -> Any:
    """``value`` as plain Python for JSON: numpy scalars and arrays (Parquet list cells) too."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if _is_list(value):
        return [_json_value(v) for v in (value.tolist() if hasattr(value, "tolist") else value)]
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _nested_as_json(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with list and dict cells (Parquet list or struct columns) as JSON text."""
    def nested(value: Any) -> bool:
        return isinstance(value, dict) or _is_list(value)

    columns = [c for c in frame.columns if frame[c].dtype == object and frame[c].map(nested).any()]
    if not columns:
        return frame
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(
            lambda v: json.dumps(_json_value(v), ensure_ascii=False, default=str) if nested(v) else v)
    return frame


def _open_out(path: Path, mode: str) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8", newline="")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8", newline="")


def write_part(frame: pd.DataFrame, path: Path, fmt: str, *, lists: Sequence[str] = ()) -> None:
    """Write one chunk of output to ``path`` (CSV without header; see :func:`concat_parts`).

    ``lists`` names columns of lists of strings (or missing cells): JSON arrays in JSONL,
    ``list<string>`` columns in Parquet. CSV needs them joined first (:func:`neutralized`).
    """
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            # "\r\n" like the header: a cell holding a lone "\r" is then quoted, and stays one row.
            _nested_as_json(frame).to_csv(handle, index=False, header=False, lineterminator="\r\n")
    elif fmt == "jsonl":
        columns = list(frame.columns)
        with path.open("w", encoding="utf-8") as handle:
            for row in frame.itertuples(index=False, name=None):
                record = {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
                handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    else:
        import pyarrow.parquet as pq

        pq.write_table(pa_table(frame, lists=lists), path)


def arrow_ready(frame: pd.DataFrame, lists: Sequence[str] = ()) -> pd.DataFrame:
    """Make object columns (JSONL cells may mix types) nullable strings, for Parquet.

    The columns named in ``lists`` are left as they are: lists of strings, or missing.
    """
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object and column not in lists:
            frame[column] = pd.array(
                [None if _json_value(v) is None else v if isinstance(v, str)
                 else json.dumps(_json_value(v), default=str) for v in frame[column]],
                dtype="string",
            )
    return frame


def pa_table(frame: pd.DataFrame, *, lists: Sequence[str] = ()) -> Any:
    """A pyarrow Table of ``frame`` (see :func:`arrow_ready`); ``lists`` become ``list<string>``.

    Example:
        >>> frame = pd.DataFrame({"id": ["a", "b"], "tasks": [["deploy models"], None]})
        >>> pa_table(frame, lists=["tasks"]).schema.field("tasks").type
        ListType(list<item: string>)
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(arrow_ready(frame, lists), preserve_index=False)
    for column in lists:
        values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else list(v)
                  for v in frame[column]]
        index = table.schema.get_field_index(column)
        table = table.set_column(index, column, pa.array(values, type=pa.list_(pa.string())))
    return table


def joined(value: Any, sep: str = "; ") -> Any:
    """A list cell as one ``sep``-joined string (what a spreadsheet can show); others as they are.

    Example:
        >>> joined(["LLMs", "RAG"])
        'LLMs; RAG'
    """
    return sep.join(str(v) for v in value) if _is_list(value) else value


def neutralized(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with the cells of ``columns`` ready for CSV: lists :func:`joined`, formulas
    defused by :func:`neutralize`."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(lambda v: neutralize(joined(v)))
    return frame


def concat_parts(
    parts: Sequence[Path], out: Path, fmt: str, columns: Sequence[str], *, lists: Sequence[str] = ()
) -> None:
    """Join the part files into one table at ``out`` (CSV gets one header row).

    With no parts, a Parquet ``out`` gets ``columns`` as strings, ``lists`` as ``list<string>``.
    """
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.unify_schemas(
            [pq.read_schema(p) for p in parts], promote_options="permissive"
        ) if parts else pa.schema(
            [(c, pa.list_(pa.string()) if c in lists else pa.string()) for c in columns])
        with pq.ParquetWriter(out, schema) as writer:
            for part in parts:
                writer.write_table(pq.read_table(part).cast(schema))
        return
    with _open_out(out, "w") as handle:
        if fmt == "csv":
            csv.writer(handle).writerow(columns)
        for part in parts:
            with part.open("r", encoding="utf-8", newline="") as src:
                while block := src.read(1 << 20):
                    handle.write(block)
