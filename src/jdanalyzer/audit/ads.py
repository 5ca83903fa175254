"""Read a company's job ads from a CSV table, a folder of files or one file.

A problem with one ad (unreadable or empty file, empty row, duplicate id, a symbolic link
that leads out of the ads folder) never stops the others: it is recorded as an
:class:`AdProblem` and the rest are read. A table cell longer than
:data:`~jdanalyzer.extraction.extract.MAX_CHARS` is cut to that length, with a warning. Only
input that holds no usable ad at all (a missing path, an empty folder, a table that is not
valid CSV, has no description column or repeats a column name) raises
:class:`~jdanalyzer.errors.InputError`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jdanalyzer.batch.columns import guess_column
from jdanalyzer.errors import ColumnError, InputError
from jdanalyzer.extraction.extract import MAX_CHARS
from jdanalyzer.text.normalize import normalize
from jdanalyzer.text.reading import read_posting

__all__ = ["AD_SUFFIXES", "Ad", "AdBatch", "AdProblem", "read_ads"]

AD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
TABLE_SUFFIXES = (".csv", ".csv.gz", ".tsv")
_TITLE_MAX_WORDS = 14
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_HTML_TITLE = re.compile(r"<(title|h1)\b[^>]*>(.*?)</\1>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Ad:
    """One job ad as read: its id, title, raw text and where it came from."""

    id: str
    title: str
    text: str
    source: str
    location: str = ""
    date: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AdProblem:
    """Something wrong with one ad; ``audited`` says whether the ad was still audited."""

    ad_id: str
    source: str
    message: str
    audited: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AdBatch:
    """The ads read from one input, the per-ad problems and warnings about the input."""

    ads: tuple[Ad, ...]
    problems: tuple[AdProblem, ...] = ()
    warnings: tuple[str, ...] = ()


def _markdown_to_text(text: str) -> str:
    text = _MD_HEADING.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_EMPHASIS.sub(r"\2", text)


def _title_from(text: str, suffix: str) -> str:
    """The ad's title: an HTML <title> or <h1>, else its first line when that is short."""
    if suffix in (".html", ".htm"):
        found = _HTML_TITLE.search(text)
        if found:
            return " ".join(normalize(found.group(2)).split())
    for line in text.splitlines():
        line = line.strip().strip("#*_ ").strip()
        if line:
            return line if len(line.split()) <= _TITLE_MAX_WORDS else ""
    return ""


def _read_file(path: Path, label: str) -> Ad:
    """Read one ad file; raises InputError for an unreadable, binary or empty file."""
    decoded = read_posting(path)
    text = decoded.text
    if not text.strip():
        raise InputError(f"{label} is empty")
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        text = _markdown_to_text(text)
    return Ad(id=path.stem, title=_title_from(text, suffix), text=text, source=label)


def _leaves(path: Path, folder: Path) -> bool:
    """Whether ``path``, an entry of ``folder``, is a symbolic link to something outside it."""
    if not path.is_symlink():
        return False
    try:
        return not path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        return True


def _read_folder(folder: Path) -> tuple[list[Ad], list[AdProblem]]:
    ads: list[Ad] = []
    problems: list[AdProblem] = []
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    candidates = [p for p in entries if p.suffix.lower() in AD_SUFFIXES]
    if not candidates:
        skipped = f" (found only: {', '.join(p.name for p in entries[:5])})" if entries else ""
        raise InputError(
            f"{folder} has no ads to audit{skipped}; put one ad per .txt, .md or .html file "
            "in the folder, or give a CSV with title and description columns"
        )
    for path in entries:
        if _leaves(path, folder):
            problems.append(AdProblem(
                path.stem, path.name,
                f"skipped: a symbolic link to a file or folder outside {folder.name}; "
                "copy the ad into the folder to audit it",
            ))
            continue
        if path not in candidates:
            problems.append(AdProblem(
                path.stem, path.name, "skipped: not a .txt, .md or .html file", audited=False,
            ))
            continue
        try:
            if not path.is_file() and path.exists():
                raise InputError(f"{path.name} is a folder, not an ad file")
            ads.append(_read_file(path, path.name))
        except InputError as exc:
            message = str(exc).replace(str(path), path.name)
            problems.append(AdProblem(path.stem, path.name, f"not audited: {message}"))
    return ads, problems


def _read_table(
    path: Path, text_column: str | None = None, title_column: str | None = None
) -> tuple[list[Ad], list[AdProblem], list[str]]:
    import pandas as pd

    sep = "\t" if path.name.lower().endswith(".tsv") else ","
    try:
        header = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, header=None, nrows=1)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        detail = " ".join(str(exc).split())  # one line, whatever the parser said
        if "EOF inside string" in detail:
            detail = (f"a quoted cell is never closed ({detail}); close the quote, or double "
                      'each " inside a quoted cell')
        raise InputError(f"cannot read {path} as a table: {detail}") from None
    names = [str(c) for c in header.iloc[0]] if len(header) else []
    repeated = sorted({c for c in names if c.strip() and names.count(c) > 1})
    if repeated:  # pandas would rename the repeats (``text.1``) and read one of them silently
        raise ColumnError(
            f"{path} has duplicate column names: {', '.join(map(repr, repeated))}; give every "
            "column its own name"
        )
    columns = [str(c) for c in frame.columns]
    try:
        description = guess_column(columns, text_column, "text")
        title = guess_column(columns, title_column, "title", required=False)
    except ColumnError as exc:
        raise ColumnError(f"{path}: {exc}") from None
    ad_id = guess_column(columns, None, "id", required=False)
    location = guess_column(columns, None, "location", required=False)
    date = guess_column(columns, None, "date", required=False)
    warnings = []
    if title is None:
        warnings.append(f"{path.name} has no title column: the role-clarity check is skipped")
    ads: list[Ad] = []
    problems: list[AdProblem] = []
    used = [c for c in (ad_id, title, description, location, date) if c is not None]
    for number, row in enumerate(frame.to_dict("records"), start=1):
        label = f"{path.name} row {number}"
        long = [c for c in used if len(row[c]) > MAX_CHARS]
        for column in long:
            warnings.append(
                f"{label}: the {column} cell has {len(row[column]):,} characters; "
                f"audited its first {MAX_CHARS:,}"
            )
            row[column] = row[column][:MAX_CHARS]
        identifier = (row[ad_id].strip() if ad_id else "") or f"row-{number}"
        text = row[description]
        if not text.strip():
            problems.append(AdProblem(identifier, label, "not audited: the description is empty"))
            continue
        ads.append(Ad(
            id=identifier, title=row[title].strip() if title else "", text=text, source=label,
            location=row[location].strip() if location else "",
            date=row[date].strip() if date else "",
        ))
    return ads, problems, warnings


def _unique_ids(ads: list[Ad]) -> tuple[list[Ad], list[AdProblem]]:
    """Give a repeated id a suffix (``id-2``) so both ads are audited, and say so."""
    seen: dict[str, Ad] = {}
    out: list[Ad] = []
    problems: list[AdProblem] = []
    for ad in ads:
        if ad.id in seen:
            number = 2
            while f"{ad.id}-{number}" in seen:
                number += 1
            new_id = f"{ad.id}-{number}"
            problems.append(AdProblem(
                ad.id, ad.source,
                f"duplicate ad id '{ad.id}' ({seen[ad.id].source} and {ad.source}): "
                f"audited the second as '{new_id}'; give every ad its own id",
                audited=True,
            ))
            ad = Ad(new_id, ad.title, ad.text, ad.source, ad.location, ad.date)
        seen[ad.id] = ad
        out.append(ad)
    return out, problems


def read_ads(
    source: str | Path, *, text_column: str | None = None, title_column: str | None = None
) -> AdBatch:
    """Read the ads in a CSV/TSV table, a folder of ``.txt``/``.md``/``.html`` files or one file.

    In a folder each file is one ad and its name (without the suffix) is the ad id. A table
    needs a text column (``text_column``, or guessed as ``score`` guesses it:
    :mod:`jdanalyzer.batch.columns`); title, id, location and date columns are optional.

    Raises:
        InputError: the path is missing, the folder holds no ad files, or the table cannot
            be read or has no description column.

    Example:
        >>> batch = read_ads("tests/data/audit_ads")  # doctest: +SKIP
        >>> [ad.id for ad in batch.ads][:2]  # doctest: +SKIP
        ['analytics-lead', 'data-scientist-genai']
    """
    path = Path(source)
    warnings: list[str] = []
    if not path.exists():
        raise InputError(f"no such file or folder: {path}")
    if path.is_dir():
        ads, problems = _read_folder(path)
    elif path.name.lower().endswith(TABLE_SUFFIXES):
        ads, problems, warnings = _read_table(path, text_column, title_column)
    elif path.suffix.lower() in AD_SUFFIXES:
        ads, problems = [_read_file(path, path.name)], []
    else:
        raise InputError(
            f"{path} is neither a folder nor a .csv, .txt, .md or .html file; give a CSV of "
            "ads or a folder with one ad per file"
        )
    ads, duplicates = _unique_ids(ads)
    return AdBatch(tuple(ads), tuple(problems + duplicates), tuple(warnings))
