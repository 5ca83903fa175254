"""What the audit reports about an ad: findings with a rule, a severity and the text spans.

Also writes all findings of an audit to a CSV or JSON file, one row per finding.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jdanalyzer.batch.spreadsheet import neutralize
from jdanalyzer.errors import InputError

__all__ = [
    "FINDING_COLUMNS", "SEVERITIES", "Finding", "Span", "ensure_writable", "make_spans",
    "write_findings",
]

#: From most to least serious. ``info`` findings describe the ad without faulting it.
SEVERITIES = ("high", "medium", "low", "info")
FINDING_COLUMNS = ("ad_id", "rule", "severity", "message", "suggestion", "spans")


@dataclass(frozen=True)
class Span:
    """A stretch of the ad's normalized text: ``text == ad_text[start:end]``."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Finding:
    """One thing the audit found in one ad, or in the company's ads together.

    ``rule`` is a stable id (``role-mismatch``, ``jargon`` ...), ``message`` one line saying
    what was found, ``suggestion`` what to do, and ``spans`` the text that triggered it.
    A company-level finding (the shared template) has an empty ``ad_id``, names the ads in
    its message and has no spans.
    """

    ad_id: str
    rule: str
    severity: str
    message: str
    suggestion: str
    spans: tuple[Span, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"severity must be one of {', '.join(SEVERITIES)}, not {self.severity!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ad_id": self.ad_id,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "spans": [s.to_dict() for s in self.spans],
        }


def make_spans(text: str, ranges: Iterable[tuple[int, int]]) -> tuple[Span, ...]:
    """Spans for character ranges of ``text``, in text order and without repeats."""
    return tuple(Span(s, e, text[s:e]) for s, e in sorted(set(ranges)) if 0 <= s < e <= len(text))


def ensure_writable(
    path: str | Path, *, force: bool = False, suffixes: tuple[str, ...] = ()
) -> Path:
    """Check that an output file may be written: right suffix, folder exists, no overwrite.

    Raises:
        InputError: with the reason and the fix.
    """
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputError(
            f"{path.name} must end in {' or '.join(suffixes)} (the format follows the suffix)"
        )
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name")
    if path.exists() and not force:
        raise InputError(f"{path} exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: the folder {path.parent} does not exist")
    return path


def write_findings(findings: Iterable[Finding], path: str | Path, *, force: bool = False) -> Path:
    """Write findings to ``path``: JSON (a list of objects) or CSV (spans as a JSON list).

    CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` ...) get a
    leading ``'``, as in ``jdanalyzer score``'s output; JSON is written as it is.

    Raises:
        InputError: the suffix is neither .csv nor .json, or the file exists and not ``force``.

    Example:
        >>> write_findings([], "findings.json")  # doctest: +SKIP
        PosixPath('findings.json')
    """
    path = ensure_writable(path, force=force, suffixes=(".csv", ".json"))
    suffix = path.suffix.lower()
    rows = [f.to_dict() for f in findings]
    if suffix == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FINDING_COLUMNS)
        writer.writeheader()
        for row in rows:
            row["spans"] = json.dumps(row["spans"], ensure_ascii=False)
            writer.writerow({key: neutralize(value) for key, value in row.items()})
    return path
