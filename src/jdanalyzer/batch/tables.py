"""Read and write tables of postings in chunks: CSV (also ``.csv.gz``), JSONL and Parquet.

Readers never drop a record silently. A malformed CSV line (bad quoting, wrong number of
fields) or JSONL line (not a JSON object) becomes a row whose input cells are empty and
whose :data:`ERROR` cell says what is wrong at which line; bytes that are not UTF-8 are
decoded with a fallback and the row gets a :data:`WARNING`. Every physical line is
accounted for in :class:`ReadStats` (header, blank, or part of exactly one row).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from jdanalyzer.errors import ColumnError, InputError
from jdanalyzer.text.reading import decode_bytes

__all__ = [
    "ERROR",
    "FORMATS",
    "WARNING",
    "ReadStats",
    "TableReader",
    "arrow_ready",
    "concat_parts",
    "guess_format",
    "neutralize",
    "neutralized",
    "pa_table",
    "write_part",
]

FORMATS = ("csv", "jsonl", "parquet")
#: Columns a reader adds to each chunk: why a row could not be read, and read warnings.
ERROR = "__jd_error"
WARNING = "__jd_warning"

_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
             ".pq": "parquet"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def neutralize(value: Any) -> Any:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula (``=``, ``+``, ``@``...).

    Example:
        >>> neutralize("=HYPERLINK(\\"http://x\\")")
        '\\'=HYPERLINK("http://x")'
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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
    values: list[Any] | None  # None: unreadable
    first: _Line
    last: _Line
    error: str = ""
    warning: str = ""


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
    read: strings for CSV) plus :data:`ERROR` and :data:`WARNING`.

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
        self.columns: list[str] = list(header) if header is not None else []
        self.stats = ReadStats()
        #: (byte offset, line number) before the first line of each chunk read so far.
        self.chunk_starts: list[tuple[int, int]] = []
        self._start = start
        self._file: IO[bytes] | None = None
        self._raw: IO[bytes] | None = None
        self._lines: _Lines | None = None
        self._pending: list[_Record] = []

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
        if self.fmt == "csv" and not self.columns:
            self._read_header(name)
        elif self.fmt == "jsonl" and not self.columns:
            self._pending = list(self._jsonl_records(self.chunk_size))
            seen: dict[str, None] = {}
            for record in self._pending:
                for key in record.values or ():
                    seen.setdefault(key)
            self.columns = list(seen)
            if not self.columns and not self._pending:
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
        self.columns = list(self._parquet.schema_arrow.names)

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
        self.columns = header
        self._csv = reader

    # -- records ------------------------------------------------------------------------

    def _csv_records(self) -> Iterator[_Record]:
        assert self._lines is not None
        lines, width = self._lines, len(self.columns)
        if not hasattr(self, "_csv"):
            self._csv = csv.reader(lines, strict=True)
        while True:
            lines.taken.clear()
            try:
                values = next(self._csv)
            except StopIteration:
                return
            except csv.Error as exc:
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
        empty = [None if self.fmt == "jsonl" else ""] * len(self.columns)
        for record in records:
            self.stats.rows += 1
            self.stats.record_lines += record.last.number - record.first.number + 1
            self.stats.malformed += bool(record.error)
            self.stats.fallback_rows += bool(record.warning)
            warning = record.warning
            if record.values is None:
                rows.append(empty)
            elif isinstance(record.values, dict):
                extra = [k for k in record.values if k not in self.columns]
                if extra:
                    warning = "; ".join(filter(None, [warning, (
                        f"warning: line {record.first.number}: key(s) {', '.join(extra)} are "
                        "not among the columns of the first rows and were left out")]))
                rows.append([record.values.get(c) for c in self.columns])
            else:
                rows.append(record.values)
            errors.append(record.error)
            warnings.append(warning)
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
        for batch in self._parquet.iter_batches(batch_size=self.chunk_size):
            frame = batch.to_pandas()
            frame[ERROR] = ""
            frame[WARNING] = ""
            self.stats.rows += len(frame)
            if total:
                self.stats.bytes_read = int((self.stats.bytes_total or 0) * self.stats.rows / total)
            yield frame


def _chain(first: list[_Record], rest: Iterator[_Record]) -> Iterator[_Record]:
    yield from first
    first.clear()
    yield from rest


# -- writing -----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _open_out(path: Path, mode: str) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8", newline="")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8", newline="")


def write_part(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write one chunk of output to ``path`` (CSV without header; see :func:`concat_parts`)."""
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            frame.to_csv(handle, index=False, header=False)
    elif fmt == "jsonl":
        columns = list(frame.columns)
        with path.open("w", encoding="utf-8") as handle:
            for row in frame.itertuples(index=False, name=None):
                record = {c: _json_value(v) for c, v in zip(columns, row, strict=True)}
                handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    else:
        import pyarrow.parquet as pq

        pq.write_table(pa_table(frame), path)


def arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Make object columns (JSONL cells may mix types) nullable strings, for Parquet."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = pd.array(
                [None if _json_value(v) is None else v if isinstance(v, str)
                 else json.dumps(_json_value(v), default=str) for v in frame[column]],
                dtype="string",
            )
    return frame


def pa_table(frame: pd.DataFrame) -> Any:
    """A pyarrow Table of ``frame`` (see :func:`arrow_ready`)."""
    import pyarrow as pa

    return pa.Table.from_pandas(arrow_ready(frame), preserve_index=False)


def neutralized(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with the text cells of ``columns`` passed through :func:`neutralize`."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(neutralize)
    return frame


def concat_parts(parts: Sequence[Path], out: Path, fmt: str, columns: Sequence[str]) -> None:
    """Join the part files into one table at ``out`` (CSV gets one header row)."""
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.unify_schemas(
            [pq.read_schema(p) for p in parts], promote_options="permissive"
        ) if parts else pa.schema([(c, pa.string()) for c in columns])
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
